import importlib

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _

APPEND_ONLY_MIGRATION = "tadamun.core.migrations.0005_audit_append_only"


def _keep_audit_append_only(sender, using="default", **kwargs) -> None:
    """SQLite drops a table's triggers when a migration rebuilds it (an AddField or AlterField
    of AuditEvent would): put the append-only triggers back after every migrate."""
    from django.db import connections

    connection = connections[using]
    if connection.vendor != "sqlite":
        return  # PostgreSQL keeps triggers through ALTER TABLE
    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
        if "core_auditevent" not in tables:
            return
        cursor.execute(
            "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name IN "
            "('core_auditevent_no_update', 'core_auditevent_no_delete')"
        )
        if cursor.fetchone()[0] == 2:
            return
        for statement in importlib.import_module(APPEND_ONLY_MIGRATION).SQLITE:
            cursor.execute(statement)


class CoreConfig(AppConfig):
    name = "tadamun.core"
    verbose_name = _("Core")

    def ready(self):
        post_migrate.connect(
            _keep_audit_append_only, sender=self, dispatch_uid="core_audit_append_only"
        )
