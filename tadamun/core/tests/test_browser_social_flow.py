"""The social site end to end in Chromium, in both languages: a member posts with an image,
another comments, the author is notified (badge, list, link), a reader asks for a translation,
a translator takes it from the queue and delivers it, the reader is notified and reads the
item in their language with the original one click away. And no stored payload runs."""

from io import BytesIO

import pytest
from django.urls import reverse
from django.utils import translation
from PIL import Image

from tadamun.accounts.tests.factories import UserFactory
from tadamun.core.tests.test_browser_a11y import AXE, sign_in, watch_console
from tadamun.social.models import Post
from tadamun.translations.models import Translation

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]

TEXT = {
    "ar": "اجتماع التنسيق القادم في البصرة لمناقشة قانون المنظمات غير الحكومية.",
    "en": "The next coordination meeting is in Basra, on the NGO law.",
}
COMMENT = {"ar": "سأحضر مع زملائي من النقابة.", "en": "I will come with colleagues from the union."}
DELIVERED = {
    "ar": "اجتماع التنسيق القادم في البصرة، حول قانون المنظمات.",
    "en": "The next coordination meeting is in Basra, about the NGO law.",
}
OTHER = {"ar": "en", "en": "ar"}


def at(page, name: str, language: str, *args) -> str:
    with translation.override(language):
        return page.base + reverse(name, args=args or None)


def png_bytes() -> bytes:
    out = BytesIO()
    Image.new("RGB", (640, 360), (20, 110, 90)).save(out, format="PNG")
    return out.getvalue()


def check_axe(page):
    results = AXE.run(page)
    assert results.violations_count == 0, f"{page.url}\n{results.generate_report()}"


def as_person(page, person):
    page.context.clear_cookies()
    sign_in(page, person)


@pytest.mark.parametrize("language", ["ar", "en"])
def test_post_comment_notify_translate(page, language, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    other = OTHER[language]
    author = UserFactory(
        member=True, preferred_language=language, display_name=f"Author {language}"
    )
    reader = UserFactory(member=True, preferred_language=other, display_name=f"Reader {language}")
    translator = UserFactory(member=True, translator=True, preferred_language=language)
    errors = watch_console(page)

    # 1. The author posts with an image.
    as_person(page, author)
    page.goto(at(page, "social:feed", language))
    page.fill("form.compose-form textarea[name=body]", TEXT[language])
    page.locator("form.compose-form details.compose-more summary").nth(1).click()
    page.set_input_files(
        "input[name=image_1]",
        files=[{"name": "p.png", "mimeType": "image/png", "buffer": png_bytes()}],
    )
    page.fill("input[name=alt_1]", "Basra")
    page.locator("form.compose-form button[type=submit]").click()
    page.wait_for_load_state("load")
    post = Post.objects.get()
    assert post.language == language
    assert post.images.count() == 1
    assert page.locator(f"text={TEXT[language]}").count() >= 1

    # 2. A reader in the other language comments.
    as_person(page, reader)
    page.goto(at(page, "social:post", other, post.pk))
    page.fill("#comment-form textarea[name=body]", COMMENT[other])
    page.locator("#comment-form button[type=submit]").click()
    page.wait_for_load_state("load")
    assert page.locator(f"text={COMMENT[other]}").count() == 1
    image = page.locator("article img").first
    image.scroll_into_view_if_needed()  # lazy-loaded
    page.wait_for_function(
        "img => img.complete && img.naturalWidth > 0", arg=image.element_handle()
    )

    # 3. The author sees the unread badge, the notification, and follows it to the post.
    as_person(page, author)
    page.goto(at(page, "social:feed", language))
    badge = page.locator(".notifications-link .badge")
    assert badge.count() == 1
    page.locator(".notifications-link").click()
    page.wait_for_load_state("load")
    check_axe(page)
    page.locator(".notifications a").first.click()
    page.wait_for_load_state("load")
    assert f"/posts/{post.pk}/" in page.url
    assert page.locator(f"text={COMMENT[other]}").count() == 1

    # 4. The reader asks for a translation into their language.
    as_person(page, reader)
    page.goto(at(page, "social:post", other, post.pk))
    page.locator(".translation-actions form[action*='/ask/'] button").first.click()
    page.wait_for_load_state("load")

    # 5. A translator takes it from the queue and delivers it.
    as_person(page, translator)
    page.goto(at(page, "translations:queue", language))
    check_axe(page)
    page.locator("form[action*='/claim/'] button").click()
    page.wait_for_load_state("load")
    check_axe(page)
    page.fill("textarea[name=body]", DELIVERED[other])
    page.locator("main form[method=post] button[type=submit]").click()
    page.wait_for_load_state("load")
    assert Translation.objects.get().fields["body"] == DELIVERED[other]

    # 6. The reader is told, and reads the post in their language, the original one click away.
    as_person(page, reader)
    page.goto(at(page, "notifications:list", other))
    assert page.locator(".notification.unread").count() >= 1
    page.goto(at(page, "social:post", other, post.pk))
    assert page.locator(f"text={DELIVERED[other]}").count() == 1
    original = page.locator("details.original-text").first
    assert not original.locator(f"text={TEXT[language]}").is_visible()
    original.locator("summary").click()
    assert original.locator(f"text={TEXT[language]}").is_visible()
    check_axe(page)
    assert not errors, errors
