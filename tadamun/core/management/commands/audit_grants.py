"""`manage.py audit_grants --role NAME [--apply]`: the PostgreSQL grants that make the audit log
append-only for the application's role (README, "Privacy and security").

The application connects as a role that does not own the tables; migrations run as the owner.
The application's role may read the audit log and add to it, and may set actor/subject to NULL
(deleting a person does that), nothing else. Printed by default, for review or a deployment
script; `--apply` runs them (PostgreSQL only), as the owner, after every `migrate`.
"""

from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections, transaction

from tadamun.core.models import AuditEvent


def quote(name: str) -> str:
    """An SQL identifier, double-quoted: any role name works, keywords and capitals included."""
    return '"' + name.replace('"', '""') + '"'


def grant_statements(role: str) -> list[str]:
    table = quote(AuditEvent._meta.db_table)
    actor = quote(AuditEvent._meta.get_field("actor").column)
    subject = quote(AuditEvent._meta.get_field("subject").column)
    role = quote(role)
    return [
        # Revoking a table privilege revokes the column privileges too: this starts clean.
        f"REVOKE ALL ON {table} FROM {role};",
        f"GRANT SELECT, INSERT ON {table} TO {role};",
        # Deleting a person sets these to NULL (on_delete=SET_NULL); the trigger refuses any
        # other change to them.
        f"GRANT UPDATE ({actor}, {subject}) ON {table} TO {role};",
    ]


class Command(BaseCommand):
    help = (
        "Print (or with --apply run, PostgreSQL only) the GRANT/REVOKE statements that leave "
        "the application's database role only SELECT and INSERT on the audit log."
    )

    def add_arguments(self, parser):
        parser.add_argument("--role", required=True, help="The application's database role.")
        parser.add_argument(
            "--apply", action="store_true", help="Run the statements (as the table owner)."
        )
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS, choices=tuple(connections))

    def handle(self, *args, role: str, apply: bool, database: str, **options):
        if not role:
            raise CommandError("--role must not be empty.")
        statements = grant_statements(role)
        if apply:
            connection = connections[database]
            if connection.vendor != "postgresql":
                raise CommandError(
                    f"--apply needs PostgreSQL; this database is {connection.vendor}."
                )
            with transaction.atomic(using=database), connection.cursor() as cursor:
                for statement in statements:
                    cursor.execute(statement)
        for statement in statements:
            self.stdout.write(statement)
