from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _

# The migration that creates the full-text structures (tadamun/search/migrations).
ENGINE_MIGRATION = "0002_full_text_engine"


def _install_engine(sender, using="default", **kwargs) -> None:
    """(Re)create the full-text structures after every migrate: SQLite drops a table's triggers
    when a migration rebuilds it (search.engines.SQLiteEngine)."""
    from django.db import connections
    from django.db.migrations.recorder import MigrationRecorder

    from tadamun.search.engines import ENGINES, engine_for

    connection = connections[using]
    if connection.vendor not in ENGINES:
        return
    applied = MigrationRecorder(connection).applied_migrations()
    if ("search", ENGINE_MIGRATION) in applied:
        engine_for(connection).install()


class SearchConfig(AppConfig):
    name = "tadamun.search"
    verbose_name = _("Search")

    def ready(self):
        from tadamun.documents.models import DocumentVersion
        from tadamun.search import receivers
        from tadamun.translations.models import Translation

        receivers.connect()
        receivers.watch(Translation, lambda translation: translation.item)
        receivers.watch(DocumentVersion, lambda version: version.document)
        post_migrate.connect(_install_engine, sender=self, dispatch_uid="search_install_engine")
