"""Rate limits key on a hash of the client address; no raw address is ever stored."""

import pytest
from django.db import connection
from django.urls import reverse

from tadamun.accounts.adapter import hashed_client_address
from tadamun.accounts.tests.conftest import add_totp, sign_in, totp_now
from tadamun.accounts.tests.factories import UserFactory
from tadamun.core.models import AuditEvent

pytestmark = pytest.mark.django_db

RAW_ADDRESS = "203.0.113.77"


def all_text_in_database() -> str:
    """Every text-like column of every table, the cache table included, as one string."""
    chunks = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            description = connection.introspection.get_table_description(cursor, table)
            quoted = ", ".join(connection.ops.quote_name(col.name) for col in description)
            cursor.execute(f"SELECT {quoted} FROM {connection.ops.quote_name(table)}")  # noqa: S608
            for row in cursor.fetchall():
                for value in row:
                    if isinstance(value, bytes | memoryview):
                        value = bytes(value).decode("latin-1")
                    if value is not None:
                        chunks.append(str(value))
    return "\n".join(chunks)


def test_client_address_hash_is_keyed_and_stable():
    assert hashed_client_address(RAW_ADDRESS) == hashed_client_address(RAW_ADDRESS)
    assert hashed_client_address(RAW_ADDRESS) != hashed_client_address("203.0.113.78")
    assert RAW_ADDRESS not in hashed_client_address(RAW_ADDRESS)


def test_failed_sign_ins_trip_the_rate_limit(client):
    user = UserFactory()
    for _attempt in range(5):
        response = sign_in(client, user, password="wrong password", REMOTE_ADDR=RAW_ADDRESS)
        assert response.status_code == 200
        assert "_auth_user_id" not in client.session

    # The sixth attempt is refused even with the right password.
    response = sign_in(client, user, REMOTE_ADDR=RAW_ADDRESS)
    assert "_auth_user_id" not in client.session
    errors = response.context["form"].errors.as_data()
    codes = {error.code for field_errors in errors.values() for error in field_errors}
    assert "too_many_login_attempts" in codes
    assert AuditEvent.objects.filter(action=AuditEvent.Action.LOGIN_FAILED).count() == 5


def test_no_raw_address_is_stored_after_sign_ins(client):
    user = UserFactory()
    secret = add_totp(user)
    sign_in(client, user, password="wrong password", REMOTE_ADDR=RAW_ADDRESS)
    client.post(
        reverse("account_login"),
        {"login": "nobody@example.org", "password": "x" * 12},
        REMOTE_ADDR=RAW_ADDRESS,
    )
    sign_in(client, user, REMOTE_ADDR=RAW_ADDRESS)
    client.post(reverse("mfa_authenticate"), {"code": totp_now(secret)}, REMOTE_ADDR=RAW_ADDRESS)
    assert client.session["_auth_user_id"] == str(user.pk)
    client.get(reverse("accounts:security"), REMOTE_ADDR=RAW_ADDRESS)
    client.post(reverse("account_logout"), REMOTE_ADDR=RAW_ADDRESS)

    stored = all_text_in_database()
    assert RAW_ADDRESS not in stored
    assert "nobody@example.org" not in stored
    assert hashed_client_address(RAW_ADDRESS) in stored  # the rate limit did run, on the hash


def test_django_admin_has_no_login_page_of_its_own(client):
    response = client.get("/en/admin/login/")
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))

    response = client.get("/en/admin/")
    assert response.status_code == 302
    assert "/admin/login/" in response.url


def test_sign_in_page_points_to_the_application_not_to_sign_up(client):
    html = client.get("/en/accounts/login/").content.decode()
    assert reverse("organisations:apply") in html
    assert "/accounts/signup/" not in html
