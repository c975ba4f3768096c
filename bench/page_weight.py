"""Page weight and server time of the main pages, on a fresh database with the demo data.

    .venv/bin/python bench/page_weight.py

Prints, per page: HTML bytes (raw and gzip), the first-visit total (HTML + CSS + JS, gzip, fonts
excluded), the fonts a first visit in that language downloads, and the median/95th-percentile
server time of 50 renders through Django's test client (no network).
"""

import gzip
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tadamun.settings")
os.environ["VAR_DIR"] = tempfile.mkdtemp(prefix="tadamun-bench-")
os.environ.pop("DATABASE_URL", None)

import django  # noqa: E402

django.setup()

from django.contrib.staticfiles import finders  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

RUNS = 50


def gz(data: bytes) -> int:
    return len(gzip.compress(data, compresslevel=6))


def asset_bytes(html: str) -> int:
    """gzip size of the CSS and JS a page links to (what a first visit downloads)."""
    import re

    total = 0
    for path in re.findall(r'(?:href|src)="/static/([^"]+\.(?:css|js))"', html):
        found = finders.find(path)
        if found:
            total += gz(Path(found).read_bytes())
    return total


def main() -> None:
    setup_test_environment()
    print("setting up a fresh database with the demo data …", flush=True)
    call_command("migrate", verbosity=0)
    call_command("seed_demo", verbosity=0)
    from tadamun.accounts.models import User
    from tadamun.organisations.models import Organisation

    member = User.objects.get(email="member.basra@demo.tadamun.example")
    org = Organisation.objects.filter(listed_publicly=True).first()
    from tadamun.social.models import Post

    statement = Post.objects.filter(kind="statement", published=True).first()
    pages = [
        ("anonymous", "/ar/"),
        ("anonymous", "/en/"),
        ("anonymous", "/ar/accounts/login/"),
        ("anonymous", "/ar/members/"),
        ("anonymous", "/ar/join/"),
        ("member", "/ar/organisations/"),
        ("member", "/en/organisations/"),
        ("member", "/ar/people/"),
        ("member", f"/ar/organisations/{org.slug}/"),
        ("anonymous", "/ar/news/"),
        ("member", "/ar/feed/"),
        ("member", "/en/feed/"),
        ("member", f"/ar/posts/{statement.pk}/"),
        ("member", "/ar/documents/"),
        ("member", "/ar/messages/"),
        ("member", "/ar/notifications/"),
    ]
    fonts = sorted((ROOT / "tadamun/static/fonts").glob("*.woff2"))
    font_total = {
        lang: sum(
            f.stat().st_size
            for f in fonts
            if (lang == "ar" and "arabic" in f.name) or ("latin" in f.name and "ext" not in f.name)
        )
        for lang in ("ar", "en")
    }
    header = (
        f"{'who':<10} {'page':<52} {'html':>8} {'html.gz':>8} {'first.gz':>9} "
        f"{'median ms':>10} {'p95 ms':>7}"
    )
    print(header)
    print("-" * len(header))
    for who, url in pages:
        client = Client()
        if who == "member":
            client.force_login(member)
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        html = response.content
        timings = []
        for _ in range(RUNS):
            start = time.perf_counter()
            client.get(url)
            timings.append((time.perf_counter() - start) * 1000)
        timings.sort()
        first = gz(html) + asset_bytes(html.decode())
        print(
            f"{who:<10} {url:<52} {len(html):>8,} {gz(html):>8,} {first:>9,} "
            f"{statistics.median(timings):>10.1f} {timings[int(RUNS * 0.95) - 1]:>7.1f}"
        )
    print()
    for lang, size in font_total.items():
        print(f"fonts a first visit in /{lang}/ may fetch (woff2, cached a year): {size:,} B")


if __name__ == "__main__":
    main()
