"""Markdown for everything people write on the site (posts, comments, messages, documents'
descriptions): CommonMark by markdown-it-py with raw HTML switched off, then the result cleaned
by nh3 (ammonia) down to an allow-list of tags, attributes and URL schemes. Two layers, so that
a mistake in one (a parser quirk, a new Markdown trick) is caught by the other.

Mentions: `@handle` outside code becomes a link when the caller's resolver knows the handle
(and the viewer may see whom it names); otherwise it stays plain text. `extract_mentions()`
reads the same tokens, so what is linked and what is notified never disagree.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import nh3
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt
from markdown_it.rules_inline import StateInline

# `@` then letters/digits (any script, so Arabic handles work), `_`, `.` or `-`; not after a
# letter (so e-mail addresses are left alone).
MENTION = re.compile(r"@([\w][\w.\-]{0,79})", re.UNICODE)

ALLOWED_TAGS = {
    "p", "br", "hr", "blockquote", "pre", "code", "em", "strong", "s", "del", "a",
    "ul", "ol", "li", "h1", "h2", "h3", "h4", "h5", "h6",
    "table", "thead", "tbody", "tr", "th", "td", "bdi", "span",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title", "class"},
    "ol": {"start"},
    "span": {"class"},
    "bdi": {"class"},
    "*": {"dir"},
}
# Blocks that get dir="auto", so that an Arabic paragraph and an English one each read their way.
DIRECTED_BLOCKS = {
    "paragraph_open",
    "heading_open",
    "list_item_open",
    "blockquote_open",
    "table_open",
}
URL_SCHEMES = {"http", "https", "mailto"}

MentionResolver = Callable[[str], "tuple[str, str] | None"]


def _mention_rule(state: StateInline, silent: bool) -> bool:
    start = state.pos
    if state.src[start] != "@":
        return False
    if start > 0 and (state.src[start - 1].isalnum() or state.src[start - 1] in "_."):
        return False
    match = MENTION.match(state.src, start)
    if not match:
        return False
    handle = match.group(1).rstrip(".-")
    if not handle:
        return False
    if not silent:
        token = state.push("mention", "", 0)
        token.content = handle
    state.pos = start + 1 + len(handle)
    return True


def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.enable(["table", "strikethrough"])
    md.inline.ruler.before("emphasis", "mention", _mention_rule)
    return md


_MD = _parser()


def _render_mention(tokens, idx, options, env) -> str:
    handle = tokens[idx].content
    resolver = env.get("resolve_mention")
    found = resolver(handle) if resolver else None
    if not found:
        return escape("@" + handle)
    url, label = found
    return f'<a class="mention" href="{escape(url)}">@<bdi>{escape(label)}</bdi></a>'


_MD.renderer.rules["mention"] = _render_mention


def render_markdown(text: str, *, resolve_mention: MentionResolver | None = None) -> SafeString:
    """Safe HTML for `text`. Links get rel="nofollow noopener noreferrer ugc"; every block
    carries dir="auto" so a paragraph in Arabic and one in English each read their own way."""
    if not text:
        return mark_safe("")  # nosec B308, B703
    env: dict = {"resolve_mention": resolve_mention}
    tokens = _MD.parse(text, env)
    for token in tokens:
        if token.type in DIRECTED_BLOCKS:
            token.attrSet("dir", "auto")
    html = _MD.renderer.render(tokens, _MD.options, env)
    cleaned = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="nofollow noopener noreferrer ugc",
        strip_comments=True,
    )
    return mark_safe(cleaned)  # nosec B308, B703


def extract_mentions(text: str) -> list[str]:
    """The handles mentioned in `text` (outside code spans and blocks), in order, once each."""
    if not text:
        return []
    seen: dict[str, None] = {}
    for block in _MD.parse(text, {}):
        for child in block.children or []:
            if child.type == "mention":
                seen.setdefault(child.content, None)
    return list(seen)


def plain_text(text: str, *, limit: int | None = None) -> str:
    """The words of a Markdown text without markup (for snippets, titles, e-mail previews)."""
    if not text:
        return ""
    parts: list[str] = []
    for block in _MD.parse(text, {}):
        if block.type == "inline":
            for child in block.children or []:
                if child.type in {"text", "code_inline"}:
                    parts.append(child.content)
                elif child.type == "mention":
                    parts.append("@" + child.content)
                elif child.type in {"softbreak", "hardbreak"}:
                    parts.append(" ")
            parts.append(" ")
        elif block.type in {"fence", "code_block"}:
            parts.append(block.content)
            parts.append(" ")
    words = " ".join("".join(parts).split())
    if limit and len(words) > limit:
        words = words[: limit - 1].rstrip() + "…"
    return words
