"""A realistic, bilingual directory for the page-weight and browser tests and the screenshots.

Uses the organisations app's `OrganisationFactory` when it has one; otherwise creates the rows
through the model, so the front-end tests see pages as full as a real network's.
"""

import importlib
import itertools

from tadamun.organisations.models import Organisation, Theme

NAMES = [
    ("جمعية الأمل العراقية", "Iraqi Al-Amal Association"),
    ("اتحاد نقابات عمال النفط", "Federation of Oil Workers' Unions"),
    ("منظمة حرية المرأة في العراق", "Organisation of Women's Freedom in Iraq"),
    ("شبكة شباب البصرة للسلام", "Basra Youth Peace Network"),
    ("مرصد حقوق الإنسان في نينوى", "Nineveh Human Rights Observatory"),
    ("رابطة الصحفيين المستقلين", "Independent Journalists' League"),
    ("مؤسسة التآخي للأقليات", "Ta'akhi Foundation for Minorities"),
    ("لجنة التضامن الدولية", "International Solidarity Committee"),
]
THEMES = [
    ("peace-building", "بناء السلام", "Peace building"),
    ("workers-rights", "حقوق العمال", "Workers' rights"),
    ("womens-rights", "حقوق المرأة", "Women's rights"),
]
DESCRIPTION = (
    "نعمل منذ سنوات مع المجتمعات المحلية على الدفاع عن الحقوق وبناء السلام.",
    "For years we have worked with local communities to defend rights and build peace.",
)


def sample_organisations(count: int = 8) -> list[Organisation]:
    try:
        factories = importlib.import_module("tadamun.organisations.tests.factories")
    except ImportError:
        factories = None
    if factory := getattr(factories, "OrganisationFactory", None):
        return factory.create_batch(count, listed_publicly=True)

    themes = [
        Theme.objects.get_or_create(slug=slug, defaults={"name_ar": ar, "name_en": en})[0]
        for slug, ar, en in THEMES
    ]
    governorates = [
        value for value, _ in Organisation._meta.get_field("governorate").choices if value
    ]
    kinds = itertools.cycle(Organisation.Kind.values)
    organisations = []
    for number in range(count):
        name_ar, name_en = NAMES[number % len(NAMES)]
        if number >= len(NAMES):
            name_ar, name_en = f"{name_ar} {number}", f"{name_en} {number}"
        iraqi = number % 4 != 3
        organisation = Organisation.objects.create(
            name_ar=name_ar,
            name_en=name_en,
            slug=f"organisation-{number}",
            kind=next(kinds),
            scope=Organisation.Scope.IRAQI if iraqi else Organisation.Scope.INTERNATIONAL,
            country="IQ" if iraqi else "GB",
            governorate=governorates[number % len(governorates)] if iraqi else "",
            description_ar=DESCRIPTION[0],
            description_en=DESCRIPTION[1],
            listed_publicly=True,
        )
        organisation.themes.set(themes[: 1 + number % len(themes)])
        organisations.append(organisation)
    return organisations
