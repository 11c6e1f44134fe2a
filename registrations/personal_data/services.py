"""Writes about a person's own data: e-mailing them the link to it, deleting it (on their
request or after the retention period), and the organisers' privacy notice of the sign-up form.

Deleting means anonymising: name, organisation and address go, and so do the links, theme
interests and calendar feed; what the reports count stays (status, attendance, gender,
municipality, organisation type). Each person's address becomes one random placeholder
(anon-<hex>@anonymised.invalid), the same for all rows anonymised together, so "unique
attendees" (distinct addresses) and the one-registration-per-address rule still hold. The
placeholder is random, not derived from the address, so nothing leads back to the person.
"""

import re
import secrets
import uuid
from dataclasses import dataclass, fields
from datetime import datetime, timedelta
from importlib import import_module

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone

from accounts.models import hash_secret
from feedback.services import feedback_forget
from notifications import outbox
from notifications.models import CalendarFeed, Message

from ..choices import ACTIVE_STATUSES, Status
from ..models import ManageLink, PrivacyNotice, Registration, RegistrationChange, ThemeInterest
from ..services import lock_events, waitlist_promote

Action = RegistrationChange.Action
RETENTION_BATCH = 500
# Keys of Message.context that name the person (theme announcements greet them by name).
PERSONAL_CONTEXT_KEYS = frozenset({"name"})
# What a history line's detail may keep: facts about the registration, none about the person.
HISTORY_DETAIL_KEYS = frozenset({"was_confirmed", "status", "confirmed_from_waitlist", "all_unmarked", "reason"})
SKIPPED_REASON = "personal data deleted"

# Anonymised rows keep an address of this reserved domain (RFC 2606), one per person.
PLACEHOLDER_DOMAIN = "anonymised.invalid"


def placeholder_address(email: str) -> bool:
    return email.lower().endswith("@" + PLACEHOLDER_DOMAIN)


@dataclass
class ErasureOutcome:
    registrations: int = 0
    cancelled: int = 0
    messages: int = 0
    theme_interests: int = 0
    calendar_feeds: int = 0

    def __iadd__(self, other: "ErasureOutcome") -> "ErasureOutcome":
        for field in fields(self):
            setattr(self, field.name, getattr(self, field.name) + getattr(other, field.name))
        return self


# The link to the data


def privacy_link_request(*, registration_id: int) -> bool:
    """Queues an e-mail to the registration's address with a signed link to everything held
    about it; at most one per registration and hour. False for a registration without an
    address or already anonymised (then nothing is sent)."""
    with transaction.atomic(durable=True):
        registration = Registration.objects.get(pk=registration_id)
        if not registration.email or registration.anonymised_at:
            return False
        outbox.queue_privacy_link(registration, now=timezone.now())
    return True


# Anonymising


def _placeholder() -> str:
    return f"anon-{uuid.uuid4().hex}@{PLACEHOLDER_DOMAIN}"


def _of_address(address: str):
    return Registration.objects.alias(address=Lower("email")).filter(address=address)


def _anonymise(registrations: list[Registration], *, now: datetime, reason: str) -> dict[str, str]:
    """Anonymises registrations the caller has locked; returns the placeholder of each
    address (in lower case). Rows without an address keep none: each stays one person."""
    placeholders: dict[str, str] = {}
    for registration in registrations:
        if registration.email:
            registration.email = placeholders.setdefault(registration.email.lower(), _placeholder())
        registration.name = ""
        registration.organisation = ""
        # A hash of a token nobody has: every manage link of the registration stops working.
        registration.token_hash = hash_secret(secrets.token_urlsafe(32))
        registration.anonymised_at = now
    Registration.objects.bulk_update(
        registrations, ["email", "name", "organisation", "token_hash", "anonymised_at"], batch_size=RETENTION_BATCH
    )
    ids = [registration.id for registration in registrations]
    ManageLink.objects.filter(registration_id__in=ids).delete()
    feedback_forget(registration_ids=ids)
    # Today's services write no personal detail into the history; this keeps it so.
    changes = [
        change
        for change in RegistrationChange.objects.filter(registration_id__in=ids).only("id", "detail")
        if set(change.detail) - HISTORY_DETAIL_KEYS
    ]
    for change in changes:
        change.detail = {key: value for key, value in change.detail.items() if key in HISTORY_DETAIL_KEYS}
    RegistrationChange.objects.bulk_update(changes, ["detail"])
    RegistrationChange.objects.bulk_create(
        [
            RegistrationChange(registration_id=pk, action=Action.ANONYMISED, at=now, detail={"reason": reason})
            for pk in ids
        ]
    )
    return placeholders


def _redact(text: str, address: str, placeholder: str) -> str:
    return re.sub(re.escape(address), placeholder, text, flags=re.IGNORECASE) if text and address else text


def _anonymise_messages(messages, placeholders: dict[str, str]) -> int:
    """The outbox rows get the placeholder as recipient and lose personal context; those not
    sent yet are skipped, so nothing is ever sent about an anonymised registration."""
    rows = list(messages.only("id", "recipient", "context", "state", "last_error"))
    for message in rows:
        placeholder = placeholders.setdefault(message.recipient.lower(), _placeholder())
        message.last_error = _redact(message.last_error, message.recipient, placeholder)
        message.recipient = placeholder
        message.context = {key: value for key, value in message.context.items() if key not in PERSONAL_CONTEXT_KEYS}
        if message.state == Message.State.PENDING:
            message.state = Message.State.SKIPPED
            message.last_error = SKIPPED_REASON
    Message.objects.bulk_update(rows, ["recipient", "context", "state", "last_error"], batch_size=RETENTION_BATCH)
    return len(rows)


def _cancel_upcoming(address: str, *, now: datetime) -> int:
    """Active registrations for meetings not yet started are cancelled and their seats given
    to the waiting list: nobody could be reached about them any more. Meetings are locked in
    id order, as sign-ups lock them, so the two cannot deadlock."""
    upcoming = _of_address(address).filter(status__in=ACTIVE_STATUSES, event__starts_at__gt=now)
    event_ids = sorted(set(upcoming.values_list("event_id", flat=True)))
    if not event_ids:
        return 0
    events = lock_events(event_ids).values()
    registrations = list(upcoming.filter(event_id__in=event_ids))  # read again under the locks
    changes = []
    for registration in registrations:
        changes.append(
            RegistrationChange(
                registration=registration,
                action=Action.CANCELLED,
                at=now,
                detail={"was_confirmed": registration.status == Status.CONFIRMED},
            )
        )
        registration.status = Status.CANCELLED
        registration.cancelled_at = now
    Registration.objects.bulk_update(registrations, ["status", "cancelled_at"])
    RegistrationChange.objects.bulk_create(changes)
    for event in events:
        waitlist_promote(event)
    return len(registrations)


def personal_data_erase(*, email: str) -> ErasureOutcome:
    """Deletes, at the person's request, everything personal held for `email` (any case), in
    one transaction: registrations are anonymised (those for meetings not yet started are
    cancelled first, promoting the waiting list), their links die, messages lose the address
    and unsent ones are skipped, theme interests and the calendar feed are deleted. The
    reports' figures do not change. Running it again changes nothing."""
    address = email.strip().lower()
    if not address or placeholder_address(address):
        return ErasureOutcome()
    now = timezone.now()
    with transaction.atomic(durable=True):
        cancelled = _cancel_upcoming(address, now=now)
        registrations = list(
            _of_address(address).filter(anonymised_at__isnull=True).select_for_update(no_key=True).order_by("id")
        )
        ids = [registration.id for registration in registrations]
        placeholders = _anonymise(registrations, now=now, reason="request")
        messages = Message.objects.alias(address=Lower("recipient")).filter(
            Q(address=address) | Q(registration_id__in=ids)
        )
        return ErasureOutcome(
            registrations=len(registrations),
            cancelled=cancelled,
            messages=_anonymise_messages(messages, placeholders),
            theme_interests=ThemeInterest.objects.alias(address=Lower("email")).filter(address=address).delete()[0],
            calendar_feeds=CalendarFeed.objects.filter(email=address).delete()[0],
        )


# Retention


def _retention_batch(*, cutoff: datetime, now: datetime, batch_size: int) -> ErasureOutcome:
    """Up to `batch_size` people (all their registrations for meetings that ended before
    `cutoff`), as many registrations without an address, and as many old messages not tied
    to a registration (theme announcements). Rows are locked, and a concurrent run that waited
    for them finds them anonymised and skips them."""
    pending = Registration.objects.filter(anonymised_at__isnull=True, event__ends_at__lt=cutoff)
    addresses = list(
        pending.exclude(email="")
        .annotate(address=Lower("email"))
        .order_by("address")
        .values_list("address", flat=True)
        .distinct()[:batch_size]
    )
    # Locked in id order, so two runs that want the same rows queue up instead of deadlocking.
    locked = pending.select_for_update(of=("self",), no_key=True).order_by("id")
    registrations = list(locked.alias(address=Lower("email")).filter(address__in=addresses)) if addresses else []
    registrations += list(locked.filter(email="")[:batch_size])
    ids = [registration.id for registration in registrations]
    placeholders = _anonymise(registrations, now=now, reason="retention")
    orphans = list(
        Message.objects.filter(registration__isnull=True, event__ends_at__lt=cutoff)
        .exclude(recipient__endswith="@" + PLACEHOLDER_DOMAIN)
        .select_for_update(of=("self",), skip_locked=True)
        .order_by("id")
        .values_list("id", flat=True)[:batch_size]
    )
    messages = Message.objects.filter(Q(registration_id__in=ids) | Q(id__in=orphans))
    return ErasureOutcome(registrations=len(registrations), messages=_anonymise_messages(messages, placeholders))


def personal_data_retention(*, now: datetime | None = None, batch_size: int = RETENTION_BATCH) -> ErasureOutcome:
    """Anonymises what is older than PERSONAL_DATA_RETENTION_DAYS: registrations (and their
    messages) of meetings that ended before then, theme interests given before then, and
    calendar feeds left without a registration. One short transaction per batch; safe to run
    twice or concurrently. A finalised report keeps its figures (they are frozen in it), and
    the figures of the period do not change either, except that one person whose meetings in
    it were anonymised in different runs now counts once per run (see the README)."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.PERSONAL_DATA_RETENTION_DAYS)
    total = ErasureOutcome()
    while True:
        with transaction.atomic(durable=True):
            batch = _retention_batch(cutoff=cutoff, now=now, batch_size=batch_size)
        total += batch
        if not batch.registrations and not batch.messages:
            break
    with transaction.atomic(durable=True):
        total.theme_interests = ThemeInterest.objects.filter(created_at__lt=cutoff).delete()[0]
        live = (
            Registration.objects.filter(anonymised_at__isnull=True).exclude(email="").annotate(address=Lower("email"))
        )
        total.calendar_feeds = CalendarFeed.objects.exclude(email__in=live.values("address")).delete()[0]
    # Sessions hold the address of a sign-up for its thank-you page; expired ones go too.
    import_module(settings.SESSION_ENGINE).SessionStore.clear_expired()
    return total


# The privacy notice


def privacy_notice_update(*, text_sv: str, text_en: str, by) -> PrivacyNotice:
    """Saves the organisers' privacy notice (plain text; empty brings back the built-in one)."""

    def clean(text: str) -> str:
        return text.replace("\r\n", "\n").replace("\r", "\n").strip()

    with transaction.atomic(durable=True):
        notice, _created = PrivacyNotice.objects.update_or_create(
            pk=1, defaults={"text_sv": clean(text_sv), "text_en": clean(text_en), "updated_by": by}
        )
    return notice
