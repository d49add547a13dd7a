"""Thin Celery tasks of the inventory (defined beside their service, listed here for Celery to find)."""

from assets.imports.jobs import import_job_task

__all__ = ["import_job_task"]
