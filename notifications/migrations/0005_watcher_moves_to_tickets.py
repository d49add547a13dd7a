# Watchers moved to the tickets app (who hears what about a ticket lives there). The table stays where it is
# and keeps its rows: only Django's picture of the models changes, here and in tickets 0013.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0004_kind_choices_from_registry"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="Watcher")],
            database_operations=[],
        ),
    ]
