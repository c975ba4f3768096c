"""No stored payload ever runs in a browser: script, event-handler, SVG, javascript:/data: URL
and Markdown-trick payloads written into every text field of the social site (posts,
statements, comments, image descriptions, file names, documents, direct messages,
translations, display names, report notes), then every page showing them opened in Chromium in
both languages, listening for dialogs, console markers and requests to other hosts."""

from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from PIL import Image

from tadamun.accounts.tests.factories import UserFactory
from tadamun.core.tests.test_browser_a11y import sign_in
from tadamun.core.uploads import reencode_image
from tadamun.documents import services as documents
from tadamun.messaging import services as messaging
from tadamun.social import services as social
from tadamun.translations import services as translations

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]

PAYLOADS = [
    "<script>alert('x1')</script>",
    "<img src=x onerror=alert('x2')>",
    "<svg onload=alert('x3')>",
    "<svg><script>alert('x4')</script></svg>",
    "[click me](javascript:alert('x5'))",
    "[click me](JAVASCRIPT:alert('x6'))",
    "![img](javascript:alert('x7'))",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgneDgnKTwvc2NyaXB0Pg==)",
    "<a href=\"javascript:alert('x9')\">link</a>",
    "<iframe src=\"javascript:alert('x10')\"></iframe>",
    "<body onload=alert('x11')>",
    "<details open ontoggle=alert('x12')>",
    "\"><script>alert('x13')</script>",
    "'><img src=x onerror=alert('x14')>",
    "<style>@import 'http://evil.example/x.css';</style>",
    "<div style=\"background:url(javascript:alert('x15'))\">",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert('x16')>",
    "[x](&#106;avascript:alert('x17'))",
    "<input autofocus onfocus=alert('x18')>",
    "<video><source onerror=alert('x19')></video>",
    "`<script>alert('x20')</script>`",
    "\u202e<script>alert('x21')</script>",
    "{{ 7*7 }}{% debug %}<script>alert('x22')</script>",
    "<object data=\"javascript:alert('x23')\"></object>",
    "<a href=\"http://evil.example\" onmouseover=alert('x24')>hover</a>",
]
ALL = "\n\n".join(PAYLOADS)


def png(name="p.png") -> SimpleUploadedFile:
    out = BytesIO()
    Image.new("RGB", (30, 30), (1, 2, 3)).save(out, format="PNG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/png")


def pages_with_payloads(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    author = UserFactory(member=True, display_name="<img src=x onerror=alert('name')>")
    reader = UserFactory(
        member=True, translator=True, display_name="\"><script>alert('n2')</script>"
    )
    with translation.override("en"):
        post = social.post_create(
            author=author,
            title="<script>alert('title')</script>",
            body=ALL,
            audience="public",
            images=[
                social.NewImage(
                    image=reencode_image(png(), max_bytes=10**6),
                    small=reencode_image(png(), max_bytes=10**6, max_side=10),
                    alt_text="\" onerror=alert('alt') x=\"",
                )
            ],
        )
        social.comment_create(post=post, author=reader, body=ALL)
        translations.translation_save(
            obj=post,
            language="ar" if post.language == "en" else "en",
            fields={"title": "<svg onload=alert('tr')>", "body": ALL},
            by=reader,
        )
        document = documents.document_create(
            by=author,
            upload=SimpleUploadedFile("<img src=x onerror=alert(1)>.txt", b"hello"),
            title="<script>alert('doc')</script>",
            category="report",
            description=ALL,
            audience="public",
        )
        conversation, _ = messaging.conversation_start(sender=author, recipients=[reader], body=ALL)
    urls = []
    for language in ("ar", "en"):
        with translation.override(language):
            urls += [
                reverse("social:post", args=[post.pk]),
                reverse("social:news"),
                reverse("social:feed"),
                reverse("documents:detail", args=[document.pk]),
                reverse("documents:library"),
                reverse("messaging:conversation", args=[conversation.pk]),
                reverse("messaging:inbox"),
                reverse("notifications:list"),
                reverse("organisations:person", args=[author.pk]),
            ]
    return reader, urls


def test_no_stored_payload_runs(page, settings, tmp_path):
    reader, urls = pages_with_payloads(settings, tmp_path)
    sign_in(page, reader)
    dialogs: list[str] = []
    foreign: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.on(
        "request",
        lambda request: (
            (request.url.startswith(page.base) or request.url.startswith("data:"))
            or foreign.append(request.url)
        ),
    )
    for url in urls:
        response = page.goto(page.base + url)
        assert response.status == 200, url
        page.wait_for_load_state("load")
        # hover and focus whatever could carry a handler, and open every <details>
        for link in page.locator("main a").all()[:40]:
            link.hover()
        for details in page.locator("main details summary").all():
            details.click()
        assert page.evaluate("document.title").find("pwned") == -1
    assert dialogs == []
    assert foreign == []
