"""Every form is hostile: script in Markdown, pages and programs dressed as images, photos that
tell where they were taken, files too large — a clear message, and nothing stored."""

from html.parser import HTMLParser
from io import BytesIO
from xml.etree import ElementTree

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from tadamun.social.models import Comment, Post, PostAttachment, PostImage

from .factories import UserFactory, image_bytes, image_upload, make_post, pdf_upload

pytestmark = pytest.mark.django_db

PAYLOADS = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "![x](javascript:alert(1))",
    '<a href="javascript:alert(1)">x</a>',
    "<svg onload=alert(1)>",
    "<iframe src=https://evil.example.net></iframe>",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    '<div style="background:url(javascript:alert(1))">x</div>',
    "`<script>` in code is text",
]


class ActiveHtml(HTMLParser):
    """Everything in a piece of HTML that a browser would run or that could restyle or
    frame the page: script-like elements, event handlers, inline styles, script URLs."""

    ELEMENTS = {"script", "iframe", "frame", "object", "embed", "svg", "math", "style", "base"}
    SCHEMES = ("javascript:", "vbscript:", "data:")

    def __init__(self, html: str):
        super().__init__()
        self.found: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        if tag in self.ELEMENTS:
            self.found.append(f"<{tag}>")
        for name, value in attrs:
            compact = "".join((value or "").split()).lower()
            if name.startswith("on") or name in {"style", "srcdoc", "formaction"}:
                self.found.append(f"{tag} {name}")
            elif name in {"href", "src", "action", "xlink:href"} and compact.startswith(
                self.SCHEMES
            ):
                self.found.append(f"{tag} {name}={value}")


def active_html(html: str) -> list[str]:
    return ActiveHtml(html).found


def body_of(response) -> str:
    """The page's main content (the layout's own script tag is not the post's)."""
    text = response.text
    return text[text.index('<main id="main"') : text.index("</main>")]


def test_the_checker_catches_active_html():
    assert active_html('<p><script>x</script><a href=" JavaScript:x">a</a><b onclick=x>')
    assert not active_html('<p dir="auto">&lt;script&gt; <a href="https://x.example.org">a</a></p>')


def compose(client, **data):
    fields = {
        "kind": "post",
        "body": "Hello",
        "language": "auto",
        "audience": "members",
        "speaking_as": "me",
        **data,
    }
    return client.post(reverse("social:compose"), fields)


@pytest.mark.parametrize("payload", PAYLOADS)
def test_markdown_cannot_carry_active_html(client, payload):
    author = UserFactory()
    client.force_login(author)
    response = compose(client, body=f"Look: {payload}", title=payload)
    assert response.status_code == 302
    post = Post.objects.get()
    assert not active_html(body_of(client.get(post.get_absolute_url())))
    assert not active_html(body_of(client.get(reverse("social:feed"))))
    client.post(reverse("social:comment", args=[post.pk]), {"body": payload})
    assert Comment.objects.count() == 1
    assert not active_html(body_of(client.get(post.get_absolute_url())))


def test_the_atom_feed_carries_no_active_html(client):
    author = UserFactory()
    make_post(author, body="\n\n".join(PAYLOADS), title="<script>x</script>", audience="public")
    atom = ElementTree.fromstring(client.get(reverse("social:news_atom")).content)  # noqa: S314
    namespace = {"atom": "http://www.w3.org/2005/Atom"}
    entry = atom.find("atom:entry", namespace)
    # The title is text; the summary is HTML (type="html"), as a feed reader will show it.
    assert entry.find("atom:title", namespace).text == "<script>x</script>"
    summary = entry.find("atom:summary", namespace)
    assert summary.get("type") == "html"
    assert "alert(1)" in summary.text  # the payloads are there, as text
    assert not active_html(summary.text)


@pytest.mark.parametrize(
    ("name", "data", "content_type"),
    [
        ("drawing.svg", b"<svg><script>alert(1)</script></svg>", "image/svg+xml"),
        ("page.html", b"<html><body><script>alert(1)</script></body></html>", "text/html"),
        ("photo.jpg", b"<html><body><script>alert(1)</script></body></html>", "image/jpeg"),
        ("photo.png", b"MZ\x90\x00 not really a png", "image/png"),
    ],
)  # fmt: skip
def test_pages_and_programs_are_not_images(client, name, data, content_type):
    client.force_login(UserFactory())
    upload = SimpleUploadedFile(name, data, content_type=content_type)
    response = compose(client, image_1=upload)
    assert response.status_code == 400
    assert "not an image" in response.text
    assert not Post.objects.exists()
    assert not PostImage.objects.exists()


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("drawing.svg", b"<svg></svg>", "cannot be shared here"),
        ("page.html", b"<html><script>alert(1)</script></html>", "cannot be shared here"),
        ("notes.txt", b"<html><script>alert(1)</script></html>", "web page or a script"),
        ("report.pdf", b"<html>not a pdf</html>", "not the .pdf file its name says"),
        ("photo.jpg", b"<html><script>alert(1)</script></html>", "not an image"),
        ("setup.exe", b"MZ\x90\x00", "cannot be shared here"),
    ],
)
def test_dangerous_attachments_are_refused(client, name, data, message):
    client.force_login(UserFactory())
    response = compose(client, attachments=[SimpleUploadedFile(name, data)])
    assert response.status_code == 400
    assert message in response.text
    assert not Post.objects.exists()
    assert not PostAttachment.objects.exists()


def test_an_image_loses_its_gps_position(client):
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # camera make
    exif[0x8825] = {1: "N", 2: (33.0, 18.0, 0.0), 3: "E", 4: (44.0, 22.0, 0.0)}  # GPSInfo
    data = image_bytes(size=(300, 200), format="JPEG", exif=exif)
    with Image.open(BytesIO(data)) as original:
        assert original.getexif().get_ifd(0x8825)  # the test photo does carry a position
    client.force_login(UserFactory())
    response = compose(
        client,
        image_1=SimpleUploadedFile("holiday.jpg", data, content_type="image/jpeg"),
        alt_1="Our meeting",
    )
    assert response.status_code == 302
    image = PostImage.objects.get()
    assert image.alt_text == "Our meeting"
    for field in (image.file, image.small):
        with default_storage.open(field.name) as stored, Image.open(stored) as clean:
            assert not clean.getexif()
            assert "exif" not in clean.info
    assert image.width == 300
    assert image.small_width <= 480


def test_a_large_image_is_resized(client):
    client.force_login(UserFactory())
    compose(client, image_1=image_upload(size=(3000, 1000)))
    image = PostImage.objects.get()
    assert (image.width, image.height) == (1280, 427)
    assert image.small_width == 480


def test_an_oversized_image_is_refused_with_a_message(client, settings):
    settings.IMAGE_MAX_BYTES = 1000
    client.force_login(UserFactory())
    response = compose(client, image_1=image_upload(size=(400, 400), color=(1, 2, 3)))
    # Noise does not compress: make sure the file really is over the limit.
    noisy = Image.effect_noise((300, 300), 90).convert("RGB")
    output = BytesIO()
    noisy.save(output, format="PNG")
    response = compose(
        client, image_1=SimpleUploadedFile("big.png", output.getvalue(), content_type="image/png")
    )
    assert response.status_code == 400
    assert "too large" in response.text
    assert not Post.objects.exists()


def test_too_many_files(client):
    client.force_login(UserFactory())
    response = compose(client, attachments=[pdf_upload(f"r{n}.pdf") for n in range(4)])
    assert response.status_code == 400
    assert "At most 3 files" in response.text
    assert not Post.objects.exists()


@pytest.mark.parametrize(
    "data",
    [
        {"body": ""},
        {"body": "x" * 20_001},
        {"title": "t" * 201},
        {"kind": "decree"},
        {"language": "fr"},
        {"audience": "everyone-forever"},
        {"audience": "workgroup:99999"},
        {"speaking_as": "organisation:1"},
        {"kind": "statement", "title": ""},
    ],
)
def test_bad_compose_input_changes_nothing(client, data):
    client.force_login(UserFactory())
    response = compose(client, **data)
    assert response.status_code == 400
    assert 'class="form-errors"' in response.text
    assert not Post.objects.exists()


def test_bad_comment_and_reaction_input(client):
    author = UserFactory()
    post = make_post(author, body="A post")
    client.force_login(author)
    response = client.post(reverse("social:comment", args=[post.pk]), {"body": "   "})
    assert response.status_code == 400
    response = client.post(
        reverse("social:comment", args=[post.pk]), {"body": "Hi", "parent": 987654}
    )
    assert response.status_code == 400
    assert "not on this post" in response.text
    response = client.post(reverse("social:react_post", args=[post.pk]), {"kind": "angry"})
    assert response.status_code == 302
    assert not Comment.objects.exists()
    assert not post.reactions.exists()


def test_bidi_overrides_are_removed_from_text(client):
    client.force_login(UserFactory())
    compose(client, body="Pay to \u202eevil\u202c now", title="A \u202etitle")
    post = Post.objects.get()
    assert "\u202e" not in post.body
    assert "\u202e" not in post.title


def test_next_cannot_send_people_elsewhere(client):
    author = UserFactory()
    post = make_post(author, body="A post")
    client.force_login(author)
    response = client.post(
        reverse("social:react_post", args=[post.pk]),
        {"kind": "like", "next": "https://evil.example.net/"},
    )
    assert response["Location"] == post.get_absolute_url()
