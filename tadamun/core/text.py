"""Text helpers shared by every app: bidi-control removal and look-alike folding.

`clean_name` is applied to every name a person or organisation types; `fold` gives the form on
which uniqueness is checked, so that look-alikes (ي/ی, ك/ک, Latin/Cyrillic confusables, case,
Arabic diacritics and tatweel) cannot impersonate another member.
"""

import re
import unicodedata

from confusable_homoglyphs import confusables

# U+202A–U+202E (embeddings and overrides), U+2066–U+2069 (isolates), and the invisible marks
# LRM/RLM/ALM that can reorder a name on screen.
BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]")
# Zero-width characters used to make two names look the same but differ.
INVISIBLES = re.compile("[\u200b-\u200d\u2060\ufeff\u00ad]")
ARABIC_DIACRITICS = re.compile("[\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")  # tashkeel + tatweel
WHITESPACE = re.compile(r"\s+")

# Arabic-script letters that look the same in names: Persian/Kurdish/Urdu forms and hamza seats.
ARABIC_FOLD = str.maketrans(
    {
        "ی": "ي",  # U+06CC Farsi yeh
        "ى": "ي",  # alef maksura
        "ې": "ي",
        "ے": "ي",
        "ک": "ك",  # U+06A9 keheh
        "ڪ": "ك",
        "ە": "ه",  # U+06D5 ae (Kurdish)
        "ہ": "ه",
        "ة": "ه",
        "أ": "ا",
        "إ": "ا",
        "آ": "ا",
        "ٱ": "ا",
        "ؤ": "و",
        "ئ": "ي",
        "٠": "0",
        "١": "1",
        "٢": "2",
        "٣": "3",
        "٤": "4",
        "٥": "5",
        "٦": "6",
        "٧": "7",
        "٨": "8",
        "٩": "9",
        "۰": "0",
        "۱": "1",
        "۲": "2",
        "۳": "3",
        "۴": "4",
        "۵": "5",
        "۶": "6",
        "۷": "7",
        "۸": "8",
        "۹": "9",
    }
)


def strip_bidi_controls(value: str) -> str:
    return INVISIBLES.sub("", BIDI_CONTROLS.sub("", value))


def has_bidi_controls(value: str) -> bool:
    return bool(BIDI_CONTROLS.search(value) or INVISIBLES.search(value))


def clean_name(value: str) -> str:
    """What we store for a typed name: NFC, no bidi controls or invisibles, single spaces."""
    value = unicodedata.normalize("NFC", value or "")
    value = strip_bidi_controls(value)
    value = "".join(ch for ch in value if unicodedata.category(ch) != "Cc")
    return WHITESPACE.sub(" ", value).strip()


def _skeleton_char(ch: str) -> str:
    """Map a character to its Latin look-alike when the Unicode confusables table has one."""
    if ch.isascii():
        return ch
    found = confusables.is_confusable(ch, greedy=True, preferred_aliases=["latin"])
    if found:
        for homoglyph in found[0]["homoglyphs"]:
            candidate = homoglyph["c"]
            if len(candidate) == 1 and candidate.isascii():
                return candidate
    return ch


def fold(value: str) -> str:
    """The comparison form of a name: case-folded, compatibility-normalised, Arabic letters
    folded, diacritics and tatweel removed, confusable letters mapped to Latin."""
    value = clean_name(value)
    value = unicodedata.normalize("NFKC", value).casefold()
    value = ARABIC_DIACRITICS.sub("", value.translate(ARABIC_FOLD))
    value = unicodedata.normalize("NFKD", value)
    value = "".join(ch for ch in value if not unicodedata.combining(ch))
    value = "".join(_skeleton_char(ch) for ch in value)
    value = value.casefold()
    return WHITESPACE.sub(" ", value).strip()


# Overrides and embeddings reorder what follows them until the end of the paragraph: in free
# text they are only ever used to disguise (a file name, a link). Isolates and the marks
# LRM/RLM/ALM are legitimate in mixed Arabic/English writing and are kept.
TEXT_BIDI_OVERRIDES = re.compile("[\u202a-\u202e]")
CONTROL_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean_text(value: str) -> str:
    """What we store for free text people write (posts, comments, messages, translations):
    NFC, Unix newlines, no control characters or bidi overrides, no trailing whitespace."""
    value = unicodedata.normalize("NFC", value or "")
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    value = CONTROL_CHARS.sub("", TEXT_BIDI_OVERRIDES.sub("", value))
    return value.strip()
