"""Second factors are not readable in a copy of the database (issue 7): TOTP secrets and the
seed of the recovery codes are stored encrypted (tadamun.accounts.adapter.MFAAdapter, under
MFA_ENCRYPTION_KEY), so `dumpdata`, a raw SELECT of every column and the decoded sessions hold
neither the secret, nor the seed, nor any recovery code — and the person still signs in with
an app's code and with a recovery code. A secret stored in the clear before encryption is
encrypted by migration 0004, once.

`-s` shows the figures.
"""

import base64
import importlib
import io
import re

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import SECRET_SESSION_KEY, generate_totp_secret
from django.apps import apps
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.urls import reverse

from tadamun.accounts.adapter import ENCRYPTED_PREFIX, MFAAdapter
from tadamun.accounts.tests.conftest import sign_in, totp_now
from tadamun.accounts.tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

migration = importlib.import_module("tadamun.accounts.migrations.0004_encrypt_plain_mfa_secrets")


def raw_columns() -> tuple[str, int]:
    """Every column of every row of every table (the cache table too), as text."""
    chunks = []
    tables = 0
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            tables += 1
            description = connection.introspection.get_table_description(cursor, table)
            quoted = ", ".join(connection.ops.quote_name(col.name) for col in description)
            cursor.execute(f"SELECT {quoted} FROM {connection.ops.quote_name(table)}")  # noqa: S608
            for row in cursor.fetchall():
                for value in row:
                    if isinstance(value, bytes | memoryview):
                        value = bytes(value).decode("latin-1")
                    if value is not None:
                        chunks.append(str(value))
    return "\n".join(chunks), tables


def decoded_sessions() -> str:
    """Sessions are only signed, not encrypted: what a dump of them reveals, decoded."""
    return "\n".join(repr(session.get_decoded()) for session in Session.objects.all())


def spellings_of_secret(secret: str) -> set[str]:
    raw = base64.b32decode(secret)
    return {secret, secret.lower(), raw.hex(), base64.b64encode(raw).decode()}


def leaks_in(text: str, secrets_: dict[str, set[str]], codes: dict[str, list[str]]) -> list[str]:
    found = []
    for who, spellings in secrets_.items():
        found += [f"{who}: {s}" for s in spellings if s in text]
    for who, listed in codes.items():
        # Recovery codes are digits: look for them as whole numbers.
        found += [f"{who}: {c}" for c in listed if re.search(rf"(?<!\d){c}(?!\d)", text)]
    return found


def enrol_totp(client: Client, user) -> str:
    """Through the pages, as a person does: sign in, confirm the password, scan, type a code."""
    assert sign_in(client, user).status_code == 302
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    assert client.get(reverse("mfa_activate_totp")).status_code == 200
    secret = client.session[SECRET_SESSION_KEY]
    response = client.post(reverse("mfa_activate_totp"), {"code": totp_now(secret)})
    assert response.status_code == 302
    assert SECRET_SESSION_KEY not in client.session  # gone from the session once enrolled
    return secret


def test_mfa_secrets_and_recovery_codes_are_not_in_a_database_dump(
    client, django_capture_on_commit_callbacks
):
    # Enrolled through the pages (TOTP + the recovery codes that come with it).
    person = UserFactory(email="layla@example.org", username="layla@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        secret = enrol_totp(client, person)
    codes_row = Authenticator.objects.get(user=person, type=Authenticator.Type.RECOVERY_CODES)
    codes = RecoveryCodes(codes_row).get_unused_codes()
    seed = MFAAdapter().decrypt(codes_row.data["seed"])

    # Someone whose secret was written before encryption (a row as allauth's default adapter
    # left it), encrypted by the migration; running it again changes nothing.
    legacy = UserFactory(email="omar@example.org", username="omar@example.org")
    legacy_secret = generate_totp_secret()
    legacy_seed = RecoveryCodes.generate_seed()
    Authenticator.objects.create(
        user=legacy, type=Authenticator.Type.TOTP, data={"secret": legacy_secret}
    )
    legacy_codes_row = Authenticator.objects.create(
        user=legacy,
        type=Authenticator.Type.RECOVERY_CODES,
        data={"seed": legacy_seed, "used_mask": 0},
    )
    legacy_codes = RecoveryCodes(legacy_codes_row).get_unused_codes()
    migration.encrypt_plain_secrets(apps, None)
    once = {a.pk: a.data for a in Authenticator.objects.filter(user=legacy)}
    migration.encrypt_plain_secrets(apps, None)
    assert {a.pk: a.data for a in Authenticator.objects.filter(user=legacy)} == once
    for data in once.values():
        sealed = data.get("secret") or data.get("seed")
        assert sealed.startswith(ENCRYPTED_PREFIX)

    # The dumps.
    out = io.StringIO()
    call_command("dumpdata", format="json", indent=None, stdout=out)
    dump = out.getvalue()
    raw, tables = raw_columns()
    sessions = decoded_sessions()
    secrets_ = {
        "TOTP secret": spellings_of_secret(secret),
        "recovery seed": {seed, seed.upper()},
        "legacy TOTP secret": spellings_of_secret(legacy_secret),
        "legacy recovery seed": {legacy_seed, legacy_seed.upper()},
        "encryption key": {settings.MFA_ENCRYPTION_KEY},
    }
    all_codes = {"recovery code": codes, "legacy recovery code": legacy_codes}
    assert len(codes) == len(legacy_codes) == 10
    leaks = {
        "dumpdata": leaks_in(dump, secrets_, all_codes),
        "raw SELECT": leaks_in(raw, secrets_, all_codes),
        "sessions": leaks_in(sessions, secrets_, all_codes),
    }
    # The dump did contain the authenticators (encrypted): the search looked in the right place.
    assert dump.count('"model": "mfa.authenticator"') == 4
    assert dump.count(ENCRYPTED_PREFIX) == 4
    assert Session.objects.exists()  # the enrolment's signed-in session is in the dump
    searched = sum(len(s) for s in secrets_.values()) + sum(len(c) for c in all_codes.values())
    print(
        f"\nMFA at rest: 2 people, 4 authenticators; searched {searched} values (secrets in "
        f"4 spellings, seeds, 20 recovery codes, the key) in dumpdata ({len(dump)} chars), "
        f"a raw SELECT of {tables} tables ({len(raw)} chars) and "
        f"{Session.objects.count()} decoded sessions; found "
        + ", ".join(f"{k} {len(v)}" for k, v in leaks.items())
    )
    assert leaks == {"dumpdata": [], "raw SELECT": [], "sessions": []}
    client.post(reverse("account_logout"))

    # And the factors still work: an app's code, and a recovery code, once.
    for who, who_secret in ((person, secret), (legacy, legacy_secret)):
        browser = Client()
        assert sign_in(browser, who).url == reverse("mfa_authenticate")
        browser.post(reverse("mfa_authenticate"), {"code": totp_now(who_secret)})
        assert browser.session["_auth_user_id"] == str(who.pk)
    for who, who_codes in ((person, codes), (legacy, legacy_codes)):
        browser = Client()
        sign_in(browser, who)
        browser.post(reverse("mfa_authenticate"), {"code": who_codes[3]})
        assert browser.session["_auth_user_id"] == str(who.pk)
        again = Client()
        sign_in(again, who)
        again.post(reverse("mfa_authenticate"), {"code": who_codes[3]})
        assert "_auth_user_id" not in again.session
