"""Direct messages in headless Chromium: axe-core finds nothing on the inbox and a
conversation in either language, and a member writes in Arabic to another who reads it and
answers (the answer posted by htmx, swapped in place)."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import translation

from tadamun.accounts.tests.factories import UserFactory
from tadamun.messaging import services
from tadamun.messaging.models import Message

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]

AXE = Axe()
DIRECTION = {"ar": "rtl", "en": "ltr"}


def sign_in(page, user) -> None:
    page.context.clear_cookies()
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": page.base}]
    )


def address(page, language: str, name: str, *args) -> str:
    with translation.override(language):
        return page.base + reverse(name, args=args)


def assert_accessible(page, url: str, language: str) -> None:
    errors: list[str] = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    response = page.goto(url)
    assert response.status == 200, f"{url} answered {response.status}"
    page.wait_for_load_state("load")
    assert page.locator("html").get_attribute("lang") == language
    assert page.locator("html").get_attribute("dir") == DIRECTION[language]
    results = AXE.run(page)
    assert results.violations_count == 0, f"{url}\n{results.generate_report()}"
    assert not errors, f"{url}: console errors {errors}"


@pytest.mark.parametrize("language", ["ar", "en"])
def test_inbox_and_conversation_are_accessible(page, language):
    me = UserFactory(display_name="ليلى", preferred_language=language)
    other = UserFactory(display_name="Claire Dubois")
    third = UserFactory(display_name="حسين")
    conversation, _ = services.conversation_start(
        sender=other, recipients=[me, third], subject="Translation", body="Hello **both**"
    )
    services.message_send(conversation=conversation, author=third, body="مرحباً، سأرسل النصوص.")
    services.conversation_start(sender=me, recipients=[other], body="- one\n- two")
    sign_in(page, me)
    assert_accessible(page, address(page, language, "messaging:inbox"), language)
    assert_accessible(
        page, address(page, language, "messaging:conversation", conversation.pk), language
    )
    assert_accessible(page, address(page, language, "messaging:new"), language)


def test_a_member_writes_in_arabic_and_the_other_reads_and_answers(page):
    writer = UserFactory(display_name="علي كاظم", preferred_language="ar")
    reader = UserFactory(display_name="نور سلمان", preferred_language="ar")

    sign_in(page, writer)
    page.goto(address(page, "ar", "messaging:new") + f"?to={reader.pk}")
    assert page.locator("#id_recipients").input_value() == "نور سلمان"
    page.fill("#id_body", "مرحباً نور، هل تصلك رسائلي؟")
    page.locator('main form button[type="submit"]').click()
    page.wait_for_url(re.compile(r"/ar/messages/\d+/\?message=\d+"))
    assert page.locator(".post-body").last.inner_text().strip() == "مرحباً نور، هل تصلك رسائلي؟"

    sign_in(page, reader)
    page.goto(address(page, "ar", "messaging:inbox"))
    row = page.locator(".conversation-list li.unread")
    assert row.count() == 1
    assert "علي كاظم" in row.inner_text()
    row.locator("a").first.click()
    page.wait_for_url(re.compile(r"/ar/messages/\d+/$"))
    body = page.locator(".post-body").last
    assert body.inner_text().strip() == "مرحباً نور، هل تصلك رسائلي؟"
    assert body.get_attribute("lang") == "ar"

    # The answer goes by htmx: the page stays, the thread is swapped with the reply in it.
    url = page.url
    page.fill("#id_body", "نعم، وصلتني. شكراً!")
    page.locator('#reply button[type="submit"]').click()
    page.locator(".post-body", has_text="نعم، وصلتني. شكراً!").wait_for()
    assert page.url == url
    assert page.locator("#id_body").input_value() == ""
    assert list(Message.objects.order_by("pk").values_list("author", flat=True)) == [
        writer.pk,
        reader.pk,
    ]
