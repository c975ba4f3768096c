"""The full-text structures beside search_searchentry, for the database in use: an FTS5 table
and its triggers on SQLite, a generated tsvector column with a GIN index on PostgreSQL (see
tadamun.search.engines). Existing content is indexed by `manage.py search_reindex`."""

from django.db import migrations


def install(apps, schema_editor):
    from tadamun.search.engines import ENGINES, engine_for

    if schema_editor.connection.vendor in ENGINES:
        engine_for(schema_editor.connection).install()


def uninstall(apps, schema_editor):
    from tadamun.search.engines import ENGINES, engine_for

    if schema_editor.connection.vendor in ENGINES:
        engine_for(schema_editor.connection).uninstall()


class Migration(migrations.Migration):
    dependencies = [("search", "0001_initial")]

    operations = [migrations.RunPython(install, uninstall)]
