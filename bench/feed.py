"""Server time and queries of the social feed at scale: 100,000 posts by 2,000 members, with
workgroups (open and closed), organisations, follows, comments, reactions and translations.

    .venv/bin/python bench/feed.py                       # a throw-away SQLite file under /tmp
    .venv/bin/python bench/feed.py --database-url postgres://postgres@127.0.0.1:5432/postgres
        # a throw-away database created on that server (and dropped afterwards)

For page sizes 20 and 50, requests the feed of many members through Django's test client (no
network): their first page and the older pages after it (keyset cursor), and prints the median
and 99th-percentile server time (template rendering not instrumented, as in production) and
the queries per page. Also shows the query plan of the
feed's main query, to check it walks the (published_at, id) index instead of sorting.
"""

import argparse
import os
import random
import re
import secrets
import shutil
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PARAGRAPHS = {
    "ar": (
        "نحن منظمات المجتمع المدني العراقية نعمل معاً من أجل السلام والعدالة الاجتماعية، "
        "ونرفض خصخصة الخدمات العامة التي يحتاجها الناس في حياتهم اليومية."
    ),
    "en": (
        "We, Iraqi civil-society organisations, work together for peace and social justice, "
        "and we oppose the privatisation of the public services people need every day."
    ),
}


def parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="PostgreSQL server to create a database on")
    parser.add_argument("--posts", type=int, default=100_000)
    parser.add_argument("--members", type=int, default=2_000)
    parser.add_argument("--viewers", type=int, default=60, help="members whose feed is read")
    parser.add_argument("--pages", type=int, default=3, help="pages read per member")
    parser.add_argument("--seed", type=int, default=2026)
    return parser.parse_args()


ARGS = parse()
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tadamun.settings")
VAR_DIR = tempfile.mkdtemp(prefix="tadamun-bench-feed-", dir="/tmp")
os.environ["VAR_DIR"] = VAR_DIR
os.environ["LOG_LEVEL"] = "WARNING"
os.environ.pop("DATABASE_URL", None)
PG_DATABASE = None
if ARGS.database_url:
    import psycopg

    PG_DATABASE = f"tadamun_bench_feed_{os.getpid()}_{secrets.token_hex(3)}"
    with psycopg.connect(ARGS.database_url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{PG_DATABASE}"')
    os.environ["DATABASE_URL"] = ARGS.database_url.rsplit("/", 1)[0] + f"/{PG_DATABASE}"

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, connections, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from tadamun.accounts.models import User  # noqa: E402
from tadamun.organisations.models import Organisation, OrganisationMembership  # noqa: E402
from tadamun.social import selectors, views  # noqa: E402
from tadamun.social.models import Comment, Follow, Post, Reaction  # noqa: E402
from tadamun.translations.models import Translation  # noqa: E402
from tadamun.workgroups.models import Workgroup, WorkgroupMembership  # noqa: E402

# The "older posts" link carries the keyset cursor of the next page.
OLDER = re.compile(r'class="older-posts"[^>]*><a [^>]*href="\?before=(\d+-\d+)"')
WORKGROUPS = 24
CLOSED_EVERY = 4  # one workgroup in four is closed
ORGANISATIONS = 60
CHUNK = 5_000


def progress(message: str) -> None:
    print(f"  {message}", flush=True)


def chunks(rows, size=CHUNK):
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


def bulk(model, rows) -> list:
    created = []
    for part in chunks(rows):
        created += model.objects.bulk_create(part)
    return created


def populate(rng: random.Random) -> None:
    now = datetime.now(UTC)
    progress(f"{ARGS.members:,} members …")
    users = bulk(
        User,
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
                hide_membership=i % 50 == 0,
                preferred_language="ar" if i % 3 else "en",
            )
            for i in range(ARGS.members)
        ],
    )
    user_ids = [user.pk for user in users] or list(User.objects.values_list("pk", flat=True))
    progress(f"{WORKGROUPS} workgroups, {ORGANISATIONS} organisations, memberships …")
    workgroups = bulk(
        Workgroup,
        [
            Workgroup(
                slug=f"group-{n}",
                name_en=f"Group {n}",
                name_ar=f"مجموعة {n}",
                visibility="closed" if n % CLOSED_EVERY == 0 else "open",
            )
            for n in range(WORKGROUPS)
        ],
    )
    group_ids = [w.pk for w in workgroups] or list(Workgroup.objects.values_list("pk", flat=True))
    organisations = bulk(
        Organisation,
        [
            Organisation(
                slug=f"org-{n}",
                name_en=f"Organisation number {n}",
                name_ar=f"المنظمة رقم {n}",
                name_en_folded=f"organisation number {n}",
                name_ar_folded=f"المنظمه رقم {n}",
                scope="iraqi",
                country="IQ",
                listed_publicly=n % 3 != 0,
            )
            for n in range(ORGANISATIONS)
        ],
    )
    org_ids = [o.pk for o in organisations] or list(
        Organisation.objects.values_list("pk", flat=True)
    )
    memberships = {}
    for user_id in user_ids:
        for group_id in rng.sample(group_ids, 3):
            memberships[(user_id, group_id)] = WorkgroupMembership(
                workgroup_id=group_id, user_id=user_id, role="member", status="active"
            )
    bulk(WorkgroupMembership, list(memberships.values()))
    members_of = {}
    for user_id, group_id in memberships:
        members_of.setdefault(group_id, []).append(user_id)
    admins = {org_id: rng.choice(user_ids) for org_id in org_ids}
    bulk(
        OrganisationMembership,
        [
            OrganisationMembership(organisation_id=org_id, user_id=user_id, role="admin")
            for org_id, user_id in admins.items()
        ],
    )
    progress("follows (20 people, 3 organisations, 1 workgroup each) …")
    follows = []
    for user_id in user_ids:
        for person in set(rng.sample(user_ids, 21)) - {user_id}:
            follows.append(Follow(follower_id=user_id, person_id=person))
        for org_id in rng.sample(org_ids, 3):
            follows.append(Follow(follower_id=user_id, organisation_id=org_id))
        follows.append(Follow(follower_id=user_id, workgroup_id=rng.choice(group_ids)))
    bulk(Follow, follows)

    progress(f"{ARGS.posts:,} posts …")
    rows = []
    span = timedelta(days=730).total_seconds()
    for n in range(ARGS.posts):
        language = "ar" if n % 3 else "en"
        roll = rng.random()
        kind, as_org, group = Post.Kind.POST, None, None
        if roll < 0.15:
            audience = Post.Audience.PUBLIC
        elif roll < 0.55:
            audience = Post.Audience.MEMBERS
        else:
            audience = Post.Audience.WORKGROUP
            group = rng.choice(group_ids)
        if audience == Post.Audience.WORKGROUP:
            author = rng.choice(members_of[group])
        elif rng.random() < 0.1:
            as_org = rng.choice(org_ids)
            author = admins[as_org]
            kind = Post.Kind.STATEMENT if rng.random() < 0.3 else Post.Kind.POST
        else:
            author = rng.choice(user_ids)
        when = now - timedelta(seconds=span * (n / ARGS.posts) + rng.random() * 60)
        rows.append(
            Post(
                author_id=author,
                as_organisation_id=as_org,
                kind=kind,
                audience=audience,
                audience_workgroup_id=group,
                title=f"Post {n}" if kind == Post.Kind.STATEMENT or n % 5 == 0 else "",
                body=f"{PARAGRAPHS[language]} (#{n}) @member{rng.randrange(ARGS.members):05d}",
                language=language,
                published=True,
                published_at=when,
                created=when,
                is_hidden=n % 997 == 0,
            )
        )
    bulk(Post, rows)
    post_ids = list(Post.objects.values_list("pk", flat=True))
    progress("comments, reactions, translations …")
    bulk(
        Comment,
        [
            Comment(
                post_id=rng.choice(post_ids),
                author_id=rng.choice(user_ids),
                body="Well said — أحسنت",
                language="en",
                created=now,
            )
            for _ in range(ARGS.posts // 2)
        ],
    )
    reactions = {}
    for _ in range(ARGS.posts):
        key = (rng.choice(post_ids), rng.choice(user_ids), rng.choice(Reaction.Kind.values))
        reactions[key] = Reaction(post_id=key[0], user_id=key[1], kind=key[2])
    bulk(Reaction, list(reactions.values()))
    from django.contrib.contenttypes.models import ContentType

    post_type = ContentType.objects.get_for_model(Post)
    languages = dict(Post.objects.values_list("pk", "language"))
    bulk(
        Translation,
        [
            Translation(
                content_type=post_type,
                object_id=pk,
                language="en" if languages[pk] == "ar" else "ar",
                fields={"title": "", "body": PARAGRAPHS["en" if languages[pk] == "ar" else "ar"]},
            )
            for pk in rng.sample(post_ids, ARGS.posts // 10)
        ],
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def explain(viewer) -> str:
    posts = selectors.feed_posts(viewer).order_by("-published_at", "-pk")[:20]
    return posts.explain()


def measure(viewers, size: int) -> dict:
    views.PAGE_SIZE = size
    timings, queries, items = [], [], []
    client = Client()
    for viewer in viewers:
        client.force_login(viewer)
        client.get("/en/feed/")  # the session and caches, as for someone already browsing
        cursor = ""
        for _page in range(ARGS.pages):
            url = "/en/feed/" + (f"?before={cursor}" if cursor else "")
            with CaptureQueriesContext(connection) as captured:
                start = time.perf_counter()
                response = client.get(url)
                timings.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200, (url, response.status_code)
            queries.append(len(captured))
            html = response.content.decode()
            items.append(html.count('class="post social-post'))
            found = OLDER.search(html)
            cursor = found.group(1) if found else ""
            if not cursor:
                break
    timings.sort()
    return {
        "pages": len(timings),
        "median": statistics.median(timings),
        "p99": timings[min(len(timings) - 1, int(len(timings) * 0.99))],
        "queries": sorted(set(queries)),
        "items": statistics.mean(items),
    }


def main() -> None:
    rng = random.Random(ARGS.seed)
    vendor = connection.vendor
    print(f"bench/feed.py on {vendor} ({connection.settings_dict['NAME']})", flush=True)
    print("migrating a fresh database …", flush=True)
    call_command("migrate", verbosity=0, interactive=False)
    started = time.perf_counter()
    with transaction.atomic():
        populate(rng)
    print(f"  populated in {time.perf_counter() - started:.0f} s", flush=True)
    viewers = list(User.objects.filter(status=User.Status.MEMBER).order_by("?")[: ARGS.viewers])
    print()
    print("query plan of the feed's main query (first page, one member):")
    print("  " + explain(viewers[0]).replace("\n", "\n  "))
    print()
    header = (
        f"{'page size':>9} {'pages read':>10} {'items/page':>10} {'median ms':>10} "
        f"{'p99 ms':>8} {'queries/page':>13}"
    )
    print(header)
    print("-" * len(header))
    for size in (20, 50):
        measure(viewers[:5], size)  # warm up the templates
        result = measure(viewers, size)
        print(
            f"{size:>9} {result['pages']:>10} {result['items']:>10.1f} "
            f"{result['median']:>10.1f} {result['p99']:>8.1f} "
            f"{','.join(map(str, result['queries'])):>13}"
        )
    print()
    print(
        f"{Post.objects.count():,} posts, {User.objects.count():,} members, "
        f"{Follow.objects.count():,} follows, {Comment.objects.count():,} comments, "
        f"{Reaction.objects.count():,} reactions, {Translation.objects.count():,} translations"
    )


if __name__ == "__main__":
    try:
        main()
    finally:
        connections.close_all()
        shutil.rmtree(VAR_DIR, ignore_errors=True)
        if PG_DATABASE:
            with psycopg.connect(ARGS.database_url, autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{PG_DATABASE}" WITH (FORCE)')
