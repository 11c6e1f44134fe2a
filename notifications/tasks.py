"""Celery tasks. Each takes no objects, asserts the world itself and is safe to run twice."""

from celery import shared_task
from django.utils import timezone

from . import delivery, services


@shared_task(acks_late=True, ignore_result=True)
def deliver_pending() -> int:
    """Sends whatever is due. Idempotent (rows are claimed), so a redelivered task is harmless."""
    return delivery.deliver_due()


@shared_task(acks_late=True, ignore_result=True)
def sweep_outbox() -> int:
    """Every minute: rows a lost wake-up or a crashed worker left behind are sent after all."""
    delivery.release_stale_claims(now=timezone.now())
    return delivery.deliver_due()


@shared_task(acks_late=True, ignore_result=True)
def schedule_reminders() -> int:
    """Every minute: writes the reminders that are due (each at most once, by its key)."""
    return services.reminders_due()
