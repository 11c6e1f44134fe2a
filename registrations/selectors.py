from django.db.models import F, QuerySet, Window
from django.db.models.functions import RowNumber

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
