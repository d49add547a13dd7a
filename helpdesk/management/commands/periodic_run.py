"""Run the periodic jobs of CELERY_BEAT_SCHEDULE in this process, for the quick start.

Production runs Celery beat with workers; the quick start has no Redis, so `make run` runs this beside
the development server: the same schedule, each job run in-process when it is due.
"""

import logging
import time
from datetime import timedelta

from celery.schedules import schedule as every
from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from helpdesk.celery import app as celery_app

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Run the periodic jobs in-process when they are due (quick start only; production runs beat)."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="Run every job once and stop.")
        parser.add_argument("--tick", type=float, default=5.0, help="Seconds between checks.")

    def handle(self, *args, once: bool, tick: float, **options):
        # The apps' tasks modules are found lazily, when a worker starts; this process is no worker.
        celery_app.loader.import_default_modules()
        jobs = {}
        for name, entry in settings.CELERY_BEAT_SCHEDULE.items():
            rule = entry["schedule"]
            if isinstance(rule, int | float | timedelta):
                rule = every(timedelta(seconds=rule) if not isinstance(rule, timedelta) else rule)
            jobs[name] = (entry["task"], rule)
        last_run = dict.fromkeys(jobs, timezone.now())
        self.stdout.write(f"Periodic jobs in-process: {', '.join(sorted(jobs))}")
        while True:
            for name, (task_name, rule) in jobs.items():
                due = once or rule.is_due(last_run[name]).is_due
                if not due:
                    continue
                last_run[name] = timezone.now()
                try:
                    celery_app.tasks[task_name].apply(throw=True)
                except Exception:
                    logger.exception("periodic job %s failed", name)
            if once:
                return
            time.sleep(tick)  # a scheduler's idle wait between checks
