"""Shared by the public and the back-office tests of petitions."""

import pytest
from django.core.cache import cache
from django.utils import translation

from tadamun.petitions.tests.factories import (
    PartnerFactory,
    PetitionFactory,
    SignatureFactory,
)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _local_cache(settings):
    """Rate limits and cached counts in a per-process cache, empty for each test (the
    database cache would outlive a transactional test's flush)."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "petitions-tests",
        }
    }
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _english_urls():
    # reverse() in tests gives /en/… paths; the Arabic pages are checked where it matters.
    with translation.override("en"):
        yield


@pytest.fixture
def petition(db):
    return PetitionFactory()


@pytest.fixture
def partner(petition):
    return PartnerFactory(petition=petition)


@pytest.fixture
def signature(petition):
    return SignatureFactory(petition=petition)


def aged_stamp(seconds: int = 30) -> str:
    """The form's signed timestamp as if it had been shown `seconds` ago."""
    import time

    from django.core import signing

    from tadamun.petitions.protection import FORM_SALT

    return signing.dumps(int(time.time()) - seconds, salt=FORM_SALT, compress=False)


def sign_form(**overrides) -> dict:
    """The POST data of a well-filled signing form (shown 30 seconds ago)."""
    data = {
        "name": "Zainab Kareem",
        "public": "show",
        "email": "zainab@example.org",
        "country": "IQ",
        "governorate": "basra",
        "organisation_name": "",
        "consent_petition": "on",
        "consent_lead": "on",
        "website": "",
        "started": aged_stamp(),
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


@pytest.fixture
def sign(client, django_capture_on_commit_callbacks):
    """POST the signing form of `petition` (or of `partner`'s page), running what the
    service does after commit (the mail task): `sign(petition, email=…)` → response."""

    def _sign(petition, *, partner=None, follow=False, **fields):
        from django.urls import reverse

        url = (
            reverse("petitions:partner", args=[petition.slug, partner.slug])
            if partner
            else reverse("petitions:petition", args=[petition.slug])
        )
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(url, sign_form(**fields), follow=follow)

    return _sign


def confirm_link(message) -> str:
    """The confirmation path (without the host) in a mail."""
    import re

    from django.conf import settings

    found = re.search(
        re.escape(settings.SITE_URL) + r"(/\S+/confirm/[A-Za-z0-9_-]+/)", message.body
    )
    assert found, message.body
    return found.group(1)
