from django.contrib.postgres.search import SearchVectorField
from django.db import migrations, models

from tickets import search

# On PostgreSQL only (the quick start's SQLite has neither): the trigram extension (trusted since
# PostgreSQL 13, so the database's owner may create it) and the two indexes the similar solved tickets
# are found by. A ticket written before kept no language: it counts as written in the desk's own.
INDEXES = (
    "CREATE INDEX ticket_solved_search ON tickets_ticket USING gin (search) WHERE status IN ('closed', 'resolved')",
    "CREATE INDEX ticket_solved_subject_trgm ON tickets_ticket USING gin (subject gin_trgm_ops) "
    "WHERE status IN ('closed', 'resolved')",
)


def create_search(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    search.fill(apps=apps)
    for statement in INDEXES:
        schema_editor.execute(statement)


def drop_search(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS ticket_solved_search")
    schema_editor.execute("DROP INDEX IF EXISTS ticket_solved_subject_trgm")


class Migration(migrations.Migration):
    dependencies = [
        ("tickets", "0015_repeat_failure"),
    ]

    operations = [
        migrations.AddField(
            model_name="ticket",
            name="language",
            field=models.CharField(blank=True, db_default="", default="", max_length=8, verbose_name="language"),
        ),
        migrations.AddField(
            model_name="ticket",
            name="search",
            field=SearchVectorField(blank=True, editable=False, null=True),
        ),
        migrations.RunPython(create_search, drop_search),
    ]
