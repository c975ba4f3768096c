"""What the fuzzers (fuzz/, `make fuzz`) feed their inputs to, and what counts as a crash.

One function per harness takes the fuzzer's bytes, runs them through the real code and raises
on anything wrong. The atheris harnesses call it in a loop; test_fuzz_regressions.py replays
the seed corpus and every saved crash through the same function, so that a crash fixed once
stays fixed.

A crash is any exception (the parsers here promise never to raise on input: they have no
documented refusals), or output that breaks the module's promise:

- inbound mail (`lists.parsing.parse_message`): headers one line without control characters,
  a sender address with one `@`, attachment names without path separators and, under the
  default policy, never a dangerous type; then the body and subject shown as a workgroup
  post shows them (`{{ body|urlize|linebreaks }}`) must be inert HTML;
- Markdown (`core.markdown.render_markdown`): only the allow-listed tags, no `on…=` attribute,
  no `style`/`src`, links only to http(s), mailto, relative or fragment URLs, never `<script`.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

from django.template import Context, Engine

SAFE_SCHEMES = {"http", "https", "mailto"}
# A URL's scheme as a browser reads it (WHATWG URL: leading C0 controls and spaces stripped,
# tabs and newlines removed anywhere); no scheme means a relative URL.
URL_SCHEME = re.compile(r"([a-zA-Z][a-zA-Z0-9+.\-]*):")
CONTROL = re.compile(r"[\x00-\x1f\x7f]")  # one-line values: no tab, CR, LF, NUL either
BODY_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")  # tab (\x09) and newline (\x0a) allowed
MAX_ATTACHMENT_BYTES = 4096
POST_TAGS = {"p", "br", "a"}
POST_ATTRIBUTES = {"a": {"href", "rel"}}
# How a workgroup post shows a message read from mail (templates/workgroups/_post.html).
_POST_TEMPLATE = Engine(autoescape=True).from_string(
    '<h2 dir="auto">{{ subject }}</h2><div dir="auto">{{ body|urlize|linebreaks }}</div>'
)


class FuzzFinding(Exception):
    """The input made the code under test break its promise (not a refusal: a bug)."""


class _Elements(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, attrs))

    def handle_startendtag(self, tag, attrs):
        self.elements.append((tag, attrs))


def url_scheme(url: str) -> str | None:
    """The scheme a browser would give `url` (lower-cased), or None for a relative URL."""
    url = re.sub(r"[\t\n\r]", "", url.strip("".join(map(chr, range(0x21)))))
    match = URL_SCHEME.match(url)
    return match.group(1).lower() if match else None


def unsafe_markup(html: str, tags: set[str], attributes: dict[str, set[str]]) -> list[str]:
    """What in `html` a browser could run or load: `<script`, tags beyond `tags`, attributes
    beyond `attributes` (any `on…`), links with another scheme than http(s)/mailto/relative."""
    found = []
    if "<script" in html.lower():
        found.append("<script")
    parser = _Elements()
    parser.feed(html)
    parser.close()
    for tag, attrs in parser.elements:
        if tag not in tags:
            found.append(f"<{tag}>")
        allowed = attributes.get(tag, set()) | attributes.get("*", set())
        for name, value in attrs:
            if name.startswith("on") or name not in allowed:
                found.append(f"<{tag} {name}=>")
            if name == "href" and url_scheme(value or "") not in SAFE_SCHEMES | {None}:
                found.append(f"<{tag} href={value!r}>")
    return found


def _fail(what: str, detail) -> None:
    raise FuzzFinding(f"{what}: {detail!r}"[:2000])


# ------------------------------------------------------------------------------ inbound mail


def check_inbound_mail(data: bytes) -> None:
    """A received message, as the LMTP server hands it to `inbound.process_inbound_message`:
    parsed, checked for commands and auto-replies, its bounce report read, then shown."""
    from tadamun.lists import addresses, commands, inbound, parsing

    parsed = parsing.parse_message(data, max_attachment_bytes=MAX_ATTACHMENT_BYTES)
    one_line = {
        "subject": parsed.subject,
        "from_name": parsed.from_name,
        "from_address": parsed.from_address,
        "message_id": parsed.message_id,
        "in_reply_to": parsed.in_reply_to,
        "references": parsed.references,
    }
    for name, values in parsed.headers.items():
        for value in values:
            one_line[f"header {name}"] = value
    for what, value in one_line.items():
        if CONTROL.search(value):
            _fail(f"control character or line break in {what}", value)
    address = parsed.from_address
    if address and (address.count("@") != 1 or any(ch.isspace() for ch in address)):
        _fail("sender address", address)
    if BODY_CONTROL.search(parsed.body):
        _fail("control character in body", parsed.body)
    if parsed.language not in {"ar", "en"}:
        _fail("language", parsed.language)
    if parsed.date is not None and (
        parsed.date.tzinfo is None or not 1970 <= parsed.date.year <= 2200
    ):
        _fail("date", parsed.date)
    for attachment in parsed.attachments:
        name = attachment.filename
        if not name or "/" in name or "\\" in name or CONTROL.search(name) or len(name) > 255:
            _fail("attachment name", name)
        if parsing.is_dangerous(name, attachment.content_type):
            _fail("dangerous attachment kept", (name, attachment.content_type))
        if len(attachment.data) > MAX_ATTACHMENT_BYTES:
            _fail("attachment over the limit kept", len(attachment.data))

    commands.find_command(parsed.subject, parsed.body)
    inbound.auto_submitted_reason(parsed, parsed.from_address)
    permanent, detail = parsing.delivery_status(data)
    if permanent not in {True, False, None} or CONTROL.search(detail):
        _fail("delivery status", (permanent, detail))
    for recipient in parsed.header_values("to")[:3]:
        local, _domain = addresses.split_address(recipient)
        addresses.parse_local_part(local)
        addresses.parse_verp(local)

    html = _POST_TEMPLATE.render(Context({"subject": parsed.subject, "body": parsed.body}))
    found = unsafe_markup(html, POST_TAGS | {"h2", "div"}, {**POST_ATTRIBUTES, "*": {"dir"}})
    if found:
        _fail(f"unsafe post HTML {found}", html)


# -------------------------------------------------------------------------------- Markdown


def _resolve(handle: str) -> tuple[str, str] | None:
    # Resolves half the handles (both renderer paths), and echoes the handle into the link
    # and its label as a profile link does.
    if len(handle) % 2:
        return None
    return f"/en/people/{handle}/", handle


def check_markdown(data: bytes) -> None:
    """What a person writes (a post, a comment, a message, a campaign text), rendered."""
    from tadamun.core.markdown import (
        ALLOWED_ATTRIBUTES,
        ALLOWED_TAGS,
        extract_mentions,
        plain_text,
        render_markdown,
    )

    text = data.decode("utf-8", errors="replace")
    html = str(render_markdown(text, resolve_mention=_resolve))
    attributes = {tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()}
    attributes["a"] = attributes["a"] | {"rel"}
    found = unsafe_markup(html, set(ALLOWED_TAGS), attributes)
    if found:
        _fail(f"unsafe Markdown HTML {found}", html)
    for handle in extract_mentions(text):
        if not handle or "@" in handle:
            _fail("mention", handle)
    words = plain_text(text, limit=240)
    if len(words) > 240:
        _fail("plain text over its limit", len(words))


TARGETS = {"inbound_mail": check_inbound_mail, "markdown": check_markdown}
