"""Which language a text is written in, when its author does not say: Arabic script letters
against Latin letters, ignoring markup, links, mentions and digits. Good enough for the two
languages of the site; Kurdish (Sorani, Arabic script) counts as Arabic script here and would
need a word-list check when a third language is added."""

import re

from django.conf import settings

IGNORED = re.compile(r"https?://\S+|@[\w.\-]+|`[^`]*`|\[[^\]]*\]\([^)]*\)", re.UNICODE)


def _is_arabic_letter(ch: str) -> bool:
    code = ord(ch)
    return (
        0x0600 <= code <= 0x06FF
        or 0x0750 <= code <= 0x077F
        or 0x08A0 <= code <= 0x08FF
        or 0xFB50 <= code <= 0xFDFF
        or 0xFE70 <= code <= 0xFEFF
    ) and ch.isalpha()


def detect_language(*texts: str, default: str | None = None) -> str:
    """'ar' or 'en' (the site's languages) for the given texts taken together."""
    arabic = latin = 0
    for text in texts:
        for ch in IGNORED.sub(" ", text or ""):
            if _is_arabic_letter(ch):
                arabic += 1
            elif ch.isascii() and ch.isalpha():
                latin += 1
    if arabic == 0 and latin == 0:
        return default or settings.LANGUAGE_CODE
    return "ar" if arabic >= latin else "en"
