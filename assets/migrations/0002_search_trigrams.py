from django.db import migrations

# On PostgreSQL only: trigram indexes of what the staff search and the staff directory's and inventory's
# searches match with `icontains` (Django writes UPPER(column::text) LIKE UPPER('%…%'), the expression indexed
# here), so that a search reads a few index entries instead of every employee and device.
COLUMNS = {
    "assets_employee": ("first_name", "last_name", "email", "employee_number"),
    "assets_device": ("asset_tag", "serial_number", "model"),
}


def _name(table: str, column: str) -> str:
    return f"{table.removeprefix('assets_')}_{column}_trgm"


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for table, columns in COLUMNS.items():
        for column in columns:
            schema_editor.execute(
                f"CREATE INDEX {_name(table, column)} ON {table} USING gin (upper(({column})::text) gin_trgm_ops)"
            )


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, columns in COLUMNS.items():
        for column in columns:
            schema_editor.execute(f"DROP INDEX IF EXISTS {_name(table, column)}")


class Migration(migrations.Migration):
    dependencies = [
        ("assets", "0001_initial"),
    ]

    operations = [migrations.RunPython(create_indexes, drop_indexes)]
