"""Celery tasks. Each takes no objects, asserts the world itself and is safe to run twice."""

from celery import shared_task

from .personal_data.services import personal_data_retention as retention


@shared_task(acks_late=True, ignore_result=True)
def personal_data_retention() -> int:
    """Hourly: anonymises the personal data of meetings that ended longer ago than
    PERSONAL_DATA_RETENTION_DAYS, in short batches; returns how many registrations.
    Idempotent (only rows not yet anonymised are taken), and concurrent runs skip each other's rows."""
    return retention().registrations
