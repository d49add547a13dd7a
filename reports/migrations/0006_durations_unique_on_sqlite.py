from django.db import migrations

# The unique constraint day_durations_slice carries the count (INCLUDE), which only PostgreSQL has: Django
# leaves such a constraint out on SQLite, and the durations' upsert (ON CONFLICT on those columns) then
# fails there, so resolving a ticket failed in the quick start. The same columns, unique, without the count.
COLUMNS = "grain, group_by, within, within_member, measure, day, member, bucket"


def create_unique(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(
            f"CREATE UNIQUE INDEX IF NOT EXISTS day_durations_slice_sqlite ON reports_daydurations ({COLUMNS})"
        )


def drop_unique(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute("DROP INDEX IF EXISTS day_durations_slice_sqlite")


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0005_slice_statistics"),
    ]

    operations = [migrations.RunPython(create_unique, drop_unique)]
