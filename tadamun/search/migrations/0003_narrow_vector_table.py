"""PostgreSQL: the tsvector moves from a generated column of search_searchentry to a narrow
table of its own, `search_tsv`, kept in step by triggers (tadamun.search.engines). Nothing
changes on SQLite."""

from django.db import migrations


def install(apps, schema_editor):
    from tadamun.search.engines import PostgreSQLEngine

    if schema_editor.connection.vendor == PostgreSQLEngine.vendor:
        PostgreSQLEngine(schema_editor.connection).install()


def uninstall(apps, schema_editor):
    """Back to the generated column of 0002."""
    from tadamun.search.engines import PostgreSQLEngine

    if schema_editor.connection.vendor != PostgreSQLEngine.vendor:
        return
    PostgreSQLEngine(schema_editor.connection).uninstall()
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "ALTER TABLE search_searchentry ADD COLUMN IF NOT EXISTS tsv tsvector "
            "GENERATED ALWAYS AS ("
            "setweight(to_tsvector('simple'::regconfig, coalesce(title_terms, '')), 'A') || "
            "setweight(to_tsvector('simple'::regconfig, coalesce(body_terms, '')), 'B')"
            ") STORED"
        )
        cursor.execute(
            "CREATE INDEX IF NOT EXISTS search_entry_tsv ON search_searchentry USING gin (tsv)"
        )


class Migration(migrations.Migration):
    dependencies = [("search", "0002_full_text_engine")]

    operations = [migrations.RunPython(install, uninstall)]
