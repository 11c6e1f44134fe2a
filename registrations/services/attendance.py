"""Attendance: marking who came, who did not, and undoing a mark; after the meeting, everyone
confirmed and not yet marked becomes a no-show in one go."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..choices import Status
from ..models import Registration, RegistrationChange
from .locks import lock_event
from .signups import RegistrationConflict

Action = RegistrationChange.Action


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
            RegistrationChange(registration=registration, action=action, by=by, detail=detail).save()
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
