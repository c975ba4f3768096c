"""House rules for the front end, checked over the files themselves.

- Stylesheets use CSS logical properties only, so one set of rules serves Arabic (RTL) and
  English (LTR): no physical left/right anywhere (STYLE.md §8).
- Templates carry no inline style or script: the Content-Security-Policy (settings.SECURE_CSP)
  would block them, and the page would silently break.
- Nothing is loaded from another host (no CDN, font service or tracker): the people who use
  this site are watched, and their connections are slow.
"""

import re
from pathlib import Path

import pytest
from django.conf import settings

BASE = Path(settings.BASE_DIR)
CSS_DIR = BASE / "tadamun" / "static" / "css"
CSS_FILES = sorted(CSS_DIR.glob("*.css"))
TEMPLATE_FILES = sorted(
    {*BASE.glob("tadamun/templates/**/*.html"), *BASE.glob("tadamun/*/templates/**/*.html")}
)

# --- CSS: logical properties only -----------------------------------------------------------

COMMENT = re.compile(r"/\*.*?\*/", re.DOTALL)
STRING = re.compile(r"\"(?:[^\"\\]|\\.)*\"|'(?:[^'\\]|\\.)*'")
DECLARATION_BLOCK = re.compile(r"\{([^{}]*)\}")
PHYSICAL_WORD = re.compile(r"\b(left|right)\b", re.IGNORECASE)
# Four-value shorthands set the left and right sides separately (top right bottom left).
SIDED_SHORTHANDS = {
    "margin",
    "padding",
    "inset",
    "border-width",
    "border-style",
    "border-color",
    "scroll-margin",
    "scroll-padding",
}


def physical_declarations(css: str) -> list[str]:
    """Every declaration in `css` that names a physical side: `margin-left`, `left: 0`,
    `text-align: right`, `float: left`, `clear: right`, `border-top-left-radius`,
    `background-position: left`, or a four-value `margin`/`padding`/`inset` whose left and
    right differ, or a `border-radius` whose corners differ."""
    found = []
    css = STRING.sub('""', COMMENT.sub("", css))
    for block in DECLARATION_BLOCK.findall(css):
        for declaration in block.split(";"):
            if ":" not in declaration:
                continue
            prop, value = (part.strip().lower() for part in declaration.split(":", 1))
            value = value.replace("!important", "").strip()
            words = value.split()
            if (
                PHYSICAL_WORD.search(prop)
                or PHYSICAL_WORD.search(value)
                or (prop in SIDED_SHORTHANDS and len(words) == 4 and words[1] != words[3])
                or (prop == "border-radius" and len(set(value.replace("/", " ").split())) > 1)
            ):
                found.append(f"{prop}: {value}")
    return found


@pytest.mark.parametrize(
    "css",
    [
        "a { margin-left: 1rem }",
        "a { padding-right: 0 }",
        "a { border-left: 1px solid }",
        "a { border-right-color: red }",
        "a { text-align: left }",
        "a { text-align:right }",
        "a { float: left }",
        "a { clear: right }",
        "a { position: absolute; left: 0 }",
        "a { right:0 }",
        "@media (min-width: 1px) { a { color: red; LEFT: 0 } }",
        "a { border-top-left-radius: 2px }",
        "a { margin: 0 1rem 0 2rem }",
        "a { inset: 0 auto 0 0 }",
        "a { border-radius: 4px 0 }",
        "a { background-position: right top }",
    ],
)
def test_physical_properties_are_caught(css):
    assert physical_declarations(css)


@pytest.mark.parametrize(
    "css",
    [
        "a { margin-inline-start: 1rem; padding-inline: 0 1rem; inset-inline-end: 0 }",
        "a { text-align: start; border-inline-start: 4px solid; float: inline-start }",
        "a { margin: 0 auto 1rem; padding: 1rem 2rem 1rem 2rem; border-radius: 4px }",
        'a::after { content: "left"; }  /* margin-left is fine in a comment */',
    ],
)
def test_logical_properties_pass(css):
    assert not physical_declarations(css)


def test_there_is_a_stylesheet():
    assert CSS_DIR / "tadamun.css" in CSS_FILES


@pytest.mark.parametrize("path", CSS_FILES, ids=lambda path: path.name)
def test_stylesheets_use_logical_properties_only(path):
    found = physical_declarations(path.read_text(encoding="utf-8"))
    assert not found, f"{path.name} uses physical left/right (use logical properties): {found}"


# --- templates: nothing inline that the CSP would block -------------------------------------

TAG = re.compile(r"<[a-zA-Z][^>]*>", re.DOTALL)
STYLE_ATTRIBUTE = re.compile(r"\sstyle\s*=", re.IGNORECASE)
EVENT_ATTRIBUTE = re.compile(r"\s(on[a-z]+|hx-on[:\-][\w:\-]*)\s*=", re.IGNORECASE)
STYLE_ELEMENT = re.compile(r"<style[\s>]", re.IGNORECASE)
SCRIPT_ELEMENT = re.compile(r"<script\b([^>]*)>(.*?)</script\s*>", re.IGNORECASE | re.DOTALL)
DATA_SCRIPT_TYPE = re.compile(r"""\btype\s*=\s*["']?application/(ld\+)?json""", re.IGNORECASE)
JAVASCRIPT_URL = re.compile(r"""=\s*["']?\s*javascript:""", re.IGNORECASE)


def inline_code(html: str) -> list[str]:
    """Inline style or script in a template: `style=""`, `<style>`, event-handler attributes
    (`onclick=`, `hx-on:`), `javascript:` URLs and `<script>` with code in it. Allowed:
    `<script src=…></script>` and data blocks (`type="application/json"`)."""
    found = [tag[:80] for tag in TAG.findall(html) if STYLE_ATTRIBUTE.search(tag)]
    found += [tag[:80] for tag in TAG.findall(html) if EVENT_ATTRIBUTE.search(tag)]
    found += [tag[:80] for tag in TAG.findall(html) if JAVASCRIPT_URL.search(tag)]
    found += ["<style>"] if STYLE_ELEMENT.search(html) else []
    for attributes, body in SCRIPT_ELEMENT.findall(html):
        if body.strip() and not DATA_SCRIPT_TYPE.search(attributes):
            found.append(f"<script{attributes}>{body.strip()[:40]}")
    return found


@pytest.mark.parametrize(
    "html",
    [
        '<p style="color: red">',
        "<div class=x STYLE='x'>",
        "<style>p { color: red }</style>",
        "<script>alert(1)</script>",
        '<script type="module">import "x"</script>',
        '<button onclick="go()">',
        '<button hx-on:click="go()">',
        '<a href="javascript:void(0)">',
    ],
)
def test_inline_code_is_caught(html):
    assert inline_code(html)


@pytest.mark.parametrize(
    "html",
    [
        "<script src=\"{% static 'js/htmx.min.js' %}\" defer></script>",
        '<script type="application/json" id="data">{"a": 1}</script>',
        '<p class="lead" data-style="x">Style guide: onclick is a word</p>',
        '<button type="submit" name="language" value="ar">',
    ],
)
def test_allowed_markup_passes(html):
    assert not inline_code(html)


def test_there_are_templates():
    assert BASE / "tadamun" / "templates" / "base.html" in TEMPLATE_FILES


@pytest.mark.parametrize("path", TEMPLATE_FILES, ids=lambda path: str(path.relative_to(BASE)))
def test_templates_have_no_inline_style_or_script(path):
    found = inline_code(path.read_text(encoding="utf-8"))
    assert not found, f"{path.relative_to(BASE)} has inline code the CSP blocks: {found}"


# --- no third-party hosts -------------------------------------------------------------------

# Literal absolute or protocol-relative URLs. Django variables ({{ org.website }}) are not
# literals, so links that people enter themselves are not caught, which is intended.
EXTERNAL_URL = re.compile(r"""(?:https?:)?//[a-z0-9][a-z0-9.-]*\.[a-z]{2,}[^\s"'<>)]*""", re.I)
# XML namespaces are names, not addresses; example.* hosts are reserved (RFC 2606).
HARMLESS_URL = re.compile(
    r"^(?:https?:)?//(?:www\.w3\.org/|(?:[\w-]+\.)*example\.(?:com|org|net)(?:[/:?#]|$))"
)


def external_urls(text: str) -> list[str]:
    text = COMMENT.sub("", text)
    text = re.sub(r"\{#.*?#\}", "", text, flags=re.DOTALL)
    text = re.sub(r"\{%\s*comment\s*%\}.*?\{%\s*endcomment\s*%\}", "", text, flags=re.DOTALL)
    return [url for url in EXTERNAL_URL.findall(text) if not HARMLESS_URL.match(url)]


@pytest.mark.parametrize(
    "text",
    [
        '<link rel="stylesheet" href="https://fonts.googleapis.com/css2?family=Noto">',
        '<script src="//cdn.jsdelivr.net/npm/htmx.org"></script>',
        "@import url(https://fonts.googleapis.com/css);",
        "src: url('https://fonts.gstatic.com/s/noto.woff2')",
        '<img src="http://tracker.example.net.evil.io/pixel.gif">',
    ],
)
def test_external_hosts_are_caught(text):
    assert external_urls(text)


@pytest.mark.parametrize(
    "text",
    [
        "src: url(\"../fonts/noto-sans-latin-400-normal.woff2\") format('woff2');",
        '<svg xmlns="http://www.w3.org/2000/svg"></svg><a href="{% url \'home\' %}">',
        '<input placeholder="https://www.example.org/">',
        '<a href="{{ organisation.website }}" rel="nofollow">',
    ],
)
def test_own_addresses_pass(text):
    assert not external_urls(text)


@pytest.mark.parametrize(
    "path", [*CSS_FILES, *TEMPLATE_FILES], ids=lambda path: str(path.relative_to(BASE))
)
def test_nothing_is_loaded_from_another_host(path):
    found = external_urls(path.read_text(encoding="utf-8"))
    assert not found, f"{path.relative_to(BASE)} refers to another host: {found}"


def test_fonts_are_self_hosted():
    css = COMMENT.sub("", (CSS_DIR / "tadamun.css").read_text(encoding="utf-8"))
    fonts = re.findall(r"url\(\"?\.\./fonts/([^\")]+)\"?\)", css)
    assert fonts, "the stylesheet declares no self-hosted fonts"
    for name in fonts:
        assert (BASE / "tadamun" / "static" / "fonts" / name).is_file(), name
    assert css.count("font-display: swap") == css.count("@font-face")
