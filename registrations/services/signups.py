"""Sign-ups and cancellation: signing a person up (online or added by an organiser), their
interest in themes, cancelling, and giving freed seats to the waiting list."""

import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from django.db import transaction
from django.db.models import Value
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import hash_secret
from coaching.selectors import nearest_free_slots
from events.models import Event, Theme
from notifications import outbox

from ..choices import Gender, Language, OrganisationType, Source, Status
from ..models import Registration, RegistrationChange, ThemeInterest
from ..selectors import confirmed_count, waitlist_position
from . import slots
from .locks import lock_event, lock_events


@dataclass(frozen=True)
class PersonDetails:
    name: str
    email: str
    municipality: str
    organisation: str = ""
    organisation_type: str = OrganisationType.OTHER
    gender: str = Gender.UNSTATED
    language: str = Language.SWEDISH

    @classmethod
    def from_cleaned(cls, data: Mapping[str, Any], *, default_language: str) -> "PersonDetails":
        """From a form's cleaned data or an API schema's fields. A gender left out is "unstated",
        a type of organisation left out "other", a language left out `default_language`."""
        return cls(
            name=data["name"],
            email=data["email"],
            municipality=data["municipality"],
            organisation=data.get("organisation", ""),
            organisation_type=data.get("organisation_type") or OrganisationType.OTHER,
            gender=data.get("gender") or Gender.UNSTATED,
            language=data.get("language") or default_language,
        )


@dataclass(frozen=True)
class SignupOutcome:
    event: Event
    registration: Registration
    # "confirmed", "waitlisted" or "already_registered"
    status: str
    manage_token: str | None = None
    waitlist_position: int | None = None


class SignupRejected(Exception):
    """A chosen meeting takes no sign-ups; the message names it and says why. For a coaching
    slot just taken, `nearest` holds the series' closest free times."""

    def __init__(self, message: str, *, event_id: int, unknown: bool = False, nearest: Sequence[Event] = ()):
        super().__init__(message)
        self.event_id = event_id
        self.unknown = unknown
        self.nearest = list(nearest)


class RegistrationConflict(Exception):
    """The change does not fit the registration's state (already cancelled, already registered)."""


def _has_free_seat(event: Event) -> bool:
    return event.capacity is None or confirmed_count(event) < event.capacity


def _active_registration(event: Event, email: str) -> Registration | None:
    """The address's active registration for the meeting, found through the unique index
    "one active registration per address": the same conditions, and lowered by the database
    on both sides (SQLite's LOWER folds only A-Z)."""
    if not email:
        return None
    return (
        Registration.objects.alias(email_lower=Lower("email"))
        .filter(event=event, email_lower=Lower(Value(email)))
        .exclude(status=Status.CANCELLED)
        .exclude(email="")
        .order_by("id")
        .first()
    )


def _registration_create(
    person: PersonDetails, *, event: Event, confirmed: bool, source: str, attended: bool | None = None
) -> tuple[Registration, str]:
    """A new registration and the manage token whose hash it keeps."""
    token = secrets.token_urlsafe(32)
    registration = Registration.objects.create(
        event=event,
        status=Status.CONFIRMED if confirmed else Status.WAITLISTED,
        confirmed_at=timezone.now() if confirmed else None,
        token_hash=hash_secret(token),
        source=source,
        attended=attended,
        name=person.name,
        email=person.email,
        organisation=person.organisation,
        organisation_type=person.organisation_type,
        municipality=person.municipality,
        gender=person.gender,
        language=person.language,
    )
    return registration, token


Action = RegistrationChange.Action


def _change(registration: Registration, action: str, *, by=None, **detail) -> RegistrationChange:
    return RegistrationChange(registration=registration, action=action, by=by, detail=detail)


def _themes_interest_add(person: PersonDetails, theme_slugs: Sequence[str]) -> None:
    # A repeated interest hits the unique constraint and is skipped.
    ThemeInterest.objects.bulk_create(
        [
            ThemeInterest(theme=theme, email=person.email, name=person.name, language=person.language)
            for theme in Theme.objects.filter(slug__in=set(theme_slugs), is_active=True)
        ],
        ignore_conflicts=True,
    )


def signup_create(
    *, person: PersonDetails, event_ids: Sequence[int], theme_slugs: Sequence[str] = (), by=None
) -> list[SignupOutcome]:
    """Signs one person up for several meetings at once, all or nothing.

    Each meeting gets a confirmed seat while one is free, else a place on its waiting list.
    A meeting the person already holds an active registration for answers
    "already_registered" with no token. If any chosen meeting is unknown, cancelled, past
    or outside its registration window, SignupRejected names it and nothing is saved.
    """
    now = timezone.now()
    with transaction.atomic(durable=True):
        if theme_slugs:
            _themes_interest_add(person, theme_slugs)
        events = lock_events(event_ids)
        _check_open(events, event_ids, now=now)
        series = slots.lock_series(list(events.values()))
        outcomes = []
        for event_id in dict.fromkeys(event_ids):
            event = events[event_id]
            existing = _active_registration(event, person.email)
            if existing is not None:
                # Reveal nothing to whoever typed the address: its owner gets their link by e-mail.
                outbox.queue_manage_link(existing, now=now)
                outcomes.append(SignupOutcome(event=event, registration=existing, status="already_registered"))
                continue
            if event.coaching_series_id:
                _check_slot(event, series[event.coaching_series_id], email=person.email, now=now)
            registration, token = _registration_create(
                person, event=event, confirmed=_has_free_seat(event), source=Source.ONLINE
            )
            confirmed = registration.status == Status.CONFIRMED
            _change(registration, Action.SIGNED_UP if confirmed else Action.WAITLISTED, by=by).save()
            outbox.queue_signup(registration)
            outcomes.append(
                SignupOutcome(
                    event=event,
                    registration=registration,
                    status=registration.status,
                    manage_token=token,
                )
            )
    # Read after the commit, so the locks are not held for it: everyone ahead in the line
    # committed before this sign-up took the lock, and nobody joins the line ahead of it later.
    return [
        replace(outcome, waitlist_position=waitlist_position(outcome.registration))
        if outcome.status == Status.WAITLISTED
        else outcome
        for outcome in outcomes
    ]


def _check_open(events: dict[int, Event], event_ids: Sequence[int], *, now) -> None:
    """Raises SignupRejected for the first chosen meeting that is unknown or takes no sign-ups."""
    for event_id in event_ids:
        event = events.get(event_id)
        if event is None:
            message = _("Meeting %(id)s does not exist.") % {"id": event_id}
            raise SignupRejected(message, event_id=event_id, unknown=True)
        reason = event.registration_closed_reason(now)
        if reason:
            message = _("You cannot sign up for “%(title)s”: %(reason)s.") % {"title": event.title, "reason": reason}
            raise SignupRejected(message, event_id=event_id)


def _check_slot(slot: Event, series, *, email: str, now) -> None:
    """A coaching slot has one seat and no waiting list, and a person holds a limited number
    of upcoming times with a series; bookings made earlier in this request count."""
    if not _has_free_seat(slot):
        nearest = nearest_free_slots(slot, now=now)
        raise SignupRejected(slots.taken_message(slot), event_id=slot.id, nearest=nearest)
    if slots.over_limit(series, email=email, new=1, now=now):
        raise SignupRejected(slots.limit_message(series), event_id=slot.id)


def theme_interest_add(*, person: PersonDetails, theme_slugs: Sequence[str]) -> None:
    """Records interest in themes; repeating it changes nothing."""
    with transaction.atomic(durable=True):
        _themes_interest_add(person, theme_slugs)


def waitlist_promote(event: Event, *, by=None) -> list[Registration]:
    """Confirms the first people on the waiting list while seats are free.

    The caller holds the meeting's lock inside its transaction. `by` is whoever freed the
    seats (an organiser cancelling someone); None records the promotion as the system's.
    """
    waiting = Registration.objects.filter(event=event, status=Status.WAITLISTED).order_by("id")
    if event.capacity is not None:
        free = event.capacity - confirmed_count(event)
        if free <= 0:
            return []
        waiting = waiting[:free]
    promoted = list(waiting)
    now = timezone.now()
    for registration in promoted:
        registration.status = Status.CONFIRMED
        registration.confirmed_at = now
    Registration.objects.bulk_update(promoted, ["status", "confirmed_at"])
    RegistrationChange.objects.bulk_create([_change(r, Action.PROMOTED, by=by) for r in promoted])
    outbox.queue_promotions(promoted)
    return promoted


def registration_cancel(*, registration_id: int, by=None) -> Registration:
    """Cancels a registration and, in the same transaction, gives its seat to the first waiting."""
    with transaction.atomic(durable=True):
        event_id = Registration.objects.values_list("event_id", flat=True).get(pk=registration_id)
        event = lock_event(event_id)
        registration = Registration.objects.get(pk=registration_id)
        if registration.status == Status.CANCELLED:
            raise RegistrationConflict(_("The registration is already cancelled."))
        was_confirmed = registration.status == Status.CONFIRMED
        registration.status = Status.CANCELLED
        registration.cancelled_at = timezone.now()
        registration.save(update_fields=["status", "cancelled_at"])
        _change(registration, Action.CANCELLED, by=by, was_confirmed=was_confirmed).save()
        outbox.queue_registration_cancelled(registration, was_confirmed=was_confirmed)
        waitlist_promote(event, by=by)
    return registration


def registration_add_by_organiser(
    *, event_id: int, person: PersonDetails, attended: bool | None = None, by=None
) -> tuple[Registration, str]:
    """Adds a person to any meeting, also a closed or past one (walk-ins, records after the fact).

    Someone marked as attended was in the room, so they are confirmed whatever the capacity;
    otherwise the capacity decides between a seat and the waiting list.
    """
    with transaction.atomic(durable=True):
        event = lock_event(event_id)
        if _active_registration(event, person.email) is not None:
            raise RegistrationConflict(_("%(email)s is already registered for this meeting.") % {"email": person.email})
        registration, token = _registration_create(
            person,
            event=event,
            confirmed=bool(attended) or _has_free_seat(event),
            source=Source.ORGANISER,
            attended=attended,
        )
        changes = [_change(registration, Action.ADDED_BY_ORGANISER, by=by, status=registration.status)]
        if attended is not None:
            changes.append(_change(registration, Action.ATTENDED if attended else Action.NO_SHOW, by=by))
        RegistrationChange.objects.bulk_create(changes)
        # Someone added before the meeting (they phoned in) hears from us like anyone else.
        if event.starts_at > timezone.now():
            outbox.queue_signup(registration)
    return registration, token
