from django.contrib.postgres.search import SearchVectorField
from django.db import migrations

from tickets import search

# On PostgreSQL only (the quick start's SQLite matches words as written): what the staff search reads. Every
# ticket's stored vector (the similar solved tickets read only the solved ones, ticket_solved_search), and
# every comment's words as written, stored like the tickets' so that reading a few thousand of them is cheap.
INDEXES = {
    "ticket_search": "CREATE INDEX ticket_search ON tickets_ticket USING gin (search)",
    "comment_search": "CREATE INDEX comment_search ON tickets_comment USING gin (search)",
}


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        search.fill_comments(apps=apps)
        for statement in INDEXES.values():
            schema_editor.execute(statement)


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name in INDEXES:
            schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("tickets", "0017_service_level_missed"),
    ]

    operations = [
        migrations.AddField(
            model_name="comment",
            name="search",
            field=SearchVectorField(blank=True, editable=False, null=True),
        ),
        migrations.RunPython(create_indexes, drop_indexes),
    ]
