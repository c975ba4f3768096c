"""The audit log is append-only: triggers refuse UPDATE, DELETE and (PostgreSQL) TRUNCATE.

One UPDATE stays allowed: setting actor_id and/or subject_id from a person to NULL, which is
what deleting that person does (on_delete=SET_NULL). Everything else in the row must stay as it
was. The triggers raise SQLSTATE 23001 (restrict_violation) on PostgreSQL and RAISE(ABORT) on
SQLite: both reach Django as IntegrityError.

Wiping the whole database (`manage.py flush`, and the test runner between transactional tests)
is the one way to empty the table: core's `flush` command sets `tadamun.audit_flush` for its
own transaction on PostgreSQL, and puts a row in `core_auditevent_flush` on SQLite.

On PostgreSQL the grants of `manage.py audit_grants` are the hard barrier (README, "Privacy
and security"): a role that owns the table can drop these triggers.
"""

from django.db import migrations

POSTGRESQL = [
    """
    CREATE FUNCTION core_auditevent_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'TRUNCATE' THEN
            IF current_setting('tadamun.audit_flush', true) = 'on' THEN
                RETURN NULL;
            END IF;
        ELSIF TG_OP = 'UPDATE'
            AND (NEW.actor_id IS NULL OR NEW.actor_id IS NOT DISTINCT FROM OLD.actor_id)
            AND (NEW.subject_id IS NULL OR NEW.subject_id IS NOT DISTINCT FROM OLD.subject_id)
            -- every other column, present and future, unchanged
            AND to_jsonb(NEW) - 'actor_id' - 'subject_id'
                = to_jsonb(OLD) - 'actor_id' - 'subject_id'
        THEN
            RETURN NEW;
        END IF;
        RAISE EXCEPTION 'audit log is append-only (% on %)', TG_OP, TG_TABLE_NAME
            USING ERRCODE = 'restrict_violation',
                  HINT = 'Only setting actor_id or subject_id to NULL is allowed.';
    END $$
    """,
    # Not CREATE OR REPLACE TRIGGER: PostgreSQL 13 is still supported (README, Deploying).
    "DROP TRIGGER IF EXISTS core_auditevent_append_only ON core_auditevent",
    "CREATE TRIGGER core_auditevent_append_only BEFORE UPDATE OR DELETE ON core_auditevent "
    "FOR EACH ROW EXECUTE FUNCTION core_auditevent_append_only()",
    "DROP TRIGGER IF EXISTS core_auditevent_no_truncate ON core_auditevent",
    "CREATE TRIGGER core_auditevent_no_truncate BEFORE TRUNCATE ON core_auditevent "
    "FOR EACH STATEMENT EXECUTE FUNCTION core_auditevent_append_only()",
]
POSTGRESQL_REVERSE = [
    "DROP TRIGGER IF EXISTS core_auditevent_append_only ON core_auditevent",
    "DROP TRIGGER IF EXISTS core_auditevent_no_truncate ON core_auditevent",
    "DROP FUNCTION IF EXISTS core_auditevent_append_only()",
]

# SQLite drops a table's triggers when a migration rebuilds the table (most AlterField and
# AddField operations): a later migration of AuditEvent must run these statements again.
# tadamun/core/tests/test_audit_append_only.py fails if it does not.
SQLITE = [
    # Not a model: a row here, inside core's `flush` transaction, lets DELETE through.
    "CREATE TABLE IF NOT EXISTS core_auditevent_flush (flushing integer NOT NULL)",
    "DROP TRIGGER IF EXISTS core_auditevent_no_update",
    """
    CREATE TRIGGER core_auditevent_no_update BEFORE UPDATE ON core_auditevent
    WHEN NOT (
        NEW.id IS OLD.id
        AND NEW.created IS OLD.created
        AND NEW.action IS OLD.action
        AND NEW.detail IS OLD.detail
        AND (NEW.actor_id IS NULL OR NEW.actor_id IS OLD.actor_id)
        AND (NEW.subject_id IS NULL OR NEW.subject_id IS OLD.subject_id)
    )
    BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END
    """,
    "DROP TRIGGER IF EXISTS core_auditevent_no_delete",
    """
    CREATE TRIGGER core_auditevent_no_delete BEFORE DELETE ON core_auditevent
    WHEN NOT EXISTS (SELECT 1 FROM core_auditevent_flush)
    BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END
    """,
]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS core_auditevent_no_update",
    "DROP TRIGGER IF EXISTS core_auditevent_no_delete",
    "DROP TABLE IF EXISTS core_auditevent_flush",
]


def _run(statements: dict[str, list[str]]):
    def run(apps, schema_editor):
        for statement in statements.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [("core", "0004_alter_auditevent_action")]

    operations = [
        migrations.RunPython(
            _run({"postgresql": POSTGRESQL, "sqlite": SQLITE}),
            _run({"postgresql": POSTGRESQL_REVERSE, "sqlite": SQLITE_REVERSE}),
        )
    ]
