"""The notifications' own writes: an organiser's message to a meeting's registrants, and the
reminders that are due. Each writes its rows through the outbox, which wakes the sender."""

from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from events.choices import EventStatus
from events.models import Event
from registrations.validators import clean_single_line

from . import outbox
from .models import Announcement


class NoRecipients(ValidationError):
    """A message nobody would receive: a conflict with the meeting's registrations as they are
    (the API answers 409), and a form error on the audience in the workspace."""


def announcement_send(*, event_id: int, subject: str, body: str, audience: str, created_by) -> Announcement:
    """Stores an organiser's message to a meeting's confirmed and/or waitlisted people and
    queues one e-mail per recipient, all in one transaction; the sender is woken after commit.

    Raises ValidationError for a subject with line breaks, an empty or too long text, an
    unknown audience, and NoRecipients (one) when nobody would receive it; then nothing is stored.
    `recipient_count` on the returned announcement says how many e-mails were queued.
    """
    with transaction.atomic(durable=True):
        event = Event.objects.get(pk=event_id)
        try:
            subject = clean_single_line(subject)
        except ValidationError as error:
            raise ValidationError({"subject": error.messages}) from None
        announcement = Announcement(
            event=event,
            subject=subject,
            # Browsers send CRLF from a textarea; the e-mail's text part wants plain line feeds.
            body=body.replace("\r\n", "\n").replace("\r", "\n").strip(),
            audience=audience,
            created_by=created_by,
        )
        announcement.full_clean()
        announcement.save()
        announcement.recipient_count = outbox.queue_announcement(announcement)
        if not announcement.recipient_count:
            # Raising rolls the announcement back: a message to nobody is a mistake, not a record.
            raise NoRecipients({"audience": _("Nobody would receive this message.")})
    return announcement


def reminders_due(*, now: datetime | None = None, grace_hours: int = 12) -> int:
    """Writes every reminder that is due now; safe to run any number of times.

    Reminders more than `grace_hours` overdue (the scheduler was down) are dropped rather
    than sent late. Times are instants: 1440 minutes before is 24 real hours, across DST.
    """
    now = now or timezone.now()
    horizon = now + timedelta(days=90)
    created = 0
    for event in Event.objects.filter(status=EventStatus.PUBLISHED, starts_at__gt=now, starts_at__lte=horizon):
        for offset in event.reminder_minutes_before or []:
            due_at = event.starts_at - timedelta(minutes=offset)
            if due_at <= now and now - due_at <= timedelta(hours=grace_hours):
                with transaction.atomic():
                    created += outbox.queue_reminders(event=event, offset_minutes=offset, due_at=due_at)
    return created
