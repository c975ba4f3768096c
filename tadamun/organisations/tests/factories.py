"""Organisations for tests: `OrganisationFactory(listed_publicly=True)`, memberships,
applications. People come from tadamun.accounts.tests.factories.UserFactory."""

import factory

from tadamun.accounts.tests.factories import UserFactory
from tadamun.organisations.models import (
    Application,
    Organisation,
    OrganisationMembership,
    Theme,
)

__all__ = [
    "ApplicationFactory",
    "MembershipFactory",
    "OrganisationFactory",
    "ThemeFactory",
    "UserFactory",
]


class ThemeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Theme
        django_get_or_create = ["slug"]

    slug = factory.Sequence(lambda n: f"theme-{n}")
    name_en = factory.Sequence(lambda n: f"Theme {n}")
    name_ar = factory.Sequence(lambda n: f"موضوع {n}")


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation
        skip_postgeneration_save = True

    class Params:
        international = factory.Trait(
            scope=Organisation.Scope.INTERNATIONAL, country="FR", governorate=""
        )

    # Numbers as words: fold() would otherwise make "Union 1" and "Union ١" the same name.
    name_en = factory.Sequence(lambda n: f"Solidarity Union number {n}")
    name_ar = factory.Sequence(lambda n: f"نقابة التضامن رقم {n}")
    slug = factory.Sequence(lambda n: f"solidarity-union-{n}")
    kind = Organisation.Kind.TRADE_UNION
    scope = Organisation.Scope.IRAQI
    country = "IQ"
    governorate = "basra"
    city = "Basra"
    languages = factory.LazyFunction(lambda: ["ar", "en"])
    description_en = "Workers organising together."
    description_ar = "عمال ينظمون أنفسهم معاً."
    listed_publicly = True


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OrganisationMembership

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = OrganisationMembership.Role.MEMBER


class ApplicationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Application

    applicant = factory.SubFactory(UserFactory, applicant=True)
    kind = Application.Kind.INDIVIDUAL
    motivation = "I want to help."
    language = "en"

    class Params:
        for_organisation = factory.Trait(
            kind=Application.Kind.ORGANISATION,
            org_name_en=factory.Sequence(lambda n: f"Proposed Collective number {n}"),
            org_name_ar=factory.Sequence(lambda n: f"التجمع المقترح رقم {n}"),
            org_kind=Organisation.Kind.WOMENS_RIGHTS,
            org_scope=Organisation.Scope.IRAQI,
            org_country="IQ",
            org_governorate="najaf",
            org_city="Najaf",
        )
