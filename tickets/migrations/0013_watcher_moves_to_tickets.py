# Watchers moved here from the notifications app (notifications 0005): the table notifications_watcher and its
# rows and constraints stay as they are; only Django's picture of the models changes.

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("tickets", "0012_attachment_file_index"),
        ("notifications", "0005_watcher_moves_to_tickets"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name="Watcher",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("email", models.EmailField(blank=True, max_length=254, verbose_name="email address")),
                        ("created_at", models.DateTimeField(default=django.utils.timezone.now, verbose_name="added")),
                        (
                            "added_by",
                            models.ForeignKey(
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="added by",
                            ),
                        ),
                        (
                            "ticket",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="watchers",
                                to="tickets.ticket",
                                verbose_name="ticket",
                            ),
                        ),
                        (
                            "user",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="watching",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="user",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "watcher",
                        "verbose_name_plural": "watchers",
                        "db_table": "notifications_watcher",
                        "constraints": [
                            models.UniqueConstraint(fields=("ticket", "user"), name="watcher_unique_user"),
                            models.UniqueConstraint(
                                condition=models.Q(("email", ""), _negated=True),
                                fields=("ticket", "email"),
                                name="watcher_unique_email",
                            ),
                            models.CheckConstraint(
                                condition=models.Q(
                                    ("user__isnull", False), models.Q(("email", ""), _negated=True), _connector="OR"
                                ),
                                name="watcher_user_or_email",
                            ),
                        ],
                    },
                ),
            ],
        ),
    ]
