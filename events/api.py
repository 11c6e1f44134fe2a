from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from ninja import Query, Router

from accounts.auth import organiser_auth
from config.api_errors import detail, found, validation_detail
from notifications.calendar import public_calendar

from .models import Event
from .schemas import (
    EventCreateIn,
    EventFilters,
    EventOut,
    EventPatchIn,
    OrganiserEventOut,
    ThemeDemandOut,
    ThemeIn,
    ThemeOut,
)
from .selectors import (
    event_get_for_organiser,
    event_get_public,
    event_list_for_organiser,
    event_list_upcoming,
    theme_demand,
    theme_list,
)
from .services import EventConflict, event_cancel, event_create, event_update, theme_create

router = Router(tags=["meetings"])
organiser_router = Router(tags=["organiser: meetings"], auth=organiser_auth)


@router.get("/themes", response=list[ThemeOut])
def themes(request):
    return theme_list()


@router.get("/events", response=list[EventOut])
def events(request, filters: Query[EventFilters]):
    return event_list_upcoming(**filters.dict())


@router.get("/events/{event_id}", response=EventOut)
def event_detail(request, event_id: int):
    return found(event_get_public(event_id=event_id))


@router.get("/events/{event_id}/calendar.ics")
def event_calendar(request, event_id: int):
    event = found(event_get_public(event_id=event_id))
    response = HttpResponse(public_calendar([event]), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="traff-{event.id}.ics"'
    return response


@organiser_router.get("/events", response=list[OrganiserEventOut])
def organiser_events(request, include_past: bool = True):
    return event_list_for_organiser(include_past=include_past)


@organiser_router.post("/events", response={201: OrganiserEventOut, 422: dict})
def organiser_event_create(request, payload: EventCreateIn):
    fields = payload.dict(exclude={"themes"})
    try:
        event = event_create(theme_slugs=payload.themes, **_blank_for_none(fields))
    except ValidationError as error:
        return 422, validation_detail(error)
    return 201, event_get_for_organiser(event_id=event.id)


@organiser_router.get("/events/{event_id}", response=OrganiserEventOut)
def organiser_event_detail(request, event_id: int):
    return found(event_get_for_organiser(event_id=event_id))


@organiser_router.patch("/events/{event_id}", response={200: OrganiserEventOut, 409: dict, 422: dict})
def organiser_event_update(request, event_id: int, payload: EventPatchIn):
    get_object_or_404(Event, pk=event_id)
    changes = payload.dict(exclude_unset=True)
    theme_slugs = changes.pop("themes", None)
    try:
        event_update(event_id=event_id, theme_slugs=theme_slugs, **_blank_for_none(changes))
    except ValidationError as error:
        return 422, validation_detail(error)
    except EventConflict as error:
        return 409, detail(error)
    return event_get_for_organiser(event_id=event_id)


@organiser_router.post("/events/{event_id}/cancel", response={200: OrganiserEventOut, 409: dict})
def organiser_event_cancel(request, event_id: int):
    get_object_or_404(Event, pk=event_id)
    try:
        event_cancel(event_id=event_id)
    except EventConflict as error:
        return 409, detail(error)
    return event_get_for_organiser(event_id=event_id)


@organiser_router.post("/themes", response={201: ThemeOut, 422: dict})
def organiser_theme_create(request, payload: ThemeIn):
    try:
        return 201, theme_create(**payload.dict())
    except ValidationError as error:
        return 422, validation_detail(error)


@organiser_router.get("/themes/demand", response=list[ThemeDemandOut])
def organiser_theme_demand(request):
    return theme_demand()


# Text fields are stored as "" rather than NULL; capacity keeps None (unlimited).
_TEXT_FIELDS = {"title", "description", "location", "online_url", "municipality"}


def _blank_for_none(fields: dict) -> dict:
    return {name: ("" if value is None and name in _TEXT_FIELDS else value) for name, value in fields.items()}
