"""Django's `flush`, able to empty the append-only audit log.

The audit log's triggers (core migration 0005) refuse TRUNCATE on PostgreSQL and DELETE on
SQLite. Wiping the whole database is the one exception: `manage.py flush`, and the test runner,
which flushes after every transactional test. This command opens that door for its own
transaction only. A role without the TRUNCATE privilege on the audit table (`manage.py
audit_grants`) still cannot flush.
"""

from django.core.management.commands import flush
from django.db import connections, transaction

SQLITE_FLAG_TABLE = "core_auditevent_flush"


class Command(flush.Command):
    def handle(self, **options):
        connection = connections[options["database"]]
        with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
            flag = False
            if connection.vendor == "postgresql":
                # Transaction-local: gone at COMMIT or ROLLBACK.
                cursor.execute("SELECT set_config('tadamun.audit_flush', 'on', true)")
            elif connection.vendor == "sqlite":
                flag = SQLITE_FLAG_TABLE in connection.introspection.table_names(cursor)
                if flag:
                    cursor.execute(f"INSERT INTO {SQLITE_FLAG_TABLE} (flushing) VALUES (1)")  # noqa: S608  # nosec B608
            super().handle(**options)
            if flag:
                cursor.execute(f"DELETE FROM {SQLITE_FLAG_TABLE}")  # noqa: S608  # nosec B608
