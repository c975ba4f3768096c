"""No client address is kept (issue 7, README "Privacy"): every flow that sees one runs from
distinctive loopback addresses, then the database (every table, every column), the logs, the
media, the cache and the outgoing mail are searched for them in any usual form: 0 found.

Flows: applying to join (the sign-up) and confirming the address, signing in with a wrong and
a right password, the second factor, a social post with an image and a file, a comment, a
workgroup thread and reply, signing a petition and confirming the signature, a password reset,
the news feed and search, signing out, and list mail over a real LMTP socket from one of the
addresses. An X-Forwarded-For header rides along on every request (no proxy is trusted by
default: it must not be stored either).

`-s` shows the figures.
"""

import ipaddress
import logging
import re
import smtplib
from pathlib import Path

import pytest
from django.conf import settings
from django.core import mail
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.urls import reverse

from tadamun.accounts.adapter import hashed_client_address
from tadamun.accounts.tests.conftest import add_totp, totp_now
from tadamun.accounts.tests.factories import PASSWORD, UserFactory
from tadamun.lists.models import InboundMessage
from tadamun.lists.tests.inbound_support import (
    make_list,
    make_member,
    plain_message,
    running_lmtp_server,
)
from tadamun.petitions.models import Signature
from tadamun.petitions.tests.conftest import aged_stamp
from tadamun.petitions.tests.factories import PetitionFactory
from tadamun.social.models import Post as SocialPost
from tadamun.social.tests.factories import image_bytes, pdf_upload
from tadamun.workgroups.tests.factories import MembershipFactory, WorkgroupFactory

# The list server works in its own thread: the data must really be committed.
pytestmark = pytest.mark.django_db(transaction=True)

IPV4 = "127.83.41.9"
IPV6_MAPPED = "::ffff:127.61.7.22"
FORWARDED = "127.47.200.3"
# Outbound connection for LMTP: Linux answers on all of 127.0.0.0/8.
LMTP_PEER = "127.91.5.44"


def forms_of(address: str) -> set[bytes]:
    """The address as text in the usual spellings, its reverse-DNS name, its hex and packed
    bytes; an IPv4-mapped IPv6 address also as the IPv4 address it carries."""
    ip = ipaddress.ip_address(address)
    ips = [ip]
    if ip.version == 6 and ip.ipv4_mapped:
        ips.append(ip.ipv4_mapped)
    found: set[bytes] = set()
    for one in ips:
        found |= {
            str(one).encode(),
            one.exploded.encode(),
            one.reverse_pointer.removesuffix(".in-addr.arpa").removesuffix(".ip6.arpa").encode(),
            one.packed.hex().encode(),
            one.packed,
        }
        if one.version == 6:
            found.add(one.exploded.upper().encode())
    return found


NEEDLES = {
    form: address
    for address in (IPV4, IPV6_MAPPED, FORWARDED, LMTP_PEER)
    for form in forms_of(address)
}


# What the rate limits do keep instead: a keyed hash of each address. Finding these proves the
# flows really ran from the addresses and the search really reads the stored data.
HASHES = {hashed_client_address(address).encode(): address for address in (IPV4, IPV6_MAPPED)}


def find(data: bytes, where: str, hits: list[str], hashes: set[bytes] | None = None) -> None:
    for needle, address in NEEDLES.items():
        if needle in data:
            hits.append(f"{address} ({needle!r}) in {where}")
    if hashes is not None:
        hashes.update(h for h in HASHES if h in data)


def scan_database(hits: list[str], hashes: set[bytes]) -> tuple[int, int]:
    """Every column of every row of every table, as bytes."""
    tables = rows = 0
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            tables += 1
            description = connection.introspection.get_table_description(cursor, table)
            quoted = ", ".join(connection.ops.quote_name(col.name) for col in description)
            cursor.execute(f"SELECT {quoted} FROM {connection.ops.quote_name(table)}")  # noqa: S608
            for row in cursor.fetchall():
                rows += 1
                for column, value in zip(description, row, strict=True):
                    if value is None:
                        continue
                    if isinstance(value, bytes | memoryview):
                        data = bytes(value)
                    else:
                        data = str(value).encode("utf-8", "surrogateescape")
                    find(data, f"table {table}.{column.name}", hits, hashes)
    return tables, rows


def scan_files(root: Path, label: str, hits: list[str]) -> tuple[int, int]:
    files = size = 0
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        data = path.read_bytes()
        files += 1
        size += len(data)
        find(data, f"{label} {path.relative_to(root)}", hits)
    return files, size


def scan_cache(hits: list[str], hashes: set[bytes]) -> int:
    """The shared cache outside the database (Redis or a per-process cache): keys and values.
    The database cache is a table, searched with the others."""
    backend = settings.CACHES["default"]["BACKEND"]
    count = 0
    if "locmem" in backend:
        for key, value in list(cache._cache.items()):
            count += 1
            find(str(key).encode() + b"\0" + bytes(value), f"cache key {key}", hits, hashes)
    elif "redis" in backend.lower():
        client = cache._cache.get_client()
        for key in client.scan_iter(match=f"{settings.CACHES['default'].get('KEY_PREFIX', '')}*"):
            count += 1
            find(bytes(key) + b"\0" + (client.dump(key) or b""), f"cache key {key!r}", hits, hashes)
    return count


def confirmation_path(message) -> str:
    found = re.search(r"https?://[^/\s]+(/\S+)", message.body)
    assert found, message.body
    return found.group(1)


@pytest.fixture
def log_file(tmp_path):
    """Every record from every logger, as the app would write it, kept in a file."""
    path = tmp_path / "tadamun.log"
    handler = logging.FileHandler(path)
    handler.setLevel(logging.DEBUG)
    handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s"))
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    yield path
    root.removeHandler(handler)
    root.setLevel(level)
    handler.close()


def test_no_client_address_is_kept_anywhere(settings, tmp_path, log_file, capfd, caplog):
    settings.MEDIA_ROOT = tmp_path / "media"
    caplog.set_level(logging.DEBUG)
    v4 = Client(REMOTE_ADDR=IPV4, HTTP_X_FORWARDED_FOR=FORWARDED)
    v6 = Client(REMOTE_ADDR=IPV6_MAPPED, HTTP_X_FORWARDED_FOR=FORWARDED)
    flows = []

    # Applying to join is the sign-up; the address is confirmed from the mail.
    response = v4.post(
        reverse("organisations:apply"),
        {
            "kind": "individual",
            "legal_name": "Samir Yousif",
            "display_name": "",
            "email": "samir@example.org",
            "password1": "a long enough passphrase",
            "password2": "a long enough passphrase",
            "language": "en",
            "motivation": "Solidarity with Iraqi workers.",
        },
    )
    assert response.status_code == 302, response.content[:2000]
    link = confirmation_path(mail.outbox[-1])
    assert v4.get(link).status_code in (200, 302)
    v4.post(link)
    flows.append("apply + confirm address")

    # Signing in: a wrong password (counted by the rate limit), an unknown address, then the
    # right one with a second factor.
    member = UserFactory(email="layla@example.org", username="layla@example.org")
    secret = add_totp(member)
    login = reverse("account_login")
    v6.post(login, {"login": member.email, "password": "not the password"})
    v6.post(login, {"login": "nobody@example.org", "password": "not the password"})
    response = v6.post(login, {"login": member.email, "password": PASSWORD})
    assert response.status_code == 302
    response = v6.post(reverse("mfa_authenticate"), {"code": totp_now(secret)})
    assert v6.session["_auth_user_id"] == str(member.pk)
    flows.append("sign-in (wrong, unknown, right) + TOTP")

    # Writing: a social post with an image and a file, a comment, a workgroup thread.
    response = v6.post(
        reverse("social:compose"),
        {
            "kind": "post",
            "body": "Solidarity with the dock workers.",
            "language": "auto",
            "audience": "members",
            "speaking_as": "me",
            "image_1": _upload("photo.png", image_bytes(), "image/png"),
            "alt_1": "A red square",
            "attachments": [pdf_upload()],
        },
    )
    assert response.status_code == 302
    post = SocialPost.objects.get(author=member)
    assert post.images.exists()
    assert post.attachments.exists()
    v6.post(reverse("social:comment", args=[post.pk]), {"body": "Well said"})
    assert post.comments.filter(body="Well said").exists()
    workgroup = WorkgroupFactory()
    MembershipFactory(workgroup=workgroup, user=member)
    response = v6.post(
        reverse("workgroups:thread_new", args=[workgroup.slug]),
        {"subject": "Port strike", "body": "Who can come on Friday?"},
    )
    assert response.status_code == 302
    v6.get(reverse("social:feed"))
    v6.get(reverse("search:search") + "?q=strike")
    v6.post(reverse("account_logout"))
    flows.append("social post + image + file, comment, workgroup thread, feed, search")

    # A petition: signed, and confirmed from the mail.
    petition = PetitionFactory()
    response = v4.post(
        reverse("petitions:petition", args=[petition.slug]),
        {
            "name": "Zainab Kareem",
            "public": "show",
            "email": "zainab@example.org",
            "country": "IQ",
            "governorate": "basra",
            "organisation_name": "",
            "consent_petition": "on",
            "website": "",
            "started": aged_stamp(),
        },
    )
    assert response.status_code == 302, response.content[:2000]
    link = confirmation_path(mail.outbox[-1])
    v4.get(link)
    v4.post(link)
    assert Signature.objects.get(email="zainab@example.org").state == Signature.State.CONFIRMED
    flows.append("petition sign + confirm")

    # A password reset, from the request to the new password.
    v4.post(reverse("account_reset_password"), {"email": member.email})
    link = confirmation_path(mail.outbox[-1])
    response = v4.get(link, follow=True)
    v4.post(
        response.redirect_chain[-1][0] if response.redirect_chain else link,
        {"password1": "another long passphrase", "password2": "another long passphrase"},
    )
    member.refresh_from_db()
    assert member.check_password("another long passphrase")
    flows.append("password reset")
    v4.get(reverse("social:news_atom"))

    # List mail over a real LMTP connection from a loopback address of its own.
    mailing_list = make_list(slug="dockers")
    make_member(mailing_list, email="ahmed@example.org")
    with running_lmtp_server() as port:
        lmtp = smtplib.LMTP("127.0.0.1", port, timeout=10, source_address=(LMTP_PEER, 0))
        try:
            refused = lmtp.sendmail(
                "ahmed@example.org",
                [mailing_list.address],
                plain_message(sender="ahmed@example.org", to=mailing_list.address),
            )
        finally:
            lmtp.quit()
    assert refused == {}
    assert InboundMessage.objects.get().state == InboundMessage.State.POSTED
    flows.append("list mail over LMTP")

    # The search.
    hits: list[str] = []
    hashes: set[bytes] = set()
    tables, rows = scan_database(hits, hashes)
    media_files, media_bytes = scan_files(settings.MEDIA_ROOT, "media", hits)
    assert media_files >= 2  # the image and the file really were stored
    log_bytes = log_file.read_bytes()
    find(log_bytes, "log file", hits)
    logged = "\n".join(
        f"{r.name} {r.getMessage()} {r.args!r} {getattr(r, 'exc_text', '')}" for r in caplog.records
    ).encode()
    find(logged, "log records", hits)
    out, err = capfd.readouterr()
    find((out + err).encode(), "stdout/stderr", hits)
    outbox = b"\n".join(m.message().as_bytes() for m in mail.outbox)
    find(outbox, "outgoing mail", hits)
    cached = scan_cache(hits, hashes)

    print(
        f"\nflows: {len(flows)} ({'; '.join(flows)}), from {IPV4}, {IPV6_MAPPED}, "
        f"X-Forwarded-For {FORWARDED}, LMTP peer {LMTP_PEER}; {len(NEEDLES)} spellings searched"
    )
    print(
        f"scanned: {tables} tables, {rows} rows; logs {len(log_bytes)} bytes in file, "
        f"{len(caplog.records)} records, {len(out) + len(err)} bytes of stdout/stderr; "
        f"media {media_files} files, {media_bytes} bytes; {len(mail.outbox)} mails, "
        f"{len(outbox)} bytes; cache {cached} entries outside the database"
    )
    print(f"found: {len(hits)}; keyed hashes of the addresses found instead: {len(hashes)}")
    for hit in hits:
        print("  ", hit)
    assert hits == []
    assert hashes == set(HASHES)


def _upload(name: str, data: bytes, content_type: str):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data, content_type)
