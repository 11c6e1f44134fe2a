from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Router, Status
from ninja.errors import HttpError

from accounts.auth import ORGANISER_PERMISSION, attendance_auth, organiser_auth, require_permission
from common.api import ErrorOut, found
from common.language import request_language
from events.models import Event

from .choices import Status as RegistrationStatus
from .models import Registration
from .ratelimit import signup_limited
from .schemas import (
    AttendanceIn,
    NoShowsOut,
    OrganiserRegistrationIn,
    OrganiserRegistrationOut,
    RegistrationOut,
    SignupIn,
    SignupOut,
)
from .selectors import registration_get_by_token, registration_list_for_event
from .services import (
    PersonDetails,
    RegistrationConflict,
    attendance_mark_no_shows,
    registration_add_by_organiser,
    registration_cancel,
    registration_set_attendance,
    signup_create,
)

router = Router(tags=["sign-up"])
organiser_router = Router(tags=["organiser: registrations"], auth=organiser_auth)


@router.post("/signups", response={201: SignupOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut, 429: ErrorOut})
def signup(request, payload: SignupIn):
    """Signs one person up for one or more meetings, all or nothing: 404 when a meeting does
    not exist, 409 when one takes no sign-ups (cancelled, past, closed, not yet open); the
    `detail` names it and `event_id` says which."""
    if signup_limited(request, email=payload.email):
        raise HttpError(429, _("Too many sign-ups; please wait a minute and try again."))
    outcomes = signup_create(
        person=PersonDetails.from_cleaned(payload.model_dump(), default_language=request_language()),
        event_ids=payload.event_ids,
        theme_slugs=payload.theme_interests,
    )
    registrations = [
        {
            "event_id": outcome.event.id,
            "status": outcome.status,
            "waitlist_position": outcome.waitlist_position,
            "manage_token": outcome.manage_token,
        }
        for outcome in outcomes
    ]
    return Status(201, {"registrations": registrations, "theme_interests": payload.theme_interests})


def _active_by_token(token: str) -> Registration:
    """The token's registration; 404 for an unknown token, 410 once it is cancelled."""
    registration = found(registration_get_by_token(token))
    if registration.status == RegistrationStatus.CANCELLED:
        raise HttpError(410, _("This registration has been cancelled."))
    return registration


@router.get("/registrations/{token}", response={200: RegistrationOut, 404: ErrorOut, 410: ErrorOut})
def registration_detail(request, token: str):
    return _active_by_token(token)


@router.post("/registrations/{token}/cancel", response={200: RegistrationOut, 404: ErrorOut, 410: ErrorOut})
def registration_cancel_by_token(request, token: str):
    registration = _active_by_token(token)
    try:
        return registration_cancel(registration_id=registration.id)
    except RegistrationConflict as error:  # cancelled by a concurrent request
        raise HttpError(410, str(error)) from error


# ---- The door: lists, attendance and walk-ins, for organisers and helpers ("Värd") alike ----


@organiser_router.get(
    "/events/{event_id}/registrations",
    response={200: list[OrganiserRegistrationOut], 403: ErrorOut, 404: ErrorOut},
    auth=attendance_auth,
)
def organiser_registrations(request, event_id: int):
    """A meeting's registrations in sign-up order. Organisers and helpers."""
    get_object_or_404(Event, pk=event_id)
    return registration_list_for_event(event_id=event_id)


@organiser_router.post(
    "/events/{event_id}/registrations",
    response={201: OrganiserRegistrationOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut},
    auth=attendance_auth,
)
def organiser_registration_add(request, event_id: int, payload: OrganiserRegistrationIn):
    """Adds a person to any meeting, also a closed or past one; `attended: true` for a walk-in.

    A helper may only add walk-ins (`attended: true`); anything else is an organiser's."""
    if payload.attended is not True:
        require_permission(request.auth, ORGANISER_PERMISSION)
    get_object_or_404(Event, pk=event_id)
    registration, _token = registration_add_by_organiser(
        event_id=event_id,
        person=PersonDetails.from_cleaned(payload.model_dump(), default_language=request_language()),
        attended=payload.attended,
        by=request.user,
    )
    return Status(201, registration)


@organiser_router.post(
    "/registrations/{registration_id}/attendance",
    response={200: OrganiserRegistrationOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut},
    auth=attendance_auth,
)
def organiser_attendance(request, registration_id: int, payload: AttendanceIn):
    """`attended`: true (came), false (no-show) or null (undo the mark). Organisers and helpers."""
    get_object_or_404(Registration, pk=registration_id)
    return registration_set_attendance(registration_id=registration_id, attended=payload.attended, by=request.user)


@organiser_router.post(
    "/events/{event_id}/no-shows", response={200: NoShowsOut, 403: ErrorOut, 404: ErrorOut}, auth=attendance_auth
)
def organiser_mark_no_shows(request, event_id: int):
    """After the meeting: every confirmed registration not yet marked becomes a no-show.
    Marks already made are kept; running it again changes nothing. Organisers and helpers."""
    get_object_or_404(Event, pk=event_id)
    return {"marked": attendance_mark_no_shows(event_id=event_id, by=request.user)}


# ---- End of the door's endpoints; the rest are organisers' only ----


@organiser_router.post(
    "/registrations/{registration_id}/cancel", response={200: OrganiserRegistrationOut, 404: ErrorOut, 409: ErrorOut}
)
def organiser_registration_cancel(request, registration_id: int):
    get_object_or_404(Registration, pk=registration_id)
    return registration_cancel(registration_id=registration_id, by=request.user)
