"""The quick exit on every page: a link that leaves for a neutral site at once, replacing the
page in the history; without JavaScript through /exit/, with it directly."""

import pytest
from django.urls import reverse

from tadamun.accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

NEUTRAL = "https://weather.example/today?city=basra&units=c"


@pytest.fixture(autouse=True)
def _neutral_site(settings):
    settings.QUICK_EXIT_URL = NEUTRAL


@pytest.mark.parametrize("language", ["ar", "en"])
@pytest.mark.parametrize("signed_in", [False, True])
def test_every_page_starts_with_the_quick_exit(client, language, signed_in):
    if signed_in:
        client.force_login(UserFactory())
    for name in ("home", "search:search", "campaigns:list", "account_login"):
        response = client.get(f"/{language}" + reverse(name)[3:], follow=True)
        html = response.content.decode()
        start = html.index('<a class="quick-exit"')
        link = html[start : html.index("</a>", start)]
        assert 'href="/exit/"' in link
        assert 'data-exit-to="https://weather.example/today?city=basra&amp;units=c"' in link
        assert 'rel="noreferrer"' in link
        # First thing after the skip link, before the header.
        assert start < html.index('<header class="site-header">')
    assert ("خروج سريع" if language == "ar" else "Quick exit") in html


def test_the_script_is_served_from_the_site(client):
    html = client.get("/en/").content.decode()
    assert '<script src="/static/js/quick-exit.js" defer></script>' in html


def test_exit_page_replaces_itself_with_the_neutral_site(client):
    response = client.get("/exit/")
    assert response.status_code == 200
    html = response.content.decode()
    assert (
        '<meta http-equiv="refresh" content="0;url=https://weather.example/today?city=basra'
        '&amp;units=c">' in html
    )
    assert response["Clear-Site-Data"] == '"cache"'
    assert "no-store" in response["Cache-Control"]
    assert response["Referrer-Policy"] == "no-referrer"
    # Nothing on it names the site (someone looking over a shoulder sees nothing).
    for word in ("Tadamun", "تضامن", "petition", "workgroup"):
        assert word.lower() not in html.lower()


def test_exit_page_refuses_post(client):
    assert client.post("/exit/").status_code == 405


def test_an_odd_exit_url_is_escaped(client, settings):
    settings.QUICK_EXIT_URL = 'https://x.example/"><script>alert(1)</script>'
    html = client.get("/exit/").content.decode()
    assert "<script>" not in html
    assert "&quot;&gt;&lt;script&gt;" in html
