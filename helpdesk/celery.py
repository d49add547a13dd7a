"""The Celery application. Configuration lives in settings.py under the CELERY_ prefix."""

import os

from celery import Celery
from celery.signals import task_postrun, task_prerun
from django.db import close_old_connections

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helpdesk.settings")

app = Celery("helpdesk")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@task_prerun.connect
@task_postrun.connect
def _usable_database_connections(task=None, **_kwargs) -> None:
    """Django's own clean-up around every task, as around every web request: a connection past its age or
    broken (the database restarted) is closed, and the next query opens a new one. Without it one restart
    left a worker failing every task with "connection already closed" until someone restarted it.

    Not for a task run in-process (the quick start, tests): it runs inside the caller's request and
    transaction, whose connection is the caller's to keep."""
    if task is not None and getattr(task.request, "is_eager", False):
        return
    close_old_connections()
