"""Unit tests of tadamun.search.analysis: one small test per normalisation rule, the stemmer's
known pitfalls, phrases, mixed queries, highlighting and hostile input."""

import pytest

from tadamun.search.analysis import (
    MAX_QUERY_LENGTH,
    MAX_QUERY_TERMS,
    ParsedQuery,
    fold_arabic,
    highlight_spans,
    index_terms,
    index_text,
    parse_query,
    term,
)


def same_term(*words: str) -> None:
    terms = {word: term(word) for word in words}
    assert len(set(terms.values())) == 1, terms
    assert None not in terms.values(), terms


# --- folding ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "folded"),
    [
        ("أحزاب", "احزاب"),
        ("إضراب", "اضراب"),
        ("آلاف", "الاف"),
        ("ٱلسلام", "السلام"),
        ("مستشفى", "مستشفي"),
        ("منظمة", "منظمه"),
        ("مؤتمر", "موتمر"),
        ("رئيس", "رييس"),
        ("الحُرِّيَّةُ", "الحريه"),
        ("هٰذا", "هذا"),
        ("البصـــرة", "البصره"),
        ("١٥٠", "150"),
        ("۱۵۰", "150"),
        ("کوردستان", "كوردستان"),
        ("المدنی", "المدني"),
        ("منظمە", "منظمه"),
        ("ﺍﻟﻨﻘﺎﺑﺎﺕ", "النقابات"),
        ("حر\u200fية", "حريه"),
    ],
)
def test_fold_arabic(written, folded):
    assert fold_arabic(written) == folded


def test_fold_arabic_keeps_the_words_apart():
    assert fold_arabic("أَحْمَدُ إلى مُسْتَشْفَى ١٢") == "احمد الي مستشفي 12"


@pytest.mark.parametrize(
    "words",
    [
        ("أحزاب", "احزاب", "إحزاب"),  # alef with hamza above/below, bare alef
        ("آلية", "ألية", "الية"),  # alef madda
        ("ٱلسلام", "السلام"),  # alef wasla
        ("مستشفى", "مستشفي"),  # alef maqsura
        ("نينوى", "نينوي"),
        ("ديالى", "ديالي"),
        ("البصرة", "البصره"),  # ta marbuta
        ("مساواة", "مساواه"),
        ("الحُرِّيَّة", "الحرية"),  # diacritics
        ("مُلْتَقَى", "ملتقي"),
        ("البصـــرة", "البصرة", "البصـرة"),  # tatweel
    ],
)
def test_letter_variants_meet(words):
    same_term(*words)


@pytest.mark.parametrize(
    "words",
    [
        ("مسؤول", "مسئول"),  # ئ before و is ؤ
        ("شؤون", "شئون"),
        ("المسؤولية", "المسئولية"),
        ("هيئة", "هيأة"),  # the Iraqi spelling
        ("أعضاؤها", "أعضائها", "أعضاءها", "أعضاء"),  # seats that change with the case
        ("زملاؤنا", "زملائنا", "زملاء"),
        ("الموانئ", "الموانىء", "الموانيء"),  # final يء / ىء
        ("مؤتمر", "موتمر", "المؤتمر"),
        ("إجراءات", "اجراءات", "الإجراء"),
    ],
)
def test_hamza_seats_meet(words):
    same_term(*words)


@pytest.mark.parametrize(
    "words",
    [
        # Found by bench/search.py --sample: forms of one word that used to get two terms.
        ("حرية", "الحرية", "بحرية", "وحرية", "للحرية", "حريات"),
        ("هيئة", "الهيئة", "والهيئة", "بالهيئات", "هيأة"),
        ("بيئة", "البيئة", "بيئي", "البيئية", "وبيئتها", "البيئات"),
        ("لاجئ", "لاجئين", "اللاجئين", "اللاجئون", "لاجيء"),
        ("قضائي", "قضائية", "القضائية"),
        ("نهائي", "النهائية"),
        ("مساواة", "المساواة", "مساواتها", "ومساواة"),
        ("رأي", "الرأي", "برأيهم"),
        ("حماية", "لحماية", "والحماية"),
        ("كتب", "كتبها", "كتبه"),
        ("كردي", "الكردية", "كرد"),
    ],
)
def test_forms_of_one_word_meet(words):
    same_term(*words)


def test_a_proclitic_letter_that_belongs_to_the_word_stays():
    assert term("بحر") != term("حر")
    assert term("البحر") == term("بحر")


def test_a_lone_hamza_is_kept():
    assert term("بناء") != term("بنا")
    assert term("أعضاء") != term("اعضا")


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        ("١٥٠", "150"),
        ("۱۵۰", "150"),
        ("150", "150"),
        ("٢٠٢٤", "2024"),
        ("٥", "5"),
    ],
)
def test_digits_become_ascii(words, expected):
    assert term(words) == expected


def test_digits_are_split_from_letters():
    assert index_terms("عام ٢٠٢٤م") == [term("عام"), "2024"]
    assert index_terms("COVID-19") == ["covid", "19"]


@pytest.mark.parametrize(
    "words",
    [
        ("کوردستان", "كوردستان", "كردستان"),  # keheh; and the two spellings of Kurdistan
        ("المدنی", "المدني"),  # Farsi yeh
        ("منظمە", "منظمة"),  # Kurdish ae for ta marbuta
        ("السلیمانیە", "السليمانية"),
        ("گوران", "كوران"),  # gaf
    ],
)
def test_sorani_letters_are_folded(words):
    same_term(*words)


def test_kurdish_words_stay_whole_and_are_folded_to_arabic_letters():
    assert len(index_terms("هەولێر")) == 1
    assert len(index_terms("ڕێکخراوەکانی کۆمەڵگەی")) == 2
    assert fold_arabic("کۆمەڵگەی") == "كومهلكهي"
    same_term("کۆمەڵگەی", "كومهلكهي")


def test_presentation_forms_from_pdfs_are_plain_letters():
    assert index_terms("ﺍﻟﻨﻘﺎﺑﺎﺕ ﻭﺍﻻﺗﺤﺎﺩﺍﺕ") == index_terms("النقابات والاتحادات")


# --- the light stemmer ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "words",
    [
        ("منظمات", "المنظمات", "والمنظمات", "بالمنظمات", "كالمنظمات", "فالمنظمات"),
        ("للمنظمات", "وللمنظمات", "فللمنظمات", "وبالمنظمات", "وكالمنظمات"),
        ("منظمة", "ومنظمة", "بمنظمة", "لمنظمة", "كمنظمة", "فمنظمة"),
        ("الحق", "حق", "للحق", "بحق", "والحق"),
        ("لجنة", "اللجنة", "للجنة", "ولجنة"),  # لل before a word starting with ل
        ("لغة", "اللغة", "للغة"),
        ("سنة", "لسنة", "السنة", "بسنة"),
        ("إلغاء", "لإلغاء", "بالغاء", "الإلغاء"),  # a proclitic in front of an article
        ("التزام", "الالتزام", "بالتزام", "لالتزام"),  # a word that starts with ال
        ("آلية", "الآلية", "لآلية", "بآليات", "آليات"),
    ],
)
def test_prefixes(words):
    same_term(*words)


@pytest.mark.parametrize(
    "words",
    [
        ("منظمة", "منظمات", "منظمتان", "منظمتين"),  # feminine plural and dual
        ("معلم", "معلمون", "معلمين", "المعلمات"),  # masculine plural
        ("منظمة", "منظمتها", "منظمته", "منظمتنا", "منظماتهم"),  # pronouns, ta marbuta
        ("حقوق", "حقوقهم", "حقوقنا"),
        ("حق", "حقهم"),
        ("عراق", "العراق", "عراقي", "العراقية", "العراقيون", "العراقيين", "والعراقيات"),
        ("قانون", "القانون", "القانونية", "قانوني"),
        ("نقابة", "نقابتهم", "النقابات", "لنقاباتنا"),
        ("لغة", "باللغتين"),
        ("كتب", "كتبها"),
        ("بيان", "بياناً", "بيانا", "البيانات", "وبيان", "بياننا"),  # and the accusative alef
        ("قانون", "قانوناً", "قانونا", "قانوننا"),
        ("التزام", "التزاماً", "التزاما"),
        ("تقرير", "تقريرا", "تقريراً"),
        ("سنوي", "سنوياً", "السنوية"),
        ("سوريا", "السورية"),
    ],
)
def test_suffixes(words):
    same_term(*words)


@pytest.mark.parametrize(
    "words",
    [
        ("بطالة", "البطالة", "وبطالة", "ببطالة"),  # a word that starts with a proclitic letter
        ("وزارة", "الوزارة", "بوزارة", "ووزارة"),  # and protected
        ("كوردستان", "وكوردستان", "لكردستان", "الكوردستانية"),
        ("بغداد", "ببغداد", "وبغداد"),
        ("امرأة", "المرأة", "للمرأة", "والمرأة", "المراة"),
    ],
)
def test_words_that_begin_like_a_prefix_still_meet_themselves(words):
    same_term(*words)


@pytest.mark.parametrize(
    ("word", "not_like"),
    [
        ("كتبها", "تبها"),
        ("كوردستان", "وردستان"),
        ("كوردستان", "وردس"),
        ("وزارة", "زار"),
        ("كامل", "أمل"),
        ("فريق", "ريق"),
        ("كتاب", "تاب"),
        ("لجنة", "جنة"),
        ("فكرة", "كره"),
        ("مسائل", "مساءلة"),
        ("آلية", "آية"),
    ],
)
def test_letters_of_the_word_are_not_taken_for_prefixes(word, not_like):
    assert term(word) != term(not_like)


def test_terms_are_deterministic_and_cached():
    first = [term(w) for w in ("المنظمات", "organisations", "١٥٠")]
    term.cache_clear()
    assert [term(w) for w in ("المنظمات", "organisations", "١٥٠")] == first
    assert term.cache_info().maxsize >= 100_000


# --- stop words -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "word", ["في", "على", "إلى", "الى", "والتي", "وفي", "فإن", "هؤلاء", "the", "and", "of", "و"]
)
def test_stop_words_give_no_term(word):
    assert term(word) is None


def test_ali_is_a_name_not_a_preposition():
    assert term("علي") == "علي"
    assert term("على") is None


def test_stop_words_leave_the_other_words_in_order():
    assert index_terms("الحق في التنظيم") == [term("الحق"), term("التنظيم")]
    assert index_terms("the right to organise") == ["right", term("organize")]


# --- English --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "words",
    [
        ("organisations", "organizations", "Organization"),
        ("privatisation", "privatization", "privatized"),
        ("labour", "labor", "Labour"),
        ("behaviour", "behavior"),
        ("centre", "center"),
        ("programme", "program"),
        ("analyse", "analyze"),
        ("NGOs", "NGO", "ngo"),
        ("unions", "union"),
        ("defenders", "defender"),
    ],
)
def test_english_words_meet(words):
    same_term(*words)


def test_english_possessive_and_case():
    assert index_terms("The Women's Union") == ["women", "union"]


# --- texts, queries and phrases -------------------------------------------------------------


def test_mixed_language_text():
    terms = index_terms("Workshop on the NGO law / ورشة عن قانون المنظمات في أربيل")
    assert terms == ["workshop", "ngo", "law"] + [
        term(w) for w in ("ورشة", "قانون", "المنظمات", "أربيل")
    ]
    assert index_text("NGO law قانون") == " ".join(index_terms("NGO law قانون"))


def test_query_terms_are_the_index_terms():
    text = "الحُرِّيَّةُ فِي التَّنْظِيمِ حقٌّ — Freedom of association, organising ١٥٠"
    assert parse_query(text).terms == list(dict.fromkeys(index_terms(text)))


def test_phrases():
    query = parse_query('"حرية التنظيم" البصرة')
    assert query.phrases == [[term("حرية"), term("التنظيم")]]
    assert query.terms == [term("حرية"), term("التنظيم"), term("البصرة")]
    assert query.loose_terms == [term("البصرة")]
    assert query.raw == '"حرية التنظيم" البصرة'


@pytest.mark.parametrize(
    "raw", ['"بناء السلام"', "«بناء السلام»", "“بناء السلام”", "„بناء السلام“"]
)
def test_quotes_of_every_kind_make_a_phrase(raw):
    assert parse_query(raw).phrases == [[term("بناء"), term("السلام")]]


def test_a_phrase_skips_its_stop_words():
    assert parse_query('"الحق في التنظيم"').phrases == [[term("حق"), term("تنظيم")]]
    assert parse_query('"freedom of association"').phrases == [["freedom", "associ"]]


def test_a_quoted_single_word_is_a_term():
    query = parse_query('"النقابات"')
    assert query.terms == [term("النقابات")]
    assert query.phrases == []


def test_an_unclosed_quote_is_ignored():
    query = parse_query('"حرية التنظيم')
    assert query.terms == [term("حرية"), term("التنظيم")]
    assert query.phrases == []


def test_repeated_terms_appear_once():
    assert parse_query("منظمة المنظمات والمنظمات").terms == [term("منظمة")]


def test_mixed_query():
    query = parse_query('NGO law "قانون المنظمات"')
    assert query.terms == [term("قانون"), term("المنظمات"), "ngo", "law"]
    assert query.phrases == [[term("قانون"), term("المنظمات")]]
    assert query.loose_terms == ["ngo", "law"]


@pytest.mark.parametrize("raw", ["", "   ", "في على من", "the of and", "!!! ؟؟ ،،", '""', None])
def test_an_empty_query_is_false(raw):
    query = parse_query(raw)
    assert isinstance(query, ParsedQuery)
    assert not query
    assert query.terms == []
    assert query.phrases == []


# --- highlighting ---------------------------------------------------------------------------


def test_highlight_spans_cover_whole_words_with_diacritics_and_tatweel():
    text = "الحُرِّيَّةُ النقابية في البصـــرة، والنقابات"
    spans = highlight_spans(text, parse_query("حرية البصرة نقابة"))
    assert [text[start:end] for start, end in spans] == [
        "الحُرِّيَّةُ",
        "النقابية",
        "البصـــرة",
        "والنقابات",
    ]


def test_highlight_spans_in_mixed_text():
    text = "Trade unions — النقابات العمالية — organising"
    spans = highlight_spans(text, parse_query("union نقابة organize"))
    assert [text[start:end] for start, end in spans] == ["unions", "النقابات", "organising"]


def test_highlight_spans_skip_stop_words_and_empty_queries():
    text = "الحق في التنظيم"
    spans = highlight_spans(text, parse_query('"الحق في التنظيم"'))
    assert [text[start:end] for start, end in spans] == ["الحق", "التنظيم"]
    assert highlight_spans(text, parse_query("")) == []
    assert highlight_spans("", parse_query("حق")) == []


def test_highlight_spans_with_invisible_characters_inside_a_word():
    text = "حر\u200fية و\u202eالتنظيم"
    spans = highlight_spans(text, parse_query("حرية التنظيم"))
    assert [text[start:end] for start, end in spans] == ["حر\u200fية", "و\u202eالتنظيم"]


# --- hostile input --------------------------------------------------------------------------

HOSTILE = [
    "x" * 100_000,
    "ب" * 100_000,
    "منظمة " * 5_000,
    '"' * 1_000,
    "«" * 500 + "»" * 500,
    "!@#$%^&*()_+=-[]{};:'\\|,.<>/?`~" * 50,
    "\u202e\u202d\u2066\u2067\u2068\u2069\u200e\u200f\u061c",
    "\u202eevil\u202c الحرية",
    "\x00\x01\x1f\x7f",
    "حر\x00ية",
    "🙂🏳️‍🌈👩🏽‍💻 ✊🏾",
    "✊ النقابات ✊",
    "\ud800\udfff",
    "\ufeff\u200b\u00ad",
    "ـــــــ",
    "ً ٌ ٍ َ ُ ِ ّ ْ",
    "٠١٢٣٤٥٦٧٨٩" * 100,
    "Ǆ ǅ ß ﬁ ﬀ ℌ ①",
    "𝐀𝐫𝐚𝐛𝐢𝐜 𝔉𝔯𝔢𝔢𝔡𝔬𝔪",
    "中文 日本語 한국어 עברית",
]


@pytest.mark.parametrize("text", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_input_never_raises(text):
    terms = index_terms(text)
    assert all(isinstance(t, str) and t for t in terms)
    assert all(len(t) <= 64 for t in terms)
    query = parse_query(text)
    assert len(query.raw) <= MAX_QUERY_LENGTH
    assert len(query.terms) <= MAX_QUERY_TERMS
    assert all(set(phrase) <= set(query.terms) for phrase in query.phrases)
    for start, end in highlight_spans(text, query):
        assert 0 <= start < end <= len(text)
    assert isinstance(fold_arabic(text), str)
    assert isinstance(index_text(text), str)


def test_a_long_query_is_cut():
    query = parse_query(" ".join(f"كلمة{n}" for n in range(2_000)))
    assert len(query.raw) == MAX_QUERY_LENGTH
    assert len(query.terms) == MAX_QUERY_TERMS


def test_control_characters_split_words():
    assert index_terms("نقابة\x00العمال") == [term("نقابة"), term("العمال")]


def test_bidi_overrides_inside_a_word_are_ignored():
    assert index_terms("حر\u202eية") == index_terms("حرية")
    assert index_terms("\u202eevil\u202c") == ["evil"]


def test_none_is_empty():
    assert index_terms(None) == []
    assert index_text(None) == ""
    assert fold_arabic(None) == ""
    assert term("") is None
