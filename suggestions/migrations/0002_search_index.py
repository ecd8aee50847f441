"""The GIN index on ``Suggestion.search_vector``, on PostgreSQL only.

The development default (SQLite) has no tsvector; search falls back to a plain
substring match there (``suggestions.search``).
"""

from django.db import migrations

INDEX = "suggestion_search"


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {INDEX} ON suggestions_suggestion "
        "USING gin (search_vector)"
    )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("suggestions", "0001_initial")]

    operations = [migrations.RunPython(create_index, drop_index)]
