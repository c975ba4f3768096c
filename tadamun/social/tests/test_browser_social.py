"""In headless Chromium, in both languages: a member posts with an image from the feed,
another comments on it; axe-core finds no accessibility violation on the feed and the post
page, and no inline code trips the Content-Security-Policy."""

import re
from io import BytesIO

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings
from django.test import Client
from PIL import Image

from tadamun.social.models import Comment, Follow, Post

from .factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]

AXE = Axe()
DIRECTION = {"ar": "rtl", "en": "ltr"}
TEXT = {
    "ar": ("اجتماعنا في البصرة اليوم", "صورة الاجتماع", "شكراً على المشاركة"),
    "en": ("Our meeting in Basra today", "The meeting room", "Thanks for sharing"),
}


@pytest.fixture(autouse=True)
def _media_and_static(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


def sign_in(page, user) -> None:
    page.context.clear_cookies()
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": page.base}]
    )


def assert_accessible(page, language: str, errors: list[str]) -> None:
    html = page.locator("html")
    assert html.get_attribute("lang") == language
    assert html.get_attribute("dir") == DIRECTION[language]
    results = AXE.run(page)
    assert results.violations_count == 0, f"{page.url}\n{results.generate_report()}"
    assert not errors, f"{page.url}: console errors {errors}"


def photo(tmp_path) -> str:
    path = tmp_path / "meeting.jpg"
    output = BytesIO()
    Image.new("RGB", (640, 480), (30, 100, 140)).save(output, format="JPEG")
    path.write_bytes(output.getvalue())
    return str(path)


@pytest.mark.parametrize("language", ["ar", "en"])
def test_post_with_an_image_then_a_comment(page, language, tmp_path):
    body, alt, comment = TEXT[language]
    author = UserFactory(display_name="Author", preferred_language=language)
    reader = UserFactory(display_name="Reader", preferred_language=language)
    Follow.objects.create(follower=reader, person=author)
    errors: list[str] = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.on("pageerror", lambda error: errors.append(str(error)))

    sign_in(page, author)
    page.goto(f"{page.base}/{language}/feed/")
    assert_accessible(page, language, errors)
    page.fill("#id_body", body)
    page.locator("details.compose-more summary").nth(1).click()
    page.set_input_files("#id_image_1", photo(tmp_path))
    page.fill("#id_alt_1", alt)
    page.locator("form.compose-form button[type=submit]").click()
    page.wait_for_url(re.compile(rf"/{language}/feed/$"))
    post = Post.objects.get()
    assert post.language == language
    image = page.locator(f"#post-{post.pk} .post-images img")
    assert image.get_attribute("alt") == alt
    # The image is lazy-loaded: bring it into view, then wait until it has decoded.
    image.scroll_into_view_if_needed()
    page.wait_for_function(
        "img => img.complete && img.naturalWidth > 0", arg=image.element_handle()
    )
    assert_accessible(page, language, errors)

    sign_in(page, reader)
    page.goto(f"{page.base}/{language}/feed/")
    page.locator(f"#post-{post.pk} .post-footer a[href$='#comments']").click()
    page.wait_for_url(re.compile(rf"/{language}/posts/{post.pk}/#comments$"))
    assert_accessible(page, language, errors)
    page.fill("#id_body", comment)
    page.locator("#comment-form button[type=submit]").click()
    made = Comment.objects.get()
    page.wait_for_url(re.compile(rf"/{language}/posts/{post.pk}/#comment-{made.pk}$"))
    assert comment in page.locator(f"#comment-{made.pk}").inner_text()
    assert made.author == reader
    # A reaction through htmx updates in place.
    page.locator(f"#post-{post.pk} .reaction-form button[value=support]").click()
    pressed = page.locator(f"#post-{post.pk} .reaction-form button[value=support]")
    pressed.and_(page.locator("[aria-pressed=true]")).wait_for()
    assert post.reactions.filter(user=reader, kind="support").exists()
    assert_accessible(page, language, errors)
