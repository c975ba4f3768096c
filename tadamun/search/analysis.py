"""Text analysis for search — the same at indexing and at query time, so that what a reader
types finds what was written, whatever its spelling.

Every word goes through `term()`; `index_terms()` gives the terms of a text in order (what the
search backends store), `parse_query()` the terms and quoted phrases of a query, and
`highlight_spans()` the places in an original text whose words match a query (for snippets).
Nothing here touches the database: the backends only ever see terms. `term()` is cached.

Words
    A word is a run of letters of any script — Arabic diacritics, tatweel and invisible format
    characters (ZWNJ, LRM/RLM/ALM, bidi controls, soft hyphen) inside it do not split it — or a
    run of digits of any script: "٢٠٢٤م" is two words, 2024 and م. Digits become ASCII
    (١٥٠ = ۱۵۰ = 150). Other single characters are dropped.

Arabic (and Arabic-script Kurdish), in this order
    1. NFKC (presentation forms and the لا ligature copied from PDFs become plain letters); an
       accusative tanween alef is dropped (بياناً → بيان, so that it is not read as بيا + نا);
       diacritics (tashkeel, superscript alef, Quranic marks), tatweel and format characters
       removed.
    2. Hamza: a seat that only changes with grammatical case before a pronoun is unified
       (أعضاؤها = أعضائها = أعضاءها), and so is one before a nisba ي (قضائية → قضاءية, as
       قضاء) or between ي and ة/ت/ي (هيأة = هيئة → هيءة, بيئي = بيئة: not هييه, whose يه would
       be taken for suffixes); ئ/ء before و is written ؤ (مسئول = مسؤول), but ئ before a plural
       ون (شؤون = شئون, لاجئون like لاجئين); final يء/ىء is ئ (الموانىء = الموانئ); then
       ؤ → و, ئ → ي and the alef forms أ إ آ ٱ → ا; Kurdish Sorani and Persian letters → their
       Arabic counterparts (ی ێ → ي, ک گ → ك, ە ھ → ه, ۆ → و, ڵ → ل, ڕ → ر, ڤ → ف, پ → ب,
       چ → ج, ژ → ز), so that Kurdish text is tokenised and folded the same way and a Kurdish
       stemmer can be added. A lone ء stays: بناء is not بنا (and so the informal اعضا is not
       أعضاء).
    3. Stop words are looked up now, before ى is folded, so that على (on) is a stop word and
       علي (the name) is not; a stop word behind و or ف (وفي، فإن) is one too.
    4. ى → ي, ة → ه.
    5. The light stemmer below, then a few spelling variants (كوردستان = كردستان,
       امرأة = المرأة).

English (any Latin word)
    Case-folded; acronym plurals lose their s (NGOs = NGO); British spellings brought to one
    form (-isation/-ise/-yse, -our, centre, programme, defence…); stop words dropped; Snowball
    (Porter 2) stemmed. Words of other scripts are only case-folded.

The light stemmer: Larkey's Light10, made consistent
    What matters for recall is that a word and the same word with a prefix or a suffix get the
    same term, whatever else is wrong with the stem (stems are never shown). So:
    - the article family (ال وال بال كال فال لل وبال وكال فبال فكال ولل فلل) is removed while 2
      letters remain, repeatedly (التزام and الالتزام both lose ال). لل is ل + ال, and before
      a word that starts with ل the article's lam is not written (للجنة is ل + اللجنة), so لل
      leaves a ل for the next steps;
    - suffixes: at most one pronoun (هما كما هم هن كم كن ها نا; كم and كن only after 4
      letters; not نا after ا or و: بيانا is بياناً), after which a ت that is not the ت of ات
      is a ta marbuta (منظمتها = منظمته = منظمة); the alef of an accusative tanween written
      without its mark (تقريرا = تقرير); then, repeatedly, a feminine dual تين/تان → ة and
      ات ون ين ه ي while 3 letters remain (العراقيين → عراق; القانونية = القانون;
      سوريا = السورية) — but a ي (or a last alef: مساواة = مساواتها) only while 4 remain when
      the word starts with a proclitic letter, so that بحرية, وحرية and حرية meet at حري
      (proclitics go in the next step). ان is left alone: it ends far more words (إنسان،
      برلمان، بيان، لبنان) than duals;
    - the proclitics و ف ب ك ل are then removed one after the other while 3 letters remain — also
      behind an article, so that a word that really begins with one of these letters loses it
      in every form and still meets itself (بطالة = البطالة = وبطالة). Common words for which
      that would make a false match or an unreadable stem (وزارة/زار، كامل/أمل، فريق/ريق،
      كتاب/تاب، لجنة/جنة، آلية/آية…) are protected, and a few 2–3-letter words (حق، سنة، لغة)
      lose a proclitic or a pronoun whatever is left (بحق، لسنة، حقهم).
    Not handled, on purpose: broken plurals (قانون/قوانين، حق/حقوق) stay different terms, verbs
    are not conjugated back, and true ambiguities are merged (بحرية "with freedom" / "naval").

Why not Snowball's Arabic stemmer
    It was measured against this one (tests/relevance/README.md, "How the stemmer was chosen").
    Over 33,600 noun lemmas of the hunspell-ar dictionary, each with ~17 prefixed and suffixed
    forms, this stemmer gives 97% of the forms the term of their lemma, Snowball 61–67% (the
    first version of this module 80%). Snowball is not consistent on our own words: القانون →
    قان but قانون → قانون, والمنظمات → والمنظما but المنظمات → منظم, and it cuts بيان → يان,
    فلسطين → لسط. On the relevance set it loses 51 of the 259 Arabic queries (the first version
    32, this one none — the set was written alongside this stemmer, so that last figure is
    optimistic).

Phrases
    Quoted parts of a query ("…", «…», “…”) are phrases: their terms must follow one another.
    Stop words are not indexed, so "الحق في التنظيم" also matches "حق التنظيم", but never the
    same words apart. A quoted single word is an ordinary term. Only the first 500 characters
    of a query are read, and at most 32 distinct terms kept.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

import snowballstemmer

__all__ = [
    "ParsedQuery",
    "fold_arabic",
    "highlight_spans",
    "index_terms",
    "index_text",
    "parse_query",
    "term",
]

# Arabic diacritics (harakat, tanween, shadda, sukun, superscript alef, Quranic marks),
# tatweel, and invisible format characters (ZWNJ/ZWJ, LRM/RLM/ALM, bidi embeddings, overrides
# and isolates, soft hyphen, word joiner, BOM).
_MARKS = "\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06dc\u06df-\u06e8\u06ea-\u06ed\u0640"
_INVISIBLE = "\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff"
IGNORED = re.compile(f"[{_MARKS}{_INVISIBLE}]")
# A word: a run of digits, or a letter followed by letters, marks and invisible characters.
WORD = re.compile(rf"\d+|[^\W\d_](?:[^\W\d_]|[{_MARKS}{_INVISIBLE}])*")

ACRONYM_PLURAL = re.compile("[A-Z]{2,}s")
MAX_QUERY_LENGTH = 500  # characters of a query that are looked at
MAX_QUERY_TERMS = 32
MAX_WORD_LENGTH = 64  # longer "words" are cut: nobody searches for them whole

_DIGITS = {ord(d): str(i) for i, d in enumerate("٠١٢٣٤٥٦٧٨٩")} | {
    ord(d): str(i) for i, d in enumerate("۰۱۲۳۴۵۶۷۸۹")
}
# Step 2–4 of the module docstring. ى and ة are folded after the stop-word look-up.
_LETTERS = str.maketrans(
    {
        "أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ٲ": "ا", "ٳ": "ا",
        "ؤ": "و", "ئ": "ي",
        # Kurdish (Sorani) and Persian letters
        "ی": "ي", "ێ": "ي", "ې": "ي", "ۍ": "ي",
        "ک": "ك", "ڪ": "ك", "گ": "ك",
        "ە": "ه", "ھ": "ه", "ہ": "ه", "ۀ": "ه",
        "ۆ": "و", "ۇ": "و", "ۋ": "و",
        "ڵ": "ل", "ڕ": "ر", "ڤ": "ف", "پ": "ب", "چ": "ج", "ژ": "ز",
    }
    | _DIGITS
)  # fmt: skip
_FINAL = str.maketrans({"ى": "ي", "ة": "ه"})
_PRONOUN_AFTER = "(?:هما|كما|هم|هن|كم|كن|ها|نا|ه|ك|ي)$"
_PLURAL_ON = "ون(?:هما|كما|هم|هن|كم|كن|ها|نا|ه|ك|ي)?$"
_HAMZA_RULES = (
    (re.compile(f"(?<=ا)[ؤئ](?={_PRONOUN_AFTER})"), "ء"),  # أعضاؤها، أعضائها → أعضاءها
    (re.compile("(?<=ا)[ؤئ](?=ي)"), "ء"),  # قضائية، نهائي → قضاءية، نهاءي (as قضاء، نهاء)
    (re.compile("(?<=ي)[أئ](?=ة|ه|ات|ت|ي)"), "ء"),  # هيأة، هيئة → هيءة (not هييه: it loses يه)
    # Before a plural ون the seat is ئ (شؤون = شئون; لاجئون like لاجئ, لاجئين)…
    (re.compile(f"[ؤئء](?={_PLURAL_ON})"), "ئ"),
    # …elsewhere before و it is ؤ (مسئول → مسؤول)
    (re.compile(f"[ئء](?=و(?!{_PLURAL_ON[1:]}))"), "ؤ"),
    (re.compile("[يى]ء$"), "ئ"),  # الموانيء، الموانىء → الموانئ; شيء → شئ
)

# Folded like the words they are compared with (step 3): ى is kept.
_ARABIC_STOP_WORDS_TEXT = """
    في من الى على عن مع حتى منذ لدى سوى عدا خلال ضد نحو عند عندما لدي حيث حين بين هذا هذه هذان
    هاتان هؤلاء ذلك تلك ذلكم اولئك هناك هنا هنالك الذي التي الذين اللذان اللتان اللواتي اللاتي
    اللذين اللتين ما ماذا متى اين كيف كم لماذا هل اي ايه من ان انه انها انهم انما لان لانه كان
    كانت كانوا يكون تكون يكن اصبح اصبحت صار ليس ليست لست ليسوا قد لقد لا لم لن لما لو لولا الا
    اما او ام ثم بل لكن لكنه غير سوف كل بعض جميع كلا كلتا ايضا كما مثل كذلك فقط جدا اذا اذ اذن
    ذا ذي ذو ذات هو هي هم هن هما انا نحن انت انتم انتن انتما اياه اياها اياهم فيه فيها فيهم
    فيما منه منها منهم عنه عنها عليه عليها عليهم اليه اليها اليهم له لها لهم لنا لي لك به بها
    بهم بنا بي معه معها معهم ضمن لدينا لديه لديها يا وا الذى التى والتي والذي وهو وهي وقد قبل
    بعد فوق تحت امام خلف دون اثناء عبر حول لذا لذلك ولكن بان لكي كي تم بينما ربما كلما حينما
    طالما مهما
"""
_ENGLISH_STOP_WORDS_TEXT = """
    a an the and or but nor of to in on at by for with from as into onto about over after
    before under up down out off if then than so such too very just also only is are was were
    be been being am it its itself this that these those there here where when which who whom
    whose what why how we our ours you your yours they them their theirs he him his she her
    hers i me my mine not no do does did doing done have has had having will would shall
    should can could must might all any both each few more most other some same own again
    further once while through during between against because until above below don doesn didn
    isn aren wasn weren won wouldn shouldn couldn haven hasn hadn ll ve re
"""
ENGLISH_STOP_WORDS = frozenset(_ENGLISH_STOP_WORDS_TEXT.split())

_ARTICLES = (
    "وبال", "وكال", "فبال", "فكال", "ولل", "فلل", "وال", "فال", "بال", "كال", "لل", "ال",
)  # fmt: skip
_PRONOUNS = ("هما", "كما", "هم", "هن", "كم", "كن", "ها", "نا")
_PRONOUN_MIN_STEM = {"كم": 4, "كن": 4, "كما": 4}
_ENDINGS = ("ات", "ون", "ين", "ه", "ي")
_LOOP_ENDINGS = (*_ENDINGS, "تان")
# Common words of 2–3 letters: a proclitic before them is removed whatever is left (لسنة,
# بحق), and a pronoun after them too (حقهم).
_SHORT_WORDS_TEXT = "حق سنه جهه صفه ثقه قوه لغه فئه مئه عده دم اب ام اخ يد فن شان"
_SHORT_WORDS = frozenset(_SHORT_WORDS_TEXT.split())
_PROCLITICS = frozenset("وفبكل")

# Words that really start with و ف ب ك ل (or with ال: آلية، ألف) and whose stripped form would
# meet another common word or lose too much. Written as in a text; their stems are protected.
_PROTECTED_WORDS = """
    وزارة وزير وزراء وطن وطنية وثيقة وثائق وضع وقف وحدة وحدات ولاية وكالة وكيل واقع وقائع
    وسيلة وسائل وعي وظيفة وظائف وصول وجود وفد وفود وقت ورشة وسط وصف وفق وفاة ولادة وعد
    وجهة ورقة واجب واجبات واضح واسع والي والد والدة وارد موارد وزن وحيد وقود وئام ودائع
    فساد فريق فرصة فكرة فقر فئة فرع فروع فعالية فاعلية فصل فترة فتاة فتيات فلاح فلاحين فنان
    فيضان فندق فاعل فيدرالية فدرالية فقرة فقه فقير فقراء فائدة فضاء فوز فرض فحص فتح فلسطين
    فيسبوك فعاليات
    بيان بيانات بلد بلدان بلاد بلدية بناء بنية برنامج برامج برلمان بحث بحوث بصرة بغداد بابل
    بيئة بيت بطالة بنك بريد بعثة بديل بدائل بند بنود بطاقة بشر بشرية باحث باحثة بطل براءة
    بروتوكول بيروت
    كتاب كتابة كاتب كلمة كلية كردستان كوردستان كرد كورد كركوك كرامة كفاءة كهرباء كتلة كنيسة
    كادر كوادر كلفة كوتا كبير كبار كامل كمال كافة كيان كفاح كثير كثيرة كارثة كوارث كويت
    لجنة لجان لغة لغات لبنان ليبيا لقاء لوائح لائحة لاجئ لاجئين لواء لون ليل لحظة لقب
    آلية آليات آلي آلة آلات ألف آلاف ألم آلام إله
"""
# Spellings of one word that the rules above cannot bring together (computed as stems below).
_VARIANTS = {"كوردستان": "كردستان", "كورد": "كرد", "امرأة": "مرأة"}

_english = snowballstemmer.stemmer("english")
_BRITISH = (
    (re.compile(r"(?<=\w{3})is(ation|ations|e|es|ed|ing|er|ers)$"), r"iz\1"),
    (re.compile(r"(?<=\w{3})ys(e|es|ed|ing)$"), r"yz\1"),
    (re.compile(r"(?<=\w{3})our(s|ed|ing|able|ite|ites)?$"), r"or\1"),
)
_ENGLISH_VARIANTS = {
    "centre": "center", "centres": "centers", "programme": "program",
    "programmes": "programs", "defence": "defense", "licence": "license",
    "judgement": "judgment", "offence": "offense", "offences": "offenses",
}  # fmt: skip


def _fold_letters(word: str) -> str:
    """Steps 2 and 4 without ى/ة (the stop-word look-up comes between them)."""
    for pattern, replacement in _HAMZA_RULES:
        if pattern.search(word):
            word = pattern.sub(replacement, word)
    return word.translate(_LETTERS)


ARABIC_STOP_WORDS = frozenset(_fold_letters(w) for w in _ARABIC_STOP_WORDS_TEXT.split())


def fold_arabic(text: str) -> str:
    """Letters, hamza seats, diacritics, tatweel, format characters and digits folded, Kurdish
    letters mapped — no stemming, no stop words. Word boundaries are kept."""
    text = IGNORED.sub("", unicodedata.normalize("NFKC", text or ""))
    return WORD.sub(lambda m: _fold_letters(m.group()).translate(_FINAL), text)


def _is_arabic(word: str) -> bool:
    return any("\u0600" <= ch <= "\u06ff" or "\u0750" <= ch <= "\u08ff" for ch in word)


def _strip_suffixes(word: str, *, guard: bool = True) -> str:
    """The suffixes of a word (see the module docstring). With `guard`, a final ي is kept when
    removing it would leave a proclitic letter and 2 more (بحري stays بحري, so that بحرية,
    وحرية and حرية all meet at حري) — unless the word is protected (كردي → كرد)."""
    pronoun = False
    keep_ya = guard and word[0] in _PROCLITICS and not _is_protected(word)
    for suffix in _PRONOUNS if word.endswith(_PRONOUNS) else ():
        rest = len(word) - len(suffix)
        if word.endswith(suffix) and (
            rest >= _PRONOUN_MIN_STEM.get(suffix, 3) or word[:rest] in _SHORT_WORDS
        ):
            if suffix == "نا" and word[rest - 1] in "او":
                break  # بيانا، قانونا: ن + the accusative alef, not "our"
            word, pronoun = word[:rest], True
            break
    if word.endswith("ا") and len(word) >= 4 and word not in _PROTECTED_FORMS:
        word = word[:-1]  # the alef of the accusative (tanween): بياناً، التزاماً، سنوياً
    if not pronoun and word.endswith("ته") and len(word) >= 5:
        word, pronoun = word[:-1], True  # منظمته: the ه is "his"
    if pronoun and word.endswith("ت") and not word.endswith("ات") and len(word) >= 4:
        word = word[:-1] + "ه"  # a ta marbuta before a pronoun: منظمتها → منظمه
    while word.endswith(_LOOP_ENDINGS):
        if word.endswith(("تين", "تان")) and len(word) >= 5:
            word = word[:-3] + "ه"  # a feminine dual: منظمتان، لغتين → منظمه، لغه
            continue
        for suffix in _ENDINGS:
            if suffix == "ي" and keep_ya and len(word) - 1 < 4:
                continue
            if word.endswith(suffix) and len(word) - len(suffix) >= 3:
                word = word[: -len(suffix)]
                break
        else:
            break
    if word.endswith("ا") and len(word) >= 4 + keep_ya and word not in _PROTECTED_FORMS:
        word = word[:-1]  # مساواة → مساوا → مساو, as مساواتها → مساوات → مساو
    return word


_PROTECTED_FORMS = frozenset(_fold_letters(w).translate(_FINAL) for w in _PROTECTED_WORDS.split())
_PROTECTED = frozenset(
    _strip_suffixes(_fold_letters(w).translate(_FINAL), guard=False)
    for w in _PROTECTED_WORDS.split()
)
_STEM_VARIANTS: dict[str, str] = {}


def _is_protected(word: str) -> bool:
    return _strip_suffixes(word, guard=False) in _PROTECTED


def _strip_articles(word: str) -> tuple[str, bool]:
    """Remove the article family, repeatedly; True if a لل was met (see `_stem`)."""
    while word[0] in _PROCLITICS or word.startswith("ال"):
        if _is_protected(word):
            break
        if word[0] in _PROCLITICS and _is_protected(word[1:]):
            return word[1:], False  # بآليات is ب + آليات, not بال + يات
        for prefix in _ARTICLES:
            if word.startswith(prefix) and len(word) - len(prefix) >= 2:
                break
        else:
            break
        if prefix.endswith("لل"):
            return "ل" + word[len(prefix) :], True
        word = word[len(prefix) :]
    return word, False


def _stem(word: str) -> str:
    """Light stemmer for a folded Arabic word (see the module docstring)."""
    word, lam = _strip_articles(word)
    if word[0] in _PROCLITICS and word[1:] in _SHORT_WORDS:
        return word[1:]
    if word[:2] in ("وب", "ول", "وك", "فب", "فل") and word[2:] in _SHORT_WORDS:
        return word[2:]
    word = _strip_suffixes(word)
    minimum = 2 if lam else 3  # لل + a word of 2 letters: للحق
    while word[0] in _PROCLITICS and len(word) - 1 >= minimum and word not in _PROTECTED:
        word, minimum = word[1:], 3
        if word.startswith("ال"):  # لإلغاء، بالتزام without its article…
            word = _strip_articles(word)[0]
    return _STEM_VARIANTS.get(word, word)


_STEM_VARIANTS.update(
    (_stem(_fold_letters(a).translate(_FINAL)), _stem(_fold_letters(b).translate(_FINAL)))
    for a, b in _VARIANTS.items()
)


def _arabic_term(word: str) -> str | None:
    word = _fold_letters(word)
    if word in ARABIC_STOP_WORDS:
        return None
    if word[0] in "وف" and word[1:] in ARABIC_STOP_WORDS:
        return None
    word = word.translate(_FINAL)
    return _stem(word) if len(word) > 1 else None


def _english_term(word: str) -> str | None:
    if word in ENGLISH_STOP_WORDS:
        return None
    word = _ENGLISH_VARIANTS.get(word, word)
    for pattern, replacement in _BRITISH:
        word = pattern.sub(replacement, word)
    return _english.stemWord(word)


@lru_cache(maxsize=262_144)
def term(word: str) -> str | None:
    """The index term of one word, or None (stop word, single letter, nothing left)."""
    word = unicodedata.normalize("NFKC", (word or "")[: MAX_WORD_LENGTH * 2])
    tanween = word.endswith(("اً", "ًا"))  # بياناً is بيان, not بيا + نا
    word = IGNORED.sub("", word)[:MAX_WORD_LENGTH]
    if word.isdigit():
        return word.translate(_DIGITS)
    if len(word) < 2:
        return None
    if _is_arabic(word):
        return _arabic_term(word[:-1] if tanween and len(word) > 2 else word)
    if ACRONYM_PLURAL.fullmatch(word):
        word = word[:-1]  # NGOs, CSOs, IDPs
    word = word.casefold()
    if word.isascii() or any("a" <= ch <= "z" for ch in unicodedata.normalize("NFKD", word)):
        return _english_term(word)  # English, or Latin with accents: café, naïve
    return word


def index_terms(text: str) -> list[str]:
    """The terms of `text`, in order (stop words and single letters left out)."""
    return [t for t in map(term, WORD.findall(text or "")) if t]


def index_text(text: str) -> str:
    """`index_terms` joined by spaces: what a full-text backend indexes."""
    return " ".join(index_terms(text))


@dataclass
class ParsedQuery:
    raw: str
    terms: list[str] = field(default_factory=list)  # every distinct term, phrases' included
    phrases: list[list[str]] = field(default_factory=list)  # quoted, in order, 2+ terms each

    @property
    def loose_terms(self) -> list[str]:
        """Terms that are not part of any phrase."""
        in_phrases = {t for phrase in self.phrases for t in phrase}
        return [t for t in self.terms if t not in in_phrases]

    def __bool__(self) -> bool:
        return bool(self.terms)


QUOTED = re.compile(r'"([^"]+)"|«([^»]+)»|“([^”]+)”|„([^“”]+)[“”]')


def parse_query(raw: str) -> ParsedQuery:
    """Terms and quoted phrases of a query. A quoted single word is an ordinary term."""
    raw = (raw or "")[:MAX_QUERY_LENGTH]
    query = ParsedQuery(raw=raw)
    seen: dict[str, None] = {}
    for match in QUOTED.finditer(raw):
        phrase = index_terms(next(group for group in match.groups() if group))
        if len(phrase) > 1:
            query.phrases.append(phrase)
        for t in phrase:
            seen.setdefault(t, None)
    for t in index_terms(QUOTED.sub(" ", raw)):
        seen.setdefault(t, None)
    query.terms = list(seen)[:MAX_QUERY_TERMS]
    kept = set(query.terms)
    query.phrases = [p for p in query.phrases if kept.issuperset(p)]
    return query


def highlight_spans(text: str, query: ParsedQuery) -> list[tuple[int, int]]:
    """(start, end) in `text` of the words whose term is one of the query's terms."""
    wanted = set(query.terms)
    if not wanted:
        return []
    return [m.span() for m in WORD.finditer(text or "") if term(m.group()) in wanted]
