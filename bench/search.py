"""Search at scale: 200,000 generated documents, mixed Arabic and English, on SQLite and PostgreSQL
— indexing throughput, index size, and the time of one-word, three-word and phrase queries.

    .venv/bin/python bench/search.py                       # a throw-away SQLite file under /tmp
    .venv/bin/python bench/search.py --database-url postgres://postgres@127.0.0.1:5432/postgres
        # a throw-away database created on that server (and dropped afterwards)
    .venv/bin/python bench/search.py --documents 20000     # a quick check
    .venv/bin/python bench/search.py --sample 5            # print generated documents and queries

The documents are social posts written by a generator (below) from the word lists of
bench/search_words.py, deterministic for a seed: ~70 % Arabic and ~30 % English, some of them
mixed, 30–300 words, most with a title. Arabic words carry real morphology — the article and
the proclitics (و ف ب ك ل ال وال بال كال فال لل), plural, feminine, dual and pronoun suffixes
(ات ون ين ان ة ها هم, ة written ت before a pronoun) — and the spellings people really use:
hamza seats dropped or moved (أ/إ/ا, مسؤول/مسئول, هيئة/هيأة), ة written ه, ى written ي,
occasional tashkeel and tatweel, Arabic-Indic digits. Words are drawn with a Zipf-like law
(a hand-written civil-society vocabulary first, then a tail of words derived from roots by
pattern), so one word can match most documents and another a few hundred.

Indexing is measured twice: through `search.services.index_object` (what saving an item and
`manage.py search_reindex` do) on a sample, and in bulk for all the documents (the same fields,
computed the same way, inserted by chunks: the engine's structures follow — FTS5 triggers on
SQLite, the tsvector table and its GIN index on PostgreSQL). Queries go through
`search.selectors.search()` (engine, visibility, objects, snippets: what the search page does)
for an anonymous visitor and for a member, and through the engine alone; each query is written
in its own variant spelling of the words.
"""

from __future__ import annotations

import argparse
import bisect
import itertools
import os
import random
import re
import secrets
import shutil
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import search_words as words

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


# =========================================================================== the generator

AR_PREFIXES = (
    ("", 0.42),
    ("ال", 0.30),
    ("وال", 0.09),
    ("بال", 0.05),
    ("لل", 0.04),
    ("و", 0.04),
    ("ب", 0.02),
    ("ل", 0.015),
    ("فال", 0.01),
    ("ف", 0.005),
    ("كال", 0.005),
    ("ك", 0.005),
)
NAME_PREFIXES = (("", 0.82), ("و", 0.07), ("ب", 0.06), ("ل", 0.05))
# Without the article: before a pronoun suffix (منظمتها, never المنظمتها).
WITHOUT_ARTICLE = {"ال": "", "وال": "و", "بال": "ب", "لل": "ل", "فال": "ف", "كال": "ك"}
# Suffixes per class; "ت" before a pronoun on a feminine noun replaces its ة.
AR_SUFFIXES = {
    "feminine": (
        ("", 0.62),
        ("ات", 0.20),
        ("تها", 0.04),
        ("تهم", 0.04),
        ("اتها", 0.03),
        ("اتهم", 0.03),
        ("تين", 0.02),
        ("تان", 0.01),
    ),
    "agent": (
        ("", 0.45),
        ("ين", 0.15),
        ("ون", 0.10),
        ("ة", 0.10),
        ("ات", 0.08),
        ("ان", 0.03),
        ("ها", 0.03),
        ("هم", 0.03),
        ("تها", 0.03),
    ),
    "noun": (
        ("", 0.70),
        ("ات", 0.12),
        ("ها", 0.06),
        ("هم", 0.06),
        ("ين", 0.03),
        ("ان", 0.01),
    ),
    "nisba": (("", 0.45), ("ة", 0.30), ("ين", 0.08), ("ات", 0.07), ("ون", 0.05), ("تين", 0.05)),
    "invariant": (("", 0.90), ("ها", 0.05), ("هم", 0.05)),
    "name": (("", 1.0),),
}
PRONOUNS = ("ها", "هم")
HARAKAT = "\u064e\u064f\u0650\u0651\u0652\u064b"
TATWEEL = "\u0640"
# Letters that join the next one: a tatweel may follow them.
JOINING = set("بتثجحخسشصضطظعغفقكلمنهيئ")
AR_DIGITS = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
# Words that the lists spell one way and people another.
AR_RESPELLINGS = {"كوردستان": "كردستان", "مسؤول": "مسئول", "هيئة": "هيأة", "شؤون": "شئون"}

EN_IRREGULAR = {
    "pay": ("pays", "paid", "paying"),
    "hold": ("holds", "held", "holding"),
    "build": ("builds", "built", "building"),
    "meet": ("meets", "met", "meeting"),
    "cut": ("cuts", "cut", "cutting"),
    "ban": ("bans", "banned", "banning"),
    "plan": ("plans", "planned", "planning"),
    "submit": ("submits", "submitted", "submitting"),
    "share": ("shares", "shared", "sharing"),
}
EN_AMERICAN = {
    "centre": "center",
    "programme": "program",
    "labour": "labor",
    "neighbourhood": "neighborhood",
    "organise": "organize",
    "mobilise": "mobilize",
    "mobilisation": "mobilization",
    "licence": "license",
}


def _weighted(pairs):
    values = [value for value, _weight in pairs]
    cumulative = list(itertools.accumulate(weight for _value, weight in pairs))
    return values, cumulative


def _pick(rng: random.Random, table) -> str:
    values, cumulative = table
    return values[bisect.bisect(cumulative, rng.random() * cumulative[-1])]


_AR_PREFIX_TABLE = _weighted(AR_PREFIXES)
_NAME_PREFIX_TABLE = _weighted(NAME_PREFIXES)
_AR_SUFFIX_TABLES = {cls: _weighted(pairs) for cls, pairs in AR_SUFFIXES.items()}


@dataclass(frozen=True)
class Stem:
    language: str  # "ar" or "en"
    base: str  # Arabic: the dictionary form; English: the lemma
    cls: str  # Arabic: feminine/agent/noun/nisba/invariant/name; English: family/n/v/a
    forms: tuple[str, ...] = ()  # English families: their words

    def render(self, rng: random.Random) -> str:
        return _render_ar(self, rng) if self.language == "ar" else _render_en(self, rng)


def _arabic_suffix(base: str, cls: str, suffix: str) -> str:
    if not suffix:
        return base
    if cls == "feminine":
        # منظمة → منظمات, منظمتها, منظمتين; ة of an irregular feminine (مساواة) alike.
        stem = base[:-1] if base.endswith("ة") else base
        return stem + suffix
    return base + suffix


def _arabic_noise(word: str, rng: random.Random) -> str:
    """The spellings people really write (see the module docstring)."""
    roll = rng.random()
    if roll < 0.22 and any(ch in word for ch in "أإآ"):
        word = word.replace("أ", "ا").replace("إ", "ا").replace("آ", "ا")
    if word.endswith("ة") and rng.random() < 0.08:
        word = word[:-1] + "ه"
    elif word.endswith("ى") and rng.random() < 0.15:
        word = word[:-1] + "ي"
    elif word.endswith("ي") and rng.random() < 0.02:
        word = word[:-1] + "ى"
    if rng.random() < 0.012:  # tashkeel on a few letters
        letters = list(word)
        for _ in range(rng.randint(1, 3)):
            at = rng.randrange(len(letters))
            if letters[at] not in "اأإآوى":
                letters[at] += rng.choice(HARAKAT)
        word = "".join(letters)
    if rng.random() < 0.01 and len(word) > 3:  # tatweel (كشيدة) in the middle
        at = rng.randrange(1, len(word) - 1)
        if word[at] in JOINING:
            word = word[: at + 1] + TATWEEL * rng.randint(1, 3) + word[at + 1 :]
    return word


def _render_ar(stem: Stem, rng: random.Random) -> str:
    base = stem.base
    if base in AR_RESPELLINGS and rng.random() < 0.15:
        base = AR_RESPELLINGS[base]
    if stem.cls == "name":
        prefix = _pick(rng, _NAME_PREFIX_TABLE)
        # ل + البصرة → للبصرة
        word = "لل" + base[2:] if prefix == "ل" and base.startswith("ال") else prefix + base
        return _arabic_noise(word, rng)
    suffix = _pick(rng, _AR_SUFFIX_TABLES[stem.cls])
    prefix = _pick(rng, _AR_PREFIX_TABLE)
    if suffix.endswith(PRONOUNS):
        prefix = WITHOUT_ARTICLE.get(prefix, prefix)
    word = _arabic_suffix(base, stem.cls, suffix)
    if word.startswith("امرأ") and prefix.endswith(("ال", "لل")):
        word = word[1:]  # ال + امرأة → المرأة
    # ل + اللجنة → للجنة
    word = "ل" + word if prefix == "لل" and word.startswith("ل") else prefix + word
    return _arabic_noise(word, rng)


def _english_inflections(lemma: str, cls: str) -> tuple[str, ...]:
    if cls == "n":
        if lemma.endswith(("s", "sh", "ch", "x")):
            return (lemma, lemma + "es")
        if lemma.endswith("y") and lemma[-2] not in "aeiou":
            return (lemma, lemma[:-1] + "ies")
        return (lemma, lemma + "s")
    if cls == "v":
        if lemma in EN_IRREGULAR:
            return (lemma, *EN_IRREGULAR[lemma])
        if lemma.endswith("e"):
            return (lemma, lemma + "s", lemma + "d", lemma[:-1] + "ing")
        if lemma.endswith("y") and lemma[-2] not in "aeiou":
            return (lemma, lemma[:-1] + "ies", lemma[:-1] + "ied", lemma + "ing")
        return (lemma, lemma + "s", lemma + "ed", lemma + "ing")
    return (lemma,)


_EN_FORM_WEIGHTS = {"n": (0.68, 0.32), "v": (0.35, 0.15, 0.3, 0.2), "a": (1.0,)}


def _render_en(stem: Stem, rng: random.Random) -> str:
    forms = stem.forms
    if stem.cls == "family":
        # The first words of a family are the common ones.
        word = forms[min(len(forms) - 1, int(rng.expovariate(0.9)))]
    else:
        word = rng.choices(forms, weights=_EN_FORM_WEIGHTS[stem.cls][: len(forms)])[0]
    if rng.random() < 0.3:
        for british, american in EN_AMERICAN.items():
            if word.startswith(british):
                word = american + word[len(british) :]
                break
    if rng.random() < 0.01:
        word = word.upper()
    elif rng.random() < 0.04:
        word = word.capitalize()
    return word


def _derived(root: str, pattern: str) -> str:
    word = pattern
    for position, radical in zip("123", root, strict=True):
        word = word.replace(position, radical)
    return word


def build_vocabulary(seed: int = 1) -> dict[str, list[Stem]]:
    """{"ar": [...], "en": [...]}: stems in the order of their frequency rank."""
    rng = random.Random(seed)
    hand: list[Stem] = []
    for cls, entries in (
        ("feminine", words.AR_FEMININE),
        ("agent", words.AR_AGENTS),
        ("noun", words.AR_NOUNS),
        ("nisba", words.AR_NISBA),
        ("invariant", words.AR_INVARIANT),
        ("name", words.AR_NAMES),
    ):
        hand += [Stem("ar", base, cls) for base in entries]
    rng.shuffle(hand)
    # The words of the issue first: the most frequent.
    core = words.CORE
    hand.sort(key=lambda stem: core.index(stem.base) if stem.base in core else len(core))
    known = {stem.base for stem in hand}
    tail: list[Stem] = []
    for root in words.ROOTS:
        for pattern, cls in words.PATTERNS:
            if (
                "ت2" in pattern
                and pattern.startswith(("ا", "م1ت"))
                and (root[0] in words.IFTAAL_IRREGULAR)
            ):
                continue
            base = _derived(root, pattern)
            if base not in known:
                known.add(base)
                tail.append(Stem("ar", base, cls))
    rng.shuffle(tail)
    arabic = hand + tail

    english: list[Stem] = []
    for line in words.EN_FAMILIES:
        forms = tuple(line.split())
        english.append(Stem("en", forms[0], "family", forms))
    seen = {form for stem in english for form in stem.forms}
    rest: list[Stem] = []
    for cls, entries in (
        ("n", words.EN_NOUNS),
        ("v", words.EN_VERBS),
        ("a", words.EN_ADJECTIVES),
    ):
        for lemma in dict.fromkeys(entries):
            if lemma not in seen:
                seen.add(lemma)
                rest.append(Stem("en", lemma, cls, _english_inflections(lemma, cls)))
    rng.shuffle(rest)
    return {"ar": arabic, "en": english + rest}


def zipf_cumulative(count: int, *, s: float = 1.05, q: float = 8.0) -> list[float]:
    """Cumulative Zipf–Mandelbrot weights 1/(rank + q)^s. With the word lists: the first
    Arabic stem is 2.3 % of the Arabic content words, the 100th 0.17 %, the 1000th 0.016 %,
    the last (2026th) 0.008 %; the first English lemma 3.2 %, the last (351st) 0.07 %."""
    return list(itertools.accumulate(1.0 / (rank + q) ** s for rank in range(1, count + 1)))


@dataclass
class Document:
    number: int
    language: str  # the main language
    title: str
    body: str
    mixed: bool
    stems: list[Stem] = field(default_factory=list)  # content words, in order


@dataclass
class Query:
    kind: str  # "one", "three", "phrase"
    language: str
    text: str


class Corpus:
    """Document n is the same for a seed whatever else is generated (each has its own RNG)."""

    ARABIC_SHARE = 0.70
    MIXED_SHARE = 0.12
    TITLE_SHARE = 0.6
    FUNCTION_SHARE = {"ar": 0.28, "en": 0.38}
    COLLOCATION_SHARE = 0.05
    NUMBER_SHARE = 0.015

    def __init__(self, seed: int) -> None:
        self.seed = seed
        self.vocabulary = build_vocabulary()
        self.cumulative = {
            language: zipf_cumulative(len(stems)) for language, stems in self.vocabulary.items()
        }
        self.collocations = {
            "ar": [line.split() for line in words.AR_COLLOCATIONS],
            "en": [line.split() for line in words.EN_COLLOCATIONS],
        }
        self.collocation_cumulative = {
            language: zipf_cumulative(len(lines), s=0.8, q=2)
            for language, lines in self.collocations.items()
        }
        self.function_words = {"ar": words.AR_FUNCTION_WORDS, "en": words.EN_FUNCTION_WORDS}
        self.function_cumulative = {
            language: zipf_cumulative(len(lines), s=1.0, q=1)
            for language, lines in self.function_words.items()
        }

    # -- words

    def stems(self, rng: random.Random, language: str, k: int) -> list[Stem]:
        return rng.choices(self.vocabulary[language], cum_weights=self.cumulative[language], k=k)

    def _function_word(self, rng: random.Random, language: str) -> str:
        word = rng.choices(
            self.function_words[language], cum_weights=self.function_cumulative[language]
        )[0]
        if language == "ar":
            if rng.random() < 0.25:
                word = word.replace("أ", "ا").replace("إ", "ا")
            if word.endswith("ى") and rng.random() < 0.1:
                word = word[:-1] + "ي"
        return word

    def _collocation(self, rng: random.Random, language: str) -> list[str]:
        line = rng.choices(
            self.collocations[language], cum_weights=self.collocation_cumulative[language]
        )[0]
        if language == "en":
            return list(line)
        out = [_arabic_noise(word, rng) for word in line]
        if out[0].startswith("ال") and rng.random() < 0.25:
            out[0] = rng.choice(("و", "ب", "ف")) + out[0]
        return out

    def _number(self, rng: random.Random, language: str) -> str:
        number = str(rng.randint(2003, 2026) if rng.random() < 0.6 else rng.randint(1, 5000))
        if language == "ar" and rng.random() < 0.5:
            number = number.translate(AR_DIGITS)
        return number

    # -- documents

    def _sentence(self, rng: random.Random, language: str, length: int, doc: Document) -> str:
        out: list[str] = []
        other = "en" if language == "ar" else "ar"
        content = self.stems(rng, language, length)
        for stem in content:
            roll = rng.random()
            if roll < self.FUNCTION_SHARE[language]:
                out.append(self._function_word(rng, language))
                continue
            roll = rng.random()
            if roll < self.COLLOCATION_SHARE:
                out += self._collocation(rng, language)
            elif roll < self.COLLOCATION_SHARE + self.NUMBER_SHARE:
                out.append(self._number(rng, language))
            elif doc.mixed and roll > 0.93:
                if language == "ar" and rng.random() < 0.5:
                    out.append(rng.choice(words.MIXED_IN_ARABIC))
                else:
                    stem = self.stems(rng, other, 1)[0]
                    doc.stems.append(stem)
                    out.append(stem.render(rng))
            else:
                doc.stems.append(stem)
                out.append(stem.render(rng))
        if language == "en" and out:
            out[0] = out[0][:1].upper() + out[0][1:]
        stop = rng.choices(
            (".", "،" if language == "ar" else ",", "؟" if language == "ar" else "?", "!"),
            weights=(0.8, 0.1, 0.06, 0.04),
        )[0]
        return " ".join(out) + stop

    def _text(self, rng: random.Random, language: str, count: int, doc: Document) -> str:
        sentences = []
        written = 0
        while written < count:
            length = min(count - written, rng.randint(5, 18))
            sentences.append(self._sentence(rng, language, length, doc))
            written += length
        paragraphs, current = [], []
        for sentence in sentences:
            current.append(sentence)
            if rng.random() < 0.2:
                paragraphs.append(" ".join(current))
                current = []
        if current:
            paragraphs.append(" ".join(current))
        return "\n\n".join(paragraphs)

    def document(self, number: int) -> Document:
        rng = random.Random(self.seed * 1_000_003 + number)
        language = "ar" if rng.random() < self.ARABIC_SHARE else "en"
        doc = Document(number, language, "", "", mixed=rng.random() < self.MIXED_SHARE)
        length = int(rng.triangular(30, 300, 60))
        if rng.random() < self.TITLE_SHARE:
            stems = self.stems(rng, language, rng.randint(2, 7))
            doc.stems += stems
            doc.title = " ".join(stem.render(rng) for stem in stems)
            if rng.random() < 0.15:
                doc.title += " " + " ".join(self._collocation(rng, language))
        doc.body = self._text(rng, language, length, doc)
        return doc

    # -- queries

    def _query_stem(self, rng: random.Random, language: str) -> Stem:
        """Half the query words as frequent as in the documents, half anywhere in the vocabulary
        (the long tail): queries range from most of the documents to a few hundred."""
        if rng.random() < 0.5:
            return self.stems(rng, language, 1)[0]
        return rng.choice(self.vocabulary[language])

    def _some_document(self, rng: random.Random, language: str, documents: int) -> Document:
        while True:
            doc = self.document(rng.randrange(documents))
            if doc.language == language and len(doc.stems) >= 6:
                return doc

    def _window(self, rng: random.Random, doc: Document, width: int) -> str | None:
        """`width` consecutive words of the document's body, two of them at least not function
        words, within one sentence."""
        function = {word.replace("أ", "ا").replace("إ", "ا") for word in words.AR_FUNCTION_WORDS}
        function |= set(words.AR_FUNCTION_WORDS) | set(words.EN_FUNCTION_WORDS)
        sentences = [s for s in _SENTENCE_END.split(doc.body) if len(s.split()) >= width]
        for _attempt in range(50 if sentences else 0):
            tokens = rng.choice(sentences).split()
            start = rng.randrange(len(tokens) - width + 1)
            window = tokens[start : start + width]
            if sum(token.casefold() not in function for token in window) >= 2:
                return " ".join(window)
        return None

    def queries(self, kind: str, language: str, count: int, documents: int) -> list[Query]:
        rng = random.Random(f"{self.seed}-{kind}-{language}")
        out = []
        for _ in range(count):
            if kind == "one":
                text = self._query_stem(rng, language).render(rng)
            elif kind == "three":
                # Three words of one document (a searcher who has something in mind), each in
                # its own spelling, and one time in four three words drawn independently.
                if rng.random() < 0.75:
                    doc = self._some_document(rng, language, documents)
                    own = [stem for stem in doc.stems if stem.language == language]
                    stems = rng.sample(list(dict.fromkeys(own)), 3)
                else:
                    stems = [self._query_stem(rng, language) for _ in range(3)]
                text = " ".join(stem.render(rng) for stem in stems)
            else:
                # A known phrase (in a variant spelling), or 2–4 consecutive words copied from a
                # document.
                if rng.random() < 0.5:
                    text = " ".join(self._collocation(rng, language))
                else:
                    text = None
                    while text is None:
                        doc = self._some_document(rng, language, documents)
                        text = self._window(rng, doc, rng.randint(2, 4))
                text = f'"{text}"'
            out.append(Query(kind, language, text))
        return out


_SENTENCE_END = re.compile(r"[.,،؟?!]\s*")


def sample(corpus: Corpus, count: int) -> None:
    """Print a few documents and queries, and how the analysis folds the variants."""
    sys.path.insert(0, str(ROOT))
    from tadamun.search import analysis

    sizes = {language: len(stems) for language, stems in corpus.vocabulary.items()}
    print(f"vocabulary: {sizes['ar']:,} Arabic stems, {sizes['en']:,} English lemmas")
    for number in range(count):
        doc = corpus.document(number)
        print(
            f"\n--- document {number} ({doc.language}{', mixed' if doc.mixed else ''}, "
            f"{len(doc.body.split())} words)"
        )
        print(f"title: {doc.title}")
        print(doc.body[:700] + ("…" if len(doc.body) > 700 else ""))
    print()
    for kind in ("one", "three", "phrase"):
        for language in ("ar", "en"):
            shown = corpus.queries(kind, language, 6, 1000)
            print(f"{kind:>6} {language}: " + " | ".join(query.text for query in shown))
    # Do the variants of a stem fold to the term of its plain form?
    rng = random.Random(7)
    agree = total = 0
    examples: list[str] = []
    for stem in corpus.vocabulary["ar"][:400]:
        if stem.cls == "name":
            continue
        plain = analysis.term(stem.base)
        for _ in range(20):
            surface = stem.render(rng)
            total += 1
            if analysis.term(surface) == plain:
                agree += 1
            elif len(examples) < 12:
                examples.append(f"{surface}→{analysis.term(surface)} ≠ {stem.base}→{plain}")
    print(f"\nArabic variants folded to the term of their plain form: {agree / total:.1%}")
    print("  e.g. " + "; ".join(examples))


# =========================================================================== the benchmark

CHUNK = 2_000
QUERY_KINDS = ("one", "three", "phrase")
QUERY_LABELS = {"one": "one word", "three": "three words", "phrase": "phrase"}
LANGUAGES = ("ar", "en")
WARM_UP = 20


def parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="PostgreSQL server to create a database on")
    parser.add_argument("--documents", type=int, default=200_000)
    parser.add_argument(
        "--queries", type=int, default=200, help="queries per type, language and viewer"
    )
    parser.add_argument(
        "--index-sample",
        type=int,
        default=2_000,
        help="documents indexed one at a time through search.services.index_object",
    )
    parser.add_argument("--members", type=int, default=300)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument(
        "--sample", type=int, metavar="N", help="print N documents and some queries, then stop"
    )
    parser.add_argument(
        "--keep", action="store_true", help="keep the database afterwards (for profiling)"
    )
    parser.add_argument(
        "--reuse",
        metavar="KEPT",
        help="measure the queries only, on a database kept by --keep: its VAR_DIR (SQLite) or "
        "its database name (with --database-url); same --documents and --seed",
    )
    return parser.parse_args()


def progress(message: str) -> None:
    print(f"  {message}", flush=True)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


def setup_django(args) -> tuple[str, str | None]:
    """A temp VAR_DIR (the SQLite file goes there) or a throw-away PostgreSQL database, the
    production settings (DEBUG=0: no query log), then django.setup()."""
    reuse = args.reuse if args.reuse and not args.database_url else None
    var_dir = reuse or tempfile.mkdtemp(prefix="tadamun-bench-search-", dir="/tmp")
    os.environ.update(
        DJANGO_SETTINGS_MODULE="tadamun.settings",
        VAR_DIR=var_dir,
        LOG_LEVEL="WARNING",
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(40),
        MFA_ENCRYPTION_KEY=secrets.token_urlsafe(40),
    )
    os.environ.pop("DATABASE_URL", None)
    pg_database = None
    if args.database_url and args.reuse:
        os.environ["DATABASE_URL"] = args.database_url.rsplit("/", 1)[0] + f"/{args.reuse}"
    elif args.database_url:
        import psycopg

        pg_database = f"tadamun_bench_search_{os.getpid()}_{secrets.token_hex(3)}"
        with psycopg.connect(args.database_url, autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{pg_database}"')
        os.environ["DATABASE_URL"] = args.database_url.rsplit("/", 1)[0] + f"/{pg_database}"
    import django

    django.setup()
    return var_dir, pg_database


def populate_people(args, rng: random.Random):
    """Members, 12 workgroups (one in four closed), two memberships each. Returns the member
    ids, the workgroup ids and the member whose searches are measured (in a closed group)."""
    from tadamun.accounts.models import User
    from tadamun.workgroups.models import Workgroup, WorkgroupMembership

    users = User.objects.bulk_create(
        [
            User(
                username=f"member{i:05d}",
                username_folded=f"member{i:05d}",
                email=f"member{i:05d}@example.org",
                legal_name=f"Member {i}",
                display_name=f"Member {i:05d}",
                display_name_folded=f"member {i:05d}",
                handle=f"member_{i:05d}",
                password="!bench",  # noqa: S106 (an unusable password)
                status=User.Status.MEMBER,
                preferred_language="ar" if i % 3 else "en",
            )
            for i in range(args.members)
        ]
    )
    user_ids = [user.pk for user in users]
    groups = Workgroup.objects.bulk_create(
        [
            Workgroup(
                slug=f"group-{n}",
                name_en=f"Group {n}",
                name_ar=f"مجموعة {n}",
                visibility="closed" if n % 4 == 0 else "open",
            )
            for n in range(12)
        ]
    )
    group_ids = [group.pk for group in groups]
    memberships = {}
    for user_id in user_ids:
        for group_id in rng.sample(group_ids, 2):
            memberships[(user_id, group_id)] = WorkgroupMembership(
                workgroup_id=group_id, user_id=user_id, role="member", status="active"
            )
    WorkgroupMembership.objects.bulk_create(memberships.values())
    closed = {group.pk for group in groups if group.visibility == "closed"}
    viewer_id = next(user for user, group in memberships if group in closed)
    return user_ids, group_ids, User.objects.get(pk=viewer_id)


def create_posts(args, corpus: Corpus, rng: random.Random, user_ids, group_ids) -> float:
    """The documents as social posts, bulk-created (no signal: nothing indexed yet): 30 %
    public, 50 % for members, 20 % for a workgroup; one in 500 hidden by moderators."""
    from datetime import UTC, datetime, timedelta

    from django.db import transaction

    from tadamun.social.models import Post

    now = datetime.now(UTC)
    span = timedelta(days=730).total_seconds()
    started = time.perf_counter()
    batch: list = []
    step = max(CHUNK, args.documents // 10 // CHUNK * CHUNK)
    with transaction.atomic():
        for number in range(args.documents):
            doc = corpus.document(number)
            roll = rng.random()
            audience, group = Post.Audience.MEMBERS, None
            if roll < 0.3:
                audience = Post.Audience.PUBLIC
            elif roll >= 0.8:
                audience, group = Post.Audience.WORKGROUP, rng.choice(group_ids)
            when = now - timedelta(seconds=span * (1 - number / args.documents))
            batch.append(
                Post(
                    author_id=rng.choice(user_ids),
                    audience=audience,
                    audience_workgroup_id=group,
                    title=doc.title,
                    body=doc.body,
                    language=doc.language,
                    published=True,
                    published_at=when,
                    created=when,
                    is_hidden=number % 500 == 499,
                )
            )
            if len(batch) == CHUNK or number == args.documents - 1:
                Post.objects.bulk_create(batch)
                batch = []
                if (number + 1) % step == 0:
                    progress(f"{number + 1:,} posts generated and stored …")
    return time.perf_counter() - started


def document_of(post):
    """What search.hooks.social_post gives for a post without translations (there are none
    here), without its one query per post for them. Checked against the hook on the sample."""
    from tadamun.core.markdown import plain_text
    from tadamun.search.documents import SearchDocument

    return SearchDocument(
        title=post.title,
        body=plain_text(post.body),
        language=post.language,
        titles={post.language: post.title} if post.title and post.language else {},
        date=post.published_at or post.created,
        workgroup=post.audience_workgroup_id,
    )


def index_one_by_one(count: int) -> tuple[int, float]:
    """The first `count` posts through services.index_object (one transaction each, as when
    items are saved or `manage.py search_reindex` runs)."""
    from tadamun.core import content
    from tadamun.search import services
    from tadamun.social.models import Post

    posts = list(Post.objects.order_by("pk")[:count])
    kind = content.kind_of(Post)
    for post in posts[:50]:
        ours = services.entry_fields(kind, document_of(post)).values
        hooks = services.entry_fields(kind, kind.search(post)).values
        assert ours == hooks, (post.pk, ours, hooks)
    started = time.perf_counter()
    for post in posts:
        services.index_object(post)
    return len(posts), time.perf_counter() - started


def index_in_bulk(after_pk: int, total: int) -> dict:
    """Every post after `after_pk`: read by chunks, analysed as services.index_object does
    (search.services.entry_fields), inserted with bulk_create — the engine's structures follow
    (triggers: FTS5 on SQLite, the tsvector table and its GIN index on PostgreSQL)."""
    from django.contrib.contenttypes.models import ContentType
    from django.db import transaction

    from tadamun.core import content
    from tadamun.search import services
    from tadamun.search.models import SearchEntry
    from tadamun.social.models import Post

    kind = content.kind_of(Post)
    content_type = ContentType.objects.get_for_model(Post)
    times = {"read": 0.0, "analyse": 0.0, "write": 0.0}
    done = 0
    step = max(CHUNK, total // 10 // CHUNK * CHUNK)
    last = after_pk
    while True:
        started = time.perf_counter()
        posts = list(Post.objects.filter(pk__gt=last).order_by("pk")[:CHUNK])
        if not posts:
            break
        last = posts[-1].pk
        analysed = time.perf_counter()
        entries = [
            SearchEntry(
                content_type=content_type,
                object_id=post.pk,
                **services.entry_fields(kind, document_of(post)).values,
            )
            for post in posts
        ]
        written = time.perf_counter()
        with transaction.atomic():
            SearchEntry.objects.bulk_create(entries, batch_size=500)
        ended = time.perf_counter()
        times["read"] += analysed - started
        times["analyse"] += written - analysed
        times["write"] += ended - written
        done += len(posts)
        if done % step == 0:
            progress(f"{done:,} indexed in bulk …")
    return {"documents": done, **times}


def rebuild_seconds() -> float:
    """The full-text index rebuilt from the stored terms (SQLite: FTS5 'rebuild', as
    search_reindex does at the end; PostgreSQL: the tsvector table refilled)."""
    from django.db import connection, transaction

    from tadamun.search.engines import engine_for

    started = time.perf_counter()
    with transaction.atomic():
        engine_for(connection).rebuild()
    return time.perf_counter() - started


def settle() -> None:
    """Statistics for the planner and the GIN pending list flushed (autovacuum's work on a
    live site); the WAL checkpointed into the SQLite file."""
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("ANALYZE")
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        else:
            cursor.execute("VACUUM ANALYZE")


def sizes() -> list[tuple[str, int]]:
    """(what, bytes) of the search index on disk."""
    from django.db import connection

    rows: list[tuple[str, int]] = []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT sum(length(CAST(title AS BLOB)) + length(CAST(body AS BLOB))), "
            "sum(length(CAST(title_terms AS BLOB)) + length(CAST(body_terms AS BLOB))) "
            "FROM search_searchentry"
            if connection.vendor == "sqlite"
            else "SELECT sum(octet_length(title) + octet_length(body)), "
            "sum(octet_length(title_terms) + octet_length(body_terms)) FROM search_searchentry"
        )
        text_bytes, term_bytes = cursor.fetchone()
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name, sum(pgsize) FROM dbstat GROUP BY name")
            pages = dict(cursor.fetchall())
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'index' "
                "AND tbl_name = 'search_searchentry'"
            )
            indexes = [name for (name,) in cursor.fetchall()]
            fts = sum(size for name, size in pages.items() if name.startswith("search_fts"))
            rows += [
                ("FTS5 index (search_fts_*: data, idx, docsize, config)", fts),
                ("search_searchentry table", pages.get("search_searchentry", 0)),
                ("search_searchentry b-tree indexes", sum(pages.get(n, 0) for n in indexes)),
                ("social_post table (the content itself)", pages.get("social_post", 0)),
                ("whole database file", os.path.getsize(connection.settings_dict["NAME"])),
            ]
        else:
            cursor.execute(
                "SELECT pg_relation_size('search_tsv_gin'), pg_table_size('search_tsv'), "
                "pg_table_size('search_searchentry'), pg_indexes_size('search_searchentry'), "
                "pg_total_relation_size('search_searchentry') "
                "+ pg_total_relation_size('search_tsv'), "
                "pg_total_relation_size('social_post'), pg_database_size(current_database())"
            )
            gin, tsv, table, other, total, posts, database = cursor.fetchone()
            rows += [
                ("GIN index search_tsv_gin", gin),
                ("search_tsv table with TOAST (the tsvectors)", tsv),
                ("search_searchentry table with TOAST", table),
                ("search_searchentry b-tree indexes", other),
                ("search_searchentry + search_tsv total", total),
                ("social_post total (the content itself)", posts),
                ("whole database", database),
            ]
        rows.insert(0, ("entries' titles and bodies (raw bytes, for snippets)", text_bytes))
        rows.insert(1, ("entries' analysed terms (raw bytes)", term_bytes))
    return rows


@dataclass
class Timing:
    query: Query
    viewer: str
    ms: float
    results: int
    truncated: bool
    engine_ms: float = 0.0
    hits: int = 0


def hits_of(match) -> int:
    """How many entries match (not timed: the engines never count)."""
    from django.db import connection

    from tadamun.search.engines import engine_for

    engine = engine_for(connection)
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT count(*) FROM search_fts WHERE search_fts MATCH %s",
                [engine.expression(match)],
            )
        else:
            cursor.execute(
                "SELECT count(*) FROM search_tsv WHERE tsv @@ to_tsquery('simple', %s)",
                [engine.expression(match)],
            )
        return cursor.fetchone()[0]


def engine_query(text: str):
    """(match, filters) as search() builds them for `text` over every searchable kind."""
    from tadamun.search import analysis
    from tadamun.search.engines import Filters, Match

    match = Match.from_query(analysis.parse_query(text))
    return match, Filters()


def measure(viewers: dict, queries: list[Query]) -> list[Timing]:
    from django.db import connection

    from tadamun.search.engines import engine_for
    from tadamun.search.selectors import MAX_SCANNED, search

    engine = engine_for(connection)
    timings: list[Timing] = []
    for name, viewer in viewers.items():
        for query in queries[:WARM_UP]:
            search(viewer, query.text)
        for query in queries:
            started = time.perf_counter()
            results = search(viewer, query.text)
            elapsed = (time.perf_counter() - started) * 1000
            timings.append(Timing(query, name, elapsed, len(results), results.truncated))
    first = {}
    for query in queries:
        match, filters = engine_query(query.text)
        started = time.perf_counter()
        engine.candidate_ids(match, filters, limit=MAX_SCANNED)
        first[query.text] = ((time.perf_counter() - started) * 1000, hits_of(match))
    for timing in timings:
        timing.engine_ms, timing.hits = first[timing.query.text]
    return timings


def table(rows: list[list], header: list[str]) -> None:
    widths = [
        max(len(str(value)) for value in column) for column in zip(header, *rows, strict=True)
    ]
    line = "  ".join(f"{title:>{width}}" for title, width in zip(header, widths, strict=True))
    print(line)
    print("-" * len(line))
    for row in rows:
        print("  ".join(f"{value!s:>{width}}" for value, width in zip(row, widths, strict=True)))


def report(timings: list[Timing]) -> None:
    print()
    print("search.selectors.search(): 20 results a page, visibility, objects and snippets")
    rows = []
    for kind in QUERY_KINDS:
        for language in (*LANGUAGES, "all"):
            for viewer in ("anonymous", "member"):
                cell = [
                    t
                    for t in timings
                    if t.query.kind == kind
                    and t.viewer == viewer
                    and language in (t.query.language, "all")
                ]
                ms = [t.ms for t in cell]
                rows.append(
                    [
                        QUERY_LABELS[kind],
                        language,
                        viewer,
                        len(cell),
                        f"{statistics.median(ms):.1f}",
                        f"{percentile(ms, 0.99):.1f}",
                        f"{max(ms):.1f}",
                        f"{statistics.median(t.hits for t in cell):,.0f}",
                        f"{statistics.mean(t.results for t in cell):.1f}",
                    ]
                )
    table(
        rows,
        ["query", "lang", "viewer", "n", "median ms", "p99 ms", "max ms", "median hits", "results"],
    )
    print()
    print("the engine alone: the ranked candidate ids (engine.candidate_ids, up to 2,000)")
    rows = []
    for kind in QUERY_KINDS:
        for language in (*LANGUAGES, "all"):
            cell = {
                t.query.text: t
                for t in timings
                if t.query.kind == kind and language in (t.query.language, "all")
            }.values()
            ms = [t.engine_ms for t in cell]
            rows.append(
                [
                    QUERY_LABELS[kind],
                    language,
                    len(ms),
                    f"{statistics.median(ms):.1f}",
                    f"{percentile(ms, 0.99):.1f}",
                    f"{max(ms):.1f}",
                ]
            )
    table(rows, ["query", "lang", "n", "median ms", "p99 ms", "max ms"])
    print()
    print("time against the number of matching documents (search(), both viewers)")
    bands = [(0, 100), (100, 1_000), (1_000, 10_000), (10_000, 50_000), (50_000, 10**9)]
    rows = []
    for low, high in bands:
        cell = [t for t in timings if low <= t.hits < high]
        if cell:
            ms = [t.ms for t in cell]
            engine = [t.engine_ms for t in cell]
            rows.append(
                [
                    f"{low:,}–{high:,}" if high < 10**9 else f"{low:,}+",
                    len(cell),
                    f"{statistics.median(ms):.1f}",
                    f"{percentile(ms, 0.99):.1f}",
                    f"{statistics.median(engine):.1f}",
                    f"{percentile(engine, 0.99):.1f}",
                ]
            )
    table(rows, ["hits", "n", "median ms", "p99 ms", "engine median", "engine p99"])


def markdown(timings: list[Timing], vendor: str, index_lines: list[str]) -> None:
    """The figures as a Markdown table, for the README."""
    print()
    print(f"Markdown ({vendor}):")
    print()
    print(
        "| query (Arabic + English) | anonymous median | anonymous p99 | member median "
        "| member p99 | engine alone median | engine alone p99 |"
    )
    print("|---|--:|--:|--:|--:|--:|--:|")
    for kind in QUERY_KINDS:
        cells = []
        for viewer in ("anonymous", "member"):
            ms = [t.ms for t in timings if t.query.kind == kind and t.viewer == viewer]
            cells += [f"{statistics.median(ms):.0f} ms", f"{percentile(ms, 0.99):.0f} ms"]
        engine = [
            t.engine_ms for t in {t.query.text: t for t in timings if t.query.kind == kind}.values()
        ]
        cells += [f"{statistics.median(engine):.0f} ms", f"{percentile(engine, 0.99):.0f} ms"]
        print(f"| {QUERY_LABELS[kind]} | " + " | ".join(cells) + " |")
    print()
    for line in index_lines:
        print(f"- {line}")


def profile_slowest(timings: list[Timing], count: int = 3) -> None:
    """The slowest searches again, with the time of each SQL query, and the engine's plan."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tadamun.search.engines import RANK_WINDOW, engine_for
    from tadamun.search.selectors import MAX_SCANNED, search

    print()
    print("slowest searches:")
    slowest = sorted(timings, key=lambda t: t.ms, reverse=True)
    seen = set()
    for timing in slowest:
        if timing.query.text in seen or len(seen) >= count:
            continue
        seen.add(timing.query.text)
        viewer = VIEWERS[timing.viewer]
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            search(viewer, timing.query.text)
            total = (time.perf_counter() - started) * 1000
        sql_ms = sum(float(q["time"]) for q in captured.captured_queries) * 1000
        print(
            f"  {timing.query.text} ({QUERY_LABELS[timing.query.kind]}, {timing.viewer}): "
            f"{timing.ms:.0f} ms, again {total:.0f} ms: {len(captured)} SQL queries "
            f"{sql_ms:.0f} ms, Python {total - sql_ms:.0f} ms; {timing.hits:,} hits"
        )
        for q in captured.captured_queries:
            sql = " ".join(q["sql"].split())
            print(f"      {float(q['time']) * 1000:7.1f} ms  {sql[:150]}")
    worst = slowest[0]
    match, filters = engine_query(worst.query.text)
    engine = engine_for(connection)
    where, params = filters.sql(connection, "e")
    sql, first = engine.select_sql(match, where)
    arguments = [*first, *params, RANK_WINDOW, *engine.order_params(match), MAX_SCANNED]
    print()
    print(f"plan of the engine query for {worst.query.text}:")
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("EXPLAIN QUERY PLAN " + sql, arguments)
            plan = "\n".join(str(row[-1]) for row in cursor.fetchall())
        else:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, arguments)
            plan = "\n".join(row[0] for row in cursor.fetchall())
    print("  " + plan.replace("\n", "\n  "))


VIEWERS: dict = {}


def build(args, corpus: Corpus) -> tuple[list[str], object]:
    """A fresh database: people, posts, the index one by one and in bulk. Returns the indexing
    figures (lines for the README) and the member whose searches are measured."""
    from django.core.management import call_command

    from tadamun.search.models import SearchEntry
    from tadamun.social.models import Post

    print("migrating a fresh database …", flush=True)
    call_command("migrate", verbosity=0, interactive=False)
    rng = random.Random(args.seed)
    user_ids, group_ids, member = populate_people(args, rng)
    posts_seconds = create_posts(args, corpus, rng, user_ids, group_ids)
    progress(f"{args.documents:,} posts generated and stored in {posts_seconds:.0f} s")

    sample_count = min(args.index_sample, args.documents)
    done, seconds = index_one_by_one(sample_count)
    one_by_one = done / seconds if seconds else 0
    progress(
        f"services.index_object: {done:,} posts in {seconds:.1f} s ({one_by_one:,.0f} documents/s)"
    )
    after = Post.objects.order_by("pk").values_list("pk", flat=True)[sample_count - 1]
    bulk = index_in_bulk(after, args.documents - sample_count)
    bulk_seconds = bulk["read"] + bulk["analyse"] + bulk["write"]
    progress(
        f"bulk: {bulk['documents']:,} posts in {bulk_seconds:.0f} s "
        f"({bulk['documents'] / bulk_seconds:,.0f} documents/s: read {bulk['read']:.0f} s, "
        f"analysis {bulk['analyse']:.0f} s, insert and full-text index "
        f"{bulk['write']:.0f} s)"
    )
    entries = SearchEntry.objects.count()
    assert entries == args.documents, (entries, args.documents)
    settle()
    rebuild = rebuild_seconds()
    progress(f"full-text index rebuilt from the stored terms in {rebuild:.1f} s")
    settle()
    return [
        f"indexing: `services.index_object` {one_by_one:,.0f} documents/s; bulk "
        f"{bulk['documents'] / bulk_seconds:,.0f} documents/s; full-text index rebuilt "
        f"from the stored terms at {entries / rebuild:,.0f} documents/s",
    ], member


def reused(args) -> list[str]:
    """A database kept by an earlier --keep run: migrated to this code, checked, statistics
    refreshed. (Its index was built with the analysis of its day: run search_reindex after an
    analysis change, or build afresh.)"""
    from django.core.management import call_command

    from tadamun.search.models import SearchEntry

    call_command("migrate", verbosity=0, interactive=False)
    entries = SearchEntry.objects.count()
    assert entries == args.documents, (entries, args.documents, "same --documents as the kept run")
    print(f"reusing the kept database ({entries:,} entries): queries only", flush=True)
    settle()
    return []


def measured_member():
    """The member whose searches are measured: the first one in a closed workgroup (as
    populate_people chose)."""
    from tadamun.accounts.models import User

    return (
        User.objects.filter(
            workgroup_memberships__workgroup__visibility="closed", username__startswith="member"
        )
        .order_by("pk")
        .first()
    )


def total_entries() -> int:
    from tadamun.search.models import SearchEntry

    return SearchEntry.objects.count()


def main() -> None:
    args = parse()
    corpus = Corpus(args.seed)
    if args.sample:
        sample(corpus, args.sample)
        return
    var_dir, pg_database = setup_django(args)
    from django.contrib.auth.models import AnonymousUser
    from django.db import connection, connections

    try:
        vendor = connection.vendor
        print(f"bench/search.py on {vendor} ({connection.settings_dict['NAME']})", flush=True)
        sizes_of_vocabulary = {language: len(s) for language, s in corpus.vocabulary.items()}
        print(
            f"{args.documents:,} documents; vocabulary {sizes_of_vocabulary['ar']:,} Arabic "
            f"stems, {sizes_of_vocabulary['en']:,} English lemmas; seed {args.seed}",
            flush=True,
        )
        if args.reuse:
            index_lines = reused(args)
            member = measured_member()
        else:
            index_lines, member = build(args, corpus)
        VIEWERS.update(anonymous=AnonymousUser(), member=member)
        queries = [
            query
            for kind in QUERY_KINDS
            for language in LANGUAGES
            for query in corpus.queries(kind, language, args.queries, args.documents)
        ]
        print()
        print(f"{len(queries):,} queries × {len(VIEWERS)} viewers …", flush=True)
        timings = measure(VIEWERS, queries)
        report(timings)
        profile_slowest(timings)
        measured = sizes()
        label, full_text = next(row for row in measured if row[0].startswith(("FTS5", "GIN")))
        total = measured[-1][1]
        index_lines.append(
            f"index size for {total_entries():,} documents: {label} "
            f"{full_text / 2**20:,.0f} MiB; whole database {total / 2**20:,.0f} MiB"
        )
        markdown(timings, vendor, index_lines)
        if args.keep or args.reuse:
            print(f"kept: {connection.settings_dict['NAME']} (VAR_DIR {var_dir})")
    finally:
        connections.close_all()
        if not (args.keep or args.reuse):
            shutil.rmtree(var_dir, ignore_errors=True)
            if pg_database:
                import psycopg

                with psycopg.connect(args.database_url, autocommit=True) as admin:
                    admin.execute(f'DROP DATABASE IF EXISTS "{pg_database}" WITH (FORCE)')


if __name__ == "__main__":
    main()
