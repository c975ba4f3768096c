"""The audit log is append-only in the database itself (core migration 0005, `audit_grants`)."""

import io
import uuid

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError, ProgrammingError, connection, transaction

from tadamun.accounts.tests.factories import UserFactory
from tadamun.core.audit import audit
from tadamun.core.models import AuditEvent

pytestmark = pytest.mark.django_db
Action = AuditEvent.Action
postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL: TRUNCATE and grants"
)


@pytest.fixture
def event():
    person = UserFactory()
    return audit(Action.ROLE_CHANGED, actor=person, subject=person, before="member")


def snapshot(event: AuditEvent) -> tuple:
    row = AuditEvent.objects.get(pk=event.pk)
    return (row.created, row.action, row.actor_id, row.subject_id, row.detail)


def refused(error=IntegrityError, match="append-only"):
    """The statement fails; the savepoint keeps the test's transaction usable."""
    return pytest.raises(error, match=match)


def raw(sql: str, params=()) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


@pytest.mark.parametrize(
    "change", [{"action": Action.LOGIN}, {"detail": {"before": "coordinator"}}]
)
def test_an_orm_update_is_refused(event, change):
    before = snapshot(event)
    with refused(), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(**change)
    for name, value in change.items():
        setattr(event, name, value)
    with refused(), transaction.atomic():
        event.save()
    assert snapshot(event) == before


@pytest.mark.parametrize(
    ("column", "value"), [("action", Action.LOGIN), ("detail", '{"before": "coordinator"}')]
)
def test_a_raw_update_is_refused(event, column, value):
    before = snapshot(event)
    with refused(), transaction.atomic():
        raw(f"UPDATE core_auditevent SET {column} = %s WHERE id = %s", [value, event.pk])  # noqa: S608
    assert snapshot(event) == before


def test_a_person_cannot_be_linked_or_swapped_afterwards(event):
    other = UserFactory()
    before = snapshot(event)
    with refused(), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(actor=other)
    with refused(), transaction.atomic():
        # Unlinking one person does not allow a change elsewhere in the same statement.
        AuditEvent.objects.filter(pk=event.pk).update(subject=None, action=Action.LOGIN)
    anonymous = audit(Action.LOGIN_FAILED, email_hash="abc")
    with refused(), transaction.atomic():
        AuditEvent.objects.filter(pk=anonymous.pk).update(subject=other)
    assert snapshot(event) == before
    assert AuditEvent.objects.get(pk=anonymous.pk).subject_id is None


def test_delete_is_refused(event):
    before = snapshot(event)
    with refused(), transaction.atomic():
        event.delete()
    with refused(), transaction.atomic():
        AuditEvent.objects.all().delete()
    with refused(), transaction.atomic():
        raw("DELETE FROM core_auditevent WHERE id = %s", [event.pk])
    assert snapshot(event) == before


def test_deleting_a_person_unlinks_their_events():
    layla, coordinator = UserFactory(), UserFactory(coordinator=True)
    done = audit(Action.ROLE_CHANGED, actor=layla, subject=coordinator, before="member")
    about = audit(Action.ROLE_CHANGED, actor=coordinator, subject=layla, after="coordinator")
    own = audit(Action.LOGIN, actor=layla, subject=layla)

    layla.delete()

    rows = {row.pk: row for row in AuditEvent.objects.filter(pk__in=[done.pk, about.pk, own.pk])}
    assert (rows[done.pk].actor_id, rows[done.pk].subject_id) == (None, coordinator.pk)
    assert (rows[about.pk].actor_id, rows[about.pk].subject_id) == (coordinator.pk, None)
    assert (rows[own.pk].actor_id, rows[own.pk].subject_id) == (None, None)
    assert rows[about.pk].action == Action.ROLE_CHANGED
    assert rows[about.pk].detail == {"after": "coordinator"}
    assert rows[own.pk].created == own.created


@postgresql_only
def test_truncate_is_refused(event):
    # Check the deferred foreign keys now: PostgreSQL refuses TRUNCATE while they are pending.
    raw("SET CONSTRAINTS ALL IMMEDIATE")
    with refused(), transaction.atomic():
        raw("TRUNCATE core_auditevent")
    with refused(), transaction.atomic():
        raw("TRUNCATE core_auditevent, accounts_user CASCADE")
    assert AuditEvent.objects.filter(pk=event.pk).exists()


@pytest.mark.django_db(transaction=True)
def test_flush_empties_the_log_and_closes_the_door_behind_it():
    audit(Action.LOGIN, actor=UserFactory())
    call_command("flush", interactive=False, verbosity=0)
    assert not AuditEvent.objects.exists()

    event = audit(Action.LOGIN, actor=UserFactory())
    with refused(), transaction.atomic():
        event.delete()
    if connection.vendor == "postgresql":
        with refused(), transaction.atomic():
            raw("TRUNCATE core_auditevent")
    assert AuditEvent.objects.filter(pk=event.pk).exists()


GRANTS = """\
REVOKE ALL ON "core_auditevent" FROM "tadamun_app";
GRANT SELECT, INSERT ON "core_auditevent" TO "tadamun_app";
GRANT UPDATE ("actor_id", "subject_id") ON "core_auditevent" TO "tadamun_app";
"""


def test_audit_grants_prints_the_documented_statements():
    out = io.StringIO()
    call_command("audit_grants", role="tadamun_app", stdout=out)
    assert out.getvalue() == GRANTS


def test_audit_grants_quotes_the_role():
    out = io.StringIO()
    call_command("audit_grants", role='App "Role"', stdout=out)
    assert 'FROM "App ""Role""";' in out.getvalue()


@pytest.mark.skipif(connection.vendor == "postgresql", reason="--apply works there")
def test_audit_grants_apply_needs_postgresql():
    with pytest.raises(CommandError, match="PostgreSQL"):
        call_command("audit_grants", role="tadamun_app", apply=True, stdout=io.StringIO())


@postgresql_only
def test_the_grants_leave_the_application_role_only_select_insert_and_unlinking(event):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT rolsuper OR rolcreaterole FROM pg_roles WHERE rolname = current_user"
        )
        if not cursor.fetchone()[0]:
            pytest.skip("the test database role may not create roles")
        # Roles belong to the whole cluster: a unique name, and the test's transaction (rolled
        # back at its end) takes the role and its grants away again.
        role = f"tadamun_audit_test_{uuid.uuid4().hex[:12]}"
        cursor.execute(f'CREATE ROLE "{role}" NOLOGIN')
        call_command("audit_grants", role=role, apply=True, stdout=io.StringIO())
        cursor.execute(f'SET ROLE "{role}"')
        try:
            added = AuditEvent.objects.create(action=Action.LOGIN, actor_id=event.actor_id)
            assert AuditEvent.objects.filter(pk__in=[event.pk, added.pk]).count() == 2
            # Refused by the grants: permission errors, raised before any trigger runs.
            denied = {"error": ProgrammingError, "match": "permission denied"}
            with refused(**denied), transaction.atomic():
                AuditEvent.objects.filter(pk=added.pk).update(action=Action.LOGOUT)
            with refused(**denied), transaction.atomic():
                AuditEvent.objects.filter(pk=added.pk).delete()
            with refused(**denied), transaction.atomic():
                raw("TRUNCATE core_auditevent")
            # What deleting a person does is allowed.
            AuditEvent.objects.filter(pk=added.pk).update(actor=None)
        finally:
            cursor.execute("RESET ROLE")
    assert AuditEvent.objects.get(pk=added.pk).action == Action.LOGIN
    assert AuditEvent.objects.get(pk=added.pk).actor_id is None


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite rebuilds tables")
def test_the_sqlite_triggers_come_back_after_a_migrate(event):
    """A later migration that rebuilds core_auditevent drops its triggers on SQLite; the
    post_migrate handler puts them back."""
    from django.apps import apps

    from tadamun.core.apps import _keep_audit_append_only

    raw("DROP TRIGGER core_auditevent_no_update")
    _keep_audit_append_only(sender=apps.get_app_config("core"), using="default")
    before = snapshot(event)
    with refused(), transaction.atomic():
        raw("UPDATE core_auditevent SET action = 'login' WHERE id = %s", [event.pk])
    assert snapshot(event) == before
