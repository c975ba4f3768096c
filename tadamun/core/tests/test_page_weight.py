"""Page weight on a first visit: the people this site serves are often on slow, metered or
throttled connections. The HTML of a page plus every stylesheet and script it loads must stay
under BUDGET bytes once compressed (as whitenoise and any reverse proxy serve them). Web fonts
are left out: they are optional (font-display: swap) and cached for a year.
"""

import gzip
import re
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.urls import reverse
from django.utils import translation

from tadamun.accounts.tests.factories import UserFactory
from tadamun.organisations.tests.factories import OrganisationFactory

BUDGET = 60 * 1024
DIRECTORY_SIZE = 30  # more than one page of the directory


class Assets(HTMLParser):
    """The stylesheets and scripts a page loads."""

    def __init__(self):
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script" and attrs.get("src"):
            self.urls.append(attrs["src"])
        if tag == "link" and "stylesheet" in (attrs.get("rel") or "").split():
            self.urls.append(attrs["href"])


def compressed_size(content: bytes) -> int:
    return len(gzip.compress(content, compresslevel=9))


def static_file(url: str) -> bytes:
    path = urlsplit(url).path
    assert path.startswith(settings.STATIC_URL), f"{url} is not one of our static files"
    name = path.removeprefix(settings.STATIC_URL)
    # Under the manifest storage the name carries a content hash: style.0123abcd.css.
    found = finders.find(name) or finders.find(re.sub(r"\.[0-9a-f]{12}(\.\w+)$", r"\1", name))
    assert found, f"{url} not found among the static files"
    with open(found, "rb") as file:
        return file.read()


def first_visit_weight(client, url: str) -> tuple[int, dict[str, int]]:
    response = client.get(url)
    assert response.status_code == 200, f"{url} answered {response.status_code}"
    parser = Assets()
    parser.feed(response.content.decode())
    sizes = {url: compressed_size(response.content)}
    for asset in parser.urls:
        sizes[asset] = compressed_size(static_file(asset))
    return sum(sizes.values()), sizes


@pytest.fixture(autouse=True)
def _plain_static_storage(settings):
    # Hashed names need `collectstatic` first; the weight is the same without the hash.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


def _report(sizes: dict[str, int]) -> str:
    return ", ".join(f"{url}: {size / 1024:.1f} KB" for url, size in sizes.items())


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["ar", "en"])
def test_home_page_is_light(client, language):
    with translation.override(language):
        url = reverse("home")
    total, sizes = first_visit_weight(client, url)
    assert total < BUDGET, f"{url}: {total / 1024:.1f} KB compressed ({_report(sizes)})"


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["ar", "en"])
def test_public_directory_is_light(client, language):
    OrganisationFactory.create_batch(DIRECTORY_SIZE, listed_publicly=True)
    with translation.override(language):
        url = reverse("organisations:public_directory")
    total, sizes = first_visit_weight(client, url)
    assert total < BUDGET, f"{url}: {total / 1024:.1f} KB compressed ({_report(sizes)})"


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["ar", "en"])
def test_member_directory_is_light(client, language):
    OrganisationFactory.create_batch(DIRECTORY_SIZE, listed_publicly=True)
    client.force_login(UserFactory(member=True, preferred_language=language))
    with translation.override(language):
        url = reverse("organisations:directory")
    total, sizes = first_visit_weight(client, url)
    assert total < BUDGET, f"{url}: {total / 1024:.1f} KB compressed ({_report(sizes)})"


@pytest.mark.django_db
def test_weights_are_reported(client):
    """Not a budget: a record of what a first visit costs, for the README (`pytest -s`)."""
    rows = []
    for language in ("ar", "en"):
        with translation.override(language):
            url = reverse("home")
        total, sizes = first_visit_weight(client, url)
        rows.append(f"{url}: {total / 1024:.1f} KB ({_report(sizes)})")
    print("\nFirst-visit weight, gzip -9, without fonts:\n  " + "\n  ".join(rows))
    assert rows
