from django.shortcuts import get_object_or_404
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from ninja import Router

from accounts.auth import organiser_auth
from config.api_errors import detail, found
from events.models import Event

from .choices import Status
from .models import Registration
from .ratelimit import signup_limited
from .schemas import (
    AttendanceIn,
    OrganiserRegistrationIn,
    OrganiserRegistrationOut,
    RegistrationOut,
    SignupIn,
    SignupOut,
)
from .selectors import registration_get_by_token, registration_list_for_event
from .services import (
    RegistrationConflict,
    SignupRejected,
    registration_add_by_organiser,
    registration_cancel,
    registration_set_attendance,
    signup_create,
)

router = Router(tags=["sign-up"])
organiser_router = Router(tags=["organiser: registrations"], auth=organiser_auth)


def _request_language() -> str:
    return "en" if (get_language() or "").startswith("en") else "sv"


@router.post("/signups", response={201: SignupOut, 409: dict, 422: dict, 429: dict})
def signup(request, payload: SignupIn):
    """Signs one person up for one or more meetings, all or nothing."""
    if signup_limited(request, email=payload.email):
        return 429, detail(_("Too many sign-ups; please wait a minute and try again."))
    try:
        outcomes = signup_create(
            person=payload.person(default_language=_request_language()),
            event_ids=payload.event_ids,
            theme_slugs=payload.theme_interests,
        )
    except SignupRejected as error:
        status = 422 if not Event.objects.filter(pk=error.event_id).exists() else 409
        return status, detail(error)
    return 201, {
        "registrations": [
            {
                "event_id": outcome.event.id,
                "status": outcome.status,
                "waitlist_position": outcome.waitlist_position,
                "manage_token": outcome.manage_token,
            }
            for outcome in outcomes
        ],
        "theme_interests": payload.theme_interests,
    }


@router.get("/registrations/{token}", response={200: RegistrationOut, 410: dict})
def registration_detail(request, token: str):
    registration = found(registration_get_by_token(token))
    if registration.status == Status.CANCELLED:
        return 410, detail(_("This registration has been cancelled."))
    return registration


@router.post("/registrations/{token}/cancel", response={200: RegistrationOut, 410: dict})
def registration_cancel_by_token(request, token: str):
    registration = found(registration_get_by_token(token))
    try:
        registration = registration_cancel(registration_id=registration.id)
    except RegistrationConflict as error:
        return 410, detail(error)
    return registration


@organiser_router.get("/events/{event_id}/registrations", response=list[OrganiserRegistrationOut])
def organiser_registrations(request, event_id: int):
    get_object_or_404(Event, pk=event_id)
    return registration_list_for_event(event_id=event_id)


@organiser_router.post("/events/{event_id}/registrations", response={201: OrganiserRegistrationOut, 409: dict})
def organiser_registration_add(request, event_id: int, payload: OrganiserRegistrationIn):
    get_object_or_404(Event, pk=event_id)
    try:
        registration, _token = registration_add_by_organiser(
            event_id=event_id,
            person=payload.person(default_language=_request_language()),
            attended=payload.attended,
        )
    except RegistrationConflict as error:
        return 409, detail(error)
    return 201, registration


@organiser_router.post(
    "/registrations/{registration_id}/attendance", response={200: OrganiserRegistrationOut, 409: dict}
)
def organiser_attendance(request, registration_id: int, payload: AttendanceIn):
    get_object_or_404(Registration, pk=registration_id)
    try:
        return registration_set_attendance(registration_id=registration_id, attended=payload.attended)
    except RegistrationConflict as error:
        return 409, detail(error)


@organiser_router.post("/registrations/{registration_id}/cancel", response={200: OrganiserRegistrationOut, 409: dict})
def organiser_registration_cancel(request, registration_id: int):
    get_object_or_404(Registration, pk=registration_id)
    try:
        return registration_cancel(registration_id=registration_id)
    except RegistrationConflict as error:
        return 409, detail(error)
