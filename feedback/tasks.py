"""Celery tasks. Each takes no objects, asserts the world itself and is safe to run twice."""

from celery import shared_task

from . import services


@shared_task(acks_late=True, ignore_result=True)
def schedule_feedback_surveys() -> int:
    """Every minute: writes the survey e-mails that are due (each at most once, by its key)."""
    return services.feedback_requests_due()
