"""Applying to join, confirming the address and being approved, in headless Chromium —
in Arabic, the way most applicants will see it."""

import re

import pytest
from django.core import mail

from tadamun.accounts.models import User
from tadamun.accounts.tests.factories import PASSWORD, UserFactory


def sign_in(page, email: str, password: str) -> None:
    page.goto(page.base + "/ar/accounts/login/")
    page.fill("#id_login", email)
    page.fill("#id_password", password)
    page.locator('main form[action$="/accounts/login/"] button[type="submit"]').click()


@pytest.mark.browser
def test_apply_confirm_and_get_approved(page, transactional_db):
    coordinator = UserFactory(coordinator=True, email="coord@example.org")
    applicant_password = "a-long-and-fresh-passphrase-42"

    # 1. The public application form, in Arabic.
    page.goto(page.base + "/ar/join/")
    assert page.locator("html").get_attribute("dir") == "rtl"
    page.check('input[name="kind"][value="individual"]')
    page.fill("#id_legal_name", "زينب عبد الكريم")
    page.fill("#id_display_name", "زينب")
    page.fill("#id_email", "zainab@example.org")
    page.fill("#id_password1", applicant_password)
    page.fill("#id_password2", applicant_password)
    page.select_option("#id_language", "ar")
    page.fill("#id_motivation", "أعمل على حقوق العمال في البصرة وأريد التنسيق مع الشبكة.")
    page.locator('main form button[type="submit"]').last.click()
    page.wait_for_url(re.compile(r"/ar/join/sent/"))
    applicant = User.objects.get(email="zainab@example.org")
    assert applicant.status == User.Status.APPLICANT

    # 2. Confirm the address with the link allauth mailed.
    confirmation = next(m for m in mail.outbox if "zainab@example.org" in m.to)
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+/", confirmation.body).group(0)
    page.goto(page.base + link.split("/", 3)[3].join(["/", ""]))
    page.locator('main form button[type="submit"]').first.click()

    # 3. Signed in but not yet approved: internal pages stay closed.
    sign_in(page, "zainab@example.org", applicant_password)
    page.goto(page.base + "/ar/organisations/")
    page.wait_for_url(re.compile(r"/ar/accounts/pending/"))
    page.context.clear_cookies()

    # 4. A coordinator approves from the review queue, with a message.
    sign_in(page, coordinator.email, PASSWORD)
    page.goto(page.base + "/ar/applications/")
    page.get_by_role("link", name=re.compile("زينب")).first.click()
    page.fill("textarea[name='message']", "أهلاً بكِ في الشبكة.")
    page.locator('button[name="decision"][value="approve"]').click()
    page.wait_for_load_state()
    applicant.refresh_from_db()
    assert applicant.status == User.Status.MEMBER
    approval = [m for m in mail.outbox if "zainab@example.org" in m.to][-1]
    assert "أهلاً بكِ في الشبكة." in approval.body
    page.context.clear_cookies()

    # 5. The new member reaches the directory.
    sign_in(page, "zainab@example.org", applicant_password)
    page.goto(page.base + "/ar/organisations/")
    assert re.search(r"/ar/organisations/$", page.url)
    assert page.locator("h1").count() == 1


@pytest.mark.browser
def test_directory_filters_update_in_place_with_htmx(page, transactional_db):
    """With JavaScript, changing a filter swaps only the results and keeps a shareable URL;
    the same form works as a plain GET form without it (tested by the view tests)."""
    from django.core.management import call_command

    call_command("seed_demo", verbosity=0)
    sign_in(page, "member.basra@demo.tadamun.example", "tadamun-demo-2026")
    page.goto(page.base + "/en/organisations/")
    marker = page.evaluate("window.__marker = Math.random()")
    page.select_option("#id_scope", "international")
    page.wait_for_url(re.compile(r"scope=international"))
    page.wait_for_function(
        "!document.querySelector('#directory-results').textContent.includes('Basra')"
    )
    # Same document (no full reload), fewer cards, all international.
    assert page.evaluate("window.__marker") == marker
    cards = page.locator("#directory-results .card")
    assert 0 < cards.count() < 19
    assert "Iraqi ·" not in page.locator("#directory-results").inner_text()
