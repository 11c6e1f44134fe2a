"""Sending the outbox: claim a batch of due rows, send them over one SMTP connection, record
each outcome. Every row is claimed by a conditional UPDATE before SMTP is spoken to, so two
workers, two beats or a retried task never send the same row twice.

Temporary failures (SMTP 4xx, a dropped or refused connection) are retried with back-off;
permanent ones (SMTP 5xx) are marked failed for organisers to see, and not retried.
"""

import logging
import re
import smtplib
import time
from datetime import datetime, timedelta

from django.core.mail import mailers
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from events.choices import EventStatus
from feedback.models import OPEN_FOR as SURVEY_OPEN_FOR
from registrations.choices import Status
from registrations.personal_data.services import placeholder_address

from . import emails, wakeup
from .models import Message

logger = logging.getLogger(__name__)
Kind, State = Message.Kind, Message.State

# Rows claimed, and personal links made, in one go. Not more: with larger batches one worker
# is left finishing its last batch alone while the others have nothing to claim.
BATCH_SIZE = 50
MAX_ATTEMPTS = 8
# A row claimed this long ago by a worker that never reported back is handed out again.
STALE_CLAIM = timedelta(minutes=15)


class PermanentFailure(Exception):
    pass


def claim_batch(*, now: datetime, limit: int = BATCH_SIZE) -> list[Message]:
    """Takes up to `limit` due rows for this worker alone."""
    with transaction.atomic():
        due = (
            Message.objects.select_for_update(skip_locked=True)
            .filter(state=State.PENDING, next_attempt_at__lte=now)
            .order_by("next_attempt_at", "id")
            .values_list("id", flat=True)[:limit]
        )
        ids = list(due)
        if ids:
            Message.objects.filter(pk__in=ids, state=State.PENDING).update(
                state=State.SENDING, claimed_at=now, attempts=F("attempts") + 1
            )
    # Sent in the order they were written (the model's default ordering is newest first), so a
    # person reads "confirmed" before "changed" or "cancelled" when both go in one batch.
    claimed = list(
        Message.objects.filter(pk__in=ids, state=State.SENDING)
        .order_by("id")
        .select_related("registration", "event", "announcement")
    )
    for message in claimed:
        # The invite reads registration.event: the meeting already loaded, not a query per message.
        if message.registration is not None and message.registration.event_id == message.event_id:
            message.registration.event = message.event
    return claimed


def _skip_reason(message: Message, now: datetime) -> str:
    """Why the message is not needed any more (the world changed since it was written), or ""."""
    registration, event = message.registration, message.event
    # Checked first and for every kind: nothing is ever sent about deleted personal data.
    if placeholder_address(message.recipient) or (registration is not None and registration.anonymised_at):
        return "personal data deleted"
    if message.kind == Kind.PRIVACY_LINK and registration is None:
        return "registration is gone"
    if message.kind == Kind.REMINDER:
        if registration is None or registration.status != Status.CONFIRMED:
            return "registration is no longer confirmed"
        if event.status != EventStatus.PUBLISHED or event.starts_at <= now:
            return "meeting is cancelled or has started"
        if event.starts_at != message.event_starts_at:
            return "meeting has moved; its reminders are written anew"
    if message.kind == Kind.FEEDBACK_REQUEST:
        if registration is None or registration.attended is not True:
            return "no longer marked as attended"
        if event.status != EventStatus.PUBLISHED or not event.feedback_survey:
            return "meeting is cancelled or its survey is off"
        if now >= event.ends_at + SURVEY_OPEN_FOR:
            return "the survey has closed"
    if message.kind == Kind.THEME_ANNOUNCEMENT and (event.status != EventStatus.PUBLISHED or event.starts_at <= now):
        return "meeting is no longer upcoming"
    if registration is not None and message.kind in (
        Kind.CONFIRMATION,
        Kind.WAITLISTED,
        Kind.PROMOTED,
        Kind.EVENT_CHANGED,
        Kind.MANAGE_LINK,
        Kind.ORGANISER_MESSAGE,
    ):
        if registration.status == Status.CANCELLED:
            return "registration is cancelled"
        if message.kind == Kind.WAITLISTED and registration.status == Status.CONFIRMED:
            return "already confirmed from the waiting list"
    return ""


def _smtp_code(error: Exception) -> int | None:
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in error.recipients.values()]
        return max(codes) if codes else None
    return getattr(error, "smtp_code", None)


def _record_failure(message: Message, error: Exception, now: datetime, *, temporary: bool = False) -> None:
    code = _smtp_code(error)
    text = f"{type(error).__name__}: {error}"[:2000]
    # SMTP replies often repeat the recipient's address; the log names the message by id only.
    logged = _without_address(text, message.recipient)
    permanent = not temporary and code is not None and 500 <= code < 600
    if permanent or message.attempts >= MAX_ATTEMPTS:
        Message.objects.filter(pk=message.pk).update(state=State.FAILED, last_error=text)
        logger.warning("message %s failed for good: %s", message.pk, logged)
        return
    # 1, 2, 4 ... minutes, at most an hour.
    delay = timedelta(minutes=min(2 ** (message.attempts - 1), 60))
    Message.objects.filter(pk=message.pk).update(state=State.PENDING, next_attempt_at=now + delay, last_error=text)
    logger.info("message %s will be retried in %s: %s", message.pk, delay, logged)


def _without_address(text: str, address: str) -> str:
    return re.sub(re.escape(address), "<recipient>", text, flags=re.IGNORECASE) if address else text


def send_batch(messages: list[Message], *, now: datetime) -> int:
    """Sends claimed rows over one connection; returns how many were sent."""
    sent = 0
    mailer = mailers.default
    reasons = {message.pk: _skip_reason(message, now) for message in messages}
    try:
        links = emails.links_for(message for message in messages if not reasons[message.pk])
    except Exception:  # each message then makes its own links, and reports its own failure
        logger.exception("links for a batch of %s messages could not be made", len(messages))
        links = None
    try:
        for index, message in enumerate(messages):
            reason = reasons[message.pk]
            if reason:
                Message.objects.filter(pk=message.pk).update(state=State.SKIPPED, last_error=reason)
                continue
            try:
                email = emails.build(message, links=links)
            except Exception as error:  # a message that cannot be rendered will not render next time
                logger.exception("message %s could not be built", message.pk)
                Message.objects.filter(pk=message.pk).update(state=State.FAILED, last_error=f"build: {error}"[:2000])
                continue
            try:
                mailer.open()
            except (smtplib.SMTPException, OSError) as error:
                # No connection (refused, timed out, no greeting, login refused): each further
                # message would wait out the same timeout in turn, so the rest of the batch goes
                # back with this one. Even a 5xx here (554 greeting, 535 login) is about the
                # server or our settings, not the recipient, so nothing is failed for good.
                for unsent in messages[index:]:
                    _record_failure(unsent, error, now, temporary=True)
                break
            try:
                mailer.send_messages([email])
            except (smtplib.SMTPException, OSError) as error:
                _record_failure(message, error, now)
                mailer.close()  # the connection may be half-dead; the next message opens a fresh one
                continue
            except Exception as error:
                # Not the server's answer but this message (e.g. a domain IDNA cannot encode): it
                # would fail the same way every time, and raising would strand the rest of the
                # batch in SENDING until its claim went stale.
                # Such errors quote the address (Django's "Invalid address ..."): logged without it.
                detail = _without_address(f"{type(error).__name__}: {error}", message.recipient)
                logger.error("message %s cannot be sent: %s", message.pk, detail)
                Message.objects.filter(pk=message.pk).update(state=State.FAILED, last_error=f"send: {error}"[:2000])
                mailer.close()
                continue
            Message.objects.filter(pk=message.pk).update(state=State.SENT, sent_at=timezone.now(), last_error="")
            sent += 1
    finally:
        mailer.close()
    return sent


def release_stale_claims(*, now: datetime) -> int:
    """Rows a crashed worker claimed go back to the queue."""
    return Message.objects.filter(state=State.SENDING, claimed_at__lt=now - STALE_CLAIM).update(state=State.PENDING)


def deliver_due(*, time_budget: float = 50.0) -> int:
    """Sends due rows in batches until none are left or the time budget is spent.

    The first full batch means more rows may be due, so one more wake-up is queued for an
    idle worker to send beside this one; when the budget runs out another carries on, so
    tasks stay short enough to be redelivered safely.
    """
    started = time.monotonic()
    total = 0
    helper_asked = False
    while True:
        now = timezone.now()
        batch = claim_batch(now=now)
        if not batch:
            return total
        if len(batch) == BATCH_SIZE and not helper_asked:
            _wake_another_sender()
            helper_asked = True
        total += send_batch(batch, now=now)
        if time.monotonic() - started >= time_budget:
            _wake_another_sender()
            return total


def _wake_another_sender() -> None:
    try:
        wakeup.publish_wake_up()
    except Exception:  # the broker is unreachable: the minute's sweep takes the rest
        logger.warning("could not queue a wake-up for the rest of the outbox", exc_info=True)
