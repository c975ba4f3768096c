"""A member takes part in a workgroup discussion in headless Chromium, in Arabic."""

import re

import pytest

from tadamun.accounts.tests.factories import PASSWORD, UserFactory
from tadamun.workgroups.models import Post, WorkgroupMembership
from tadamun.workgroups.tests.factories import MembershipFactory, WorkgroupFactory


@pytest.mark.browser
def test_start_a_thread_and_reply_in_arabic(page, transactional_db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    member = UserFactory(email="basra@example.org", display_name="علي", preferred_language="ar")
    workgroup = WorkgroupFactory(slug="privatization", name_ar="الخصخصة", name_en="Privatization")
    MembershipFactory(workgroup=workgroup, user=member, role=WorkgroupMembership.Role.MEMBER)

    page.goto(page.base + "/ar/accounts/login/")
    page.fill("#id_login", member.email)
    page.fill("#id_password", PASSWORD)
    page.locator('main form[action$="/accounts/login/"] button[type="submit"]').click()
    page.wait_for_load_state()

    page.goto(page.base + "/ar/workgroups/")
    assert page.locator("html").get_attribute("dir") == "rtl"
    page.get_by_role("link", name="الخصخصة").first.click()
    page.wait_for_url(re.compile(r"/ar/workgroups/privatization/$"))
    page.locator('a[href$="/threads/new/"]').click()
    page.fill("#id_subject", "خصخصة الكهرباء في البصرة")
    page.fill("#id_body", "نحتاج إلى موقف مشترك قبل جلسة الاستماع.")
    page.locator('main form button[type="submit"]').click()
    page.wait_for_url(re.compile(r"/ar/workgroups/privatization/threads/\d+/$"))
    assert page.locator("h1").inner_text() == "خصخصة الكهرباء في البصرة"

    page.fill("#id_body", "أتفق، وسأرسل المسودة غداً.")
    page.locator('#reply button[type="submit"]').click()
    page.wait_for_url(re.compile(r"/ar/workgroups/privatization/threads/\d+/$"))
    bodies = page.locator(".post-body").all_inner_texts()
    assert [body.strip() for body in bodies] == [
        "نحتاج إلى موقف مشترك قبل جلسة الاستماع.",
        "أتفق، وسأرسل المسودة غداً.",
    ]
    assert page.locator(".post-body").first.get_attribute("dir") == "auto"
    first, reply = Post.objects.order_by("pk")
    assert reply.parent == first
    assert reply.in_reply_to == first.message_id
