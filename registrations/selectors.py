from django.db.models import F, QuerySet, Value, Window
from django.db.models.functions import Lower, RowNumber

from accounts.models import hash_secret
from events.models import Event

from .choices import Status
from .models import Registration, RegistrationChange


def confirmed_count(event: Event) -> int:
    return Registration.objects.filter(event=event, status=Status.CONFIRMED).count()


def waitlist_position(registration: Registration) -> int | None:
    """1 for the first in line; None when the registration is not waiting."""
    if registration.status != Status.WAITLISTED:
        return None
    ahead = Registration.objects.filter(
        event_id=registration.event_id, status=Status.WAITLISTED, id__lt=registration.id
    ).count()
    return ahead + 1


def registration_active_for_address(*, event_id: int, email: str) -> Registration | None:
    """The address's active registration for a meeting, matched as the unique index "one active
    registration per address" matches: lowered by the database on both sides (SQLite's LOWER
    folds only A-Z, Python's lower() folds more). The index allows one such row, so nothing is
    ordered: an ORDER BY id could lead PostgreSQL to walk the primary key instead."""
    found = (
        Registration.objects.alias(email_lower=Lower("email"))
        .filter(event_id=event_id, email_lower=Lower(Value(email)))
        .exclude(status=Status.CANCELLED)
        .exclude(email="")
        .order_by()[:1]
    )
    return found[0] if found else None


def registration_get_by_token(token: str) -> Registration | None:
    if not token or len(token) > 200:
        return None
    token_hash = hash_secret(token)
    registrations = Registration.objects.select_related("event").prefetch_related("event__themes")
    # The sign-up's own link is on the registration; links sent by e-mail are in ManageLink.
    return (
        registrations.filter(token_hash=token_hash).first()
        or registrations.filter(manage_links__token_hash=token_hash).first()
    )


def registration_list_for_event(*, event_id: int) -> QuerySet[Registration]:
    """A meeting's registrations in sign-up order; `queue_rank` is the place in line among
    registrations of the same status (the waiting-list position for those waiting)."""
    return (
        Registration.objects.filter(event_id=event_id)
        .annotate(queue_rank=Window(RowNumber(), partition_by=[F("status")], order_by=F("id").asc()))
        .order_by("id")
    )


def registration_history(*, registration_id: int) -> QuerySet[RegistrationChange]:
    """A registration's changes, oldest first, with who made them (one query)."""
    return RegistrationChange.objects.filter(registration_id=registration_id).select_related("by").order_by("at", "id")
