"""Every change to registrations: one function, one transaction, the meeting row locked first.

The lock is the meeting's row (`SELECT ... FOR NO KEY UPDATE` on PostgreSQL; on SQLite
every transaction is IMMEDIATE, which serialises writers). Capacity is counted after the
lock, in the same transaction as the insert, so a meeting is never overbooked (both in
`seats`). The e-mails a change causes are written to the outbox in that same transaction,
and so is a line of the registration's history (RegistrationChange) for each change, naming
`by`, the acting user (None: the person themself, or the system).

A sign-up prepares its rows before it takes the lock (_Draft), reads what it decides on in
one round trip (seats.lock_for_signup) and writes all its rows and commits in a second
(config.db.insert_together), so its lock is held across as few waits for the network, and as
little of its own work, as can be.
"""

import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db import transaction
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import hash_secret
from config import db
from events.models import Event, Theme
from notifications import outbox

from .choices import Gender, Language, OrganisationType, Source, Status
from .models import ManageLink, Registration, RegistrationChange, ThemeInterest
from .seats import SignupLock, lock_event, lock_for_signup
from .selectors import confirmed_count


@dataclass(frozen=True)
class PersonDetails:
    name: str
    email: str
    municipality: str
    organisation: str = ""
    organisation_type: str = OrganisationType.OTHER
    gender: str = Gender.UNSTATED
    language: str = Language.SWEDISH


@dataclass(frozen=True)
class SignupOutcome:
    event: Event
    registration: Registration
    # "confirmed", "waitlisted" or "already_registered"
    status: str
    manage_token: str | None = None
    waitlist_position: int | None = None


class SignupRejected(Exception):
    """A chosen meeting takes no sign-ups; the message names it and says why."""

    def __init__(self, message: str, *, event_id: int, unknown: bool = False):
        super().__init__(message)
        self.event_id = event_id
        self.unknown = unknown


class RegistrationConflict(Exception):
    """The change does not fit the registration's state (already cancelled, already registered)."""


def _new_registration(
    person: PersonDetails, *, confirmed: bool, source: str, pk: int | None = None, **extra
) -> tuple[Registration, str]:
    """An unsaved registration (its meeting as `event` or `event_id` in `extra`), with its
    reserved key if it has one yet, and the manage token whose hash it keeps."""
    token = secrets.token_urlsafe(32)
    registration = Registration(
        pk=pk,
        status=Status.CONFIRMED if confirmed else Status.WAITLISTED,
        confirmed_at=timezone.now() if confirmed else None,
        token_hash=hash_secret(token),
        source=source,
        name=person.name,
        email=person.email,
        organisation=person.organisation,
        organisation_type=person.organisation_type,
        municipality=person.municipality,
        gender=person.gender,
        language=person.language,
        **extra,
    )
    return registration, token


Action = RegistrationChange.Action


def _change(registration: Registration, action: str, *, by=None, **detail) -> RegistrationChange:
    return RegistrationChange(registration=registration, action=action, by=by, detail=detail)


@dataclass(frozen=True)
class _Draft:
    """A sign-up's new registration, its e-mail and its history line, prepared before the
    meetings are locked: under the lock only decide() runs, which sets the reserved key and
    what the seats decide. From the lock's answer to the last message a sign-up then spends
    0.2 ms of Python instead of 0.8 (development machine), and the next sign-up waits that
    much less for the meeting (bench/signup_burst)."""

    token: str
    registration: db.NewRow
    messages: list[db.NewRow]
    change: db.NewRow

    @classmethod
    def prepare(cls, event_id: int, person: PersonDetails, *, by) -> "_Draft":
        registration, token = _new_registration(person, event_id=event_id, confirmed=False, source=Source.ONLINE)
        return cls(
            token=token,
            registration=db.NewRow(registration, key_reserved=True),
            messages=[db.NewRow(message) for message in outbox.signup_messages(registration)],
            change=db.NewRow(_change(registration, Action.WAITLISTED, by=by)),
        )

    def decide(self, *, pk: int, event: Event, confirmed: bool) -> Registration:
        registration = self.registration.obj
        self.registration.set(
            pk=pk,
            status=Status.CONFIRMED if confirmed else Status.WAITLISTED,
            confirmed_at=timezone.now() if confirmed else None,
        )
        registration.event = event  # the same key: kept with the row, not prepared again
        for message in self.messages:
            outbox.signup_message_decided(message, registration)
        self.change.set(registration=registration, action=Action.SIGNED_UP if confirmed else Action.WAITLISTED)
        return registration

    def rows(self) -> list[db.NewRow]:
        return [self.registration, *self.messages, self.change]


def _themes_interest_add(person: PersonDetails, theme_slugs: Sequence[str]) -> None:
    themes = Theme.objects.filter(slug__in=set(theme_slugs), is_active=True)
    known = set(
        ThemeInterest.objects.alias(email_lower=Lower("email"))
        .filter(email_lower=person.email.lower(), theme__in=themes)
        .values_list("theme_id", flat=True)
    )
    ThemeInterest.objects.bulk_create(
        [
            ThemeInterest(theme=theme, email=person.email, name=person.name, language=person.language)
            for theme in themes
            if theme.id not in known
        ]
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
        if theme_slugs:  # before the lock: it needs none
            _themes_interest_add(person, theme_slugs)
        drafts = {event_id: _Draft.prepare(event_id, person, by=by) for event_id in dict.fromkeys(event_ids)}
        locked = lock_for_signup(event_ids, email=person.email)
        _check_open(locked, event_ids, now=now)
        outcomes, decided = [], []
        for event_id, draft in drafts.items():
            event, seats = locked.events[event_id], locked.seats[event_id]
            if seats.holder_id is not None:
                # Reveal nothing to whoever typed the address: its owner gets their link by e-mail.
                existing = Registration.objects.get(pk=seats.holder_id)
                outbox.queue_manage_link(existing, now=now)
                outcomes.append(SignupOutcome(event=event, registration=existing, status="already_registered"))
                continue
            pk = locked.registration_ids[event_id]
            confirmed = seats.free(event)
            registration = draft.decide(pk=pk, event=event, confirmed=confirmed)
            decided.append(draft)
            outcomes.append(
                SignupOutcome(
                    event=event,
                    registration=registration,
                    status=registration.status,
                    manage_token=draft.token,
                    # Its key is the meeting's highest, taken under the lock: it joins at the back.
                    waitlist_position=None if confirmed else seats.waiting + 1,
                )
            )
        if any(draft.messages for draft in decided):
            outbox.wake_sender()
        # Every new row and the COMMIT in one round trip, however many meetings were chosen; so
        # this comes last.
        db.insert_together([row for draft in decided for row in draft.rows()], commit=True)
    return outcomes


def _check_open(locked: SignupLock, event_ids: Sequence[int], *, now) -> None:
    """Raises SignupRejected for the first chosen meeting that is unknown or takes no sign-ups."""
    for event_id in event_ids:
        event = locked.events.get(event_id)
        if event is None:
            message = _("Meeting %(id)s does not exist.") % {"id": event_id}
            raise SignupRejected(message, event_id=event_id, unknown=True)
        reason = event.registration_closed_reason(now)
        if reason:
            message = _("You cannot sign up for “%(title)s”: %(reason)s.") % {"title": event.title, "reason": reason}
            raise SignupRejected(message, event_id=event_id)


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
        locked = lock_for_signup([event_id], email=person.email)
        event, seats = locked.events.get(event_id), locked.seats[event_id]
        if event is None:
            raise Event.DoesNotExist(f"Meeting {event_id} does not exist.")
        if seats.holder_id is not None:
            raise RegistrationConflict(_("%(email)s is already registered for this meeting.") % {"email": person.email})
        confirmed = bool(attended) or seats.free(event)
        pk = locked.registration_ids[event_id]
        registration, token = _new_registration(
            person, event=event, pk=pk, confirmed=confirmed, source=Source.ORGANISER, attended=attended
        )
        rows = [registration, _change(registration, Action.ADDED_BY_ORGANISER, by=by, status=registration.status)]
        if attended is not None:
            rows.append(_change(registration, Action.ATTENDED if attended else Action.NO_SHOW, by=by))
        # Someone added before the meeting (they phoned in) hears from us like anyone else.
        messages = outbox.signup_messages(registration) if event.starts_at > timezone.now() else []
        if messages:
            outbox.wake_sender()
        db.insert_together(rows + messages, commit=True)  # last in the block, as in signup_create
    return registration, token


def registration_set_attendance(*, registration_id: int, attended: bool | None, by=None) -> Registration:
    """Marks whether a person came: True attended, False no-show, None undoes the mark.

    Someone on the waiting list who came is confirmed (they were in the room); undoing the
    mark leaves the status as it is, so a seat once given is not taken back behind their back.
    The history gets a line only when the mark changes (a repeated tap changes nothing).
    """
    with transaction.atomic(durable=True):
        event_id = Registration.objects.values_list("event_id", flat=True).get(pk=registration_id)
        lock_event(event_id)
        registration = Registration.objects.get(pk=registration_id)
        if registration.status == Status.CANCELLED:
            raise RegistrationConflict(_("A cancelled registration cannot be marked as attended."))
        changed = registration.attended != attended
        registration.attended = attended
        fields = ["attended"]
        detail = {}
        if attended and registration.status == Status.WAITLISTED:
            registration.status = Status.CONFIRMED
            registration.confirmed_at = timezone.now()
            fields += ["status", "confirmed_at"]
            detail["confirmed_from_waitlist"] = True
        registration.save(update_fields=fields)
        if changed or detail:
            action = {True: Action.ATTENDED, False: Action.NO_SHOW, None: Action.ATTENDANCE_UNDONE}[attended]
            _change(registration, action, by=by, **detail).save()
    return registration


def attendance_mark_no_shows(*, event_id: int, by=None) -> int:
    """After the meeting: every confirmed registration not yet marked becomes a no-show
    (attended False), in one UPDATE and one history INSERT. Marks already made are kept,
    waiting and cancelled registrations are left alone, and running it twice changes nothing.
    Returns how many were marked."""
    with transaction.atomic(durable=True):
        lock_event(event_id)
        # The meeting's lock keeps every other attendance mark out until this commits.
        unmarked = list(
            Registration.objects.filter(event_id=event_id, status=Status.CONFIRMED, attended__isnull=True).values_list(
                "id", flat=True
            )
        )
        if not unmarked:
            return 0
        marked = Registration.objects.filter(pk__in=unmarked).update(attended=False)
        RegistrationChange.objects.bulk_create(
            [
                RegistrationChange(registration_id=pk, action=Action.NO_SHOW, by=by, detail={"all_unmarked": True})
                for pk in unmarked
            ]
        )
        return marked


def manage_links_issue(*, registration_ids: Iterable[int]) -> dict[int, str]:
    """A new manage token per registration (for links in e-mails), in one INSERT; only the
    hashes are kept, so every e-mail carries a fresh link and all of them stay valid."""
    tokens = {registration_id: secrets.token_urlsafe(32) for registration_id in set(registration_ids)}
    ManageLink.objects.bulk_create(
        [ManageLink(registration_id=pk, token_hash=hash_secret(token)) for pk, token in tokens.items()]
    )
    return tokens
