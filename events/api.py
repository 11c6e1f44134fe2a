import hashlib

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.cache import get_conditional_response
from ninja import Query, Router, Status

from accounts.auth import organiser_auth
from common.api import ErrorOut, found
from notifications.invites import public_feed

from .models import Event
from .schemas import (
    EventCreateIn,
    EventDuplicateIn,
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
from .services import event_cancel, event_create, event_duplicate, event_update, theme_create

router = Router(tags=["meetings"])
organiser_router = Router(tags=["organiser: meetings"], auth=organiser_auth)

# Text fields are stored as "" rather than NULL; capacity keeps None (unlimited).
_TEXT_FIELDS = {"title", "description", "location", "online_url", "municipality"}


def _blank_for_none(fields: dict) -> dict:
    return {name: ("" if value is None and name in _TEXT_FIELDS else value) for name, value in fields.items()}


@router.get("/themes", response=list[ThemeOut])
def themes(request):
    return theme_list()


@router.get("/events", response=list[EventOut])
def events(request, filters: Query[EventFilters]):
    """Upcoming published meetings; `from` and `to` are local dates, both included."""
    return event_list_upcoming(**filters.dict())


@router.get("/events/calendar.ics", response={200: None, 304: None})
def events_calendar(request, filters: Query[EventFilters]):
    """The meetings of /api/events (same filters) as a subscribable calendar, without online links."""
    events = list(event_list_upcoming(**filters.dict()))
    # The feed shows only what `updated_at` and `sequence` cover, so they make its ETag; the
    # query string is in it because other filters give another feed.
    parts = [request.GET.urlencode(), *((e.id, e.sequence, e.updated_at.isoformat()) for e in events)]
    etag = '"' + hashlib.sha256(repr(parts).encode()).hexdigest()[:32] + '"'
    not_modified = get_conditional_response(request, etag=etag)
    if not_modified is not None:
        return not_modified
    response = HttpResponse(public_feed(events), content_type="text/calendar; charset=utf-8")
    response["ETag"] = etag
    return response


@router.get("/events/{event_id}", response={200: EventOut, 404: ErrorOut})
def event_detail(request, event_id: int):
    return found(event_get_public(event_id=event_id))


@router.get("/events/{event_id}/calendar.ics", response={200: None, 404: ErrorOut})
def event_calendar(request, event_id: int):
    event = found(event_get_public(event_id=event_id))
    response = HttpResponse(public_feed([event]), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="traff-{event.id}.ics"'
    return response


@organiser_router.get("/events", response=list[OrganiserEventOut])
def organiser_events(request, include_past: bool = True):
    return event_list_for_organiser(include_past=include_past)


@organiser_router.post("/events", response={201: OrganiserEventOut, 409: ErrorOut, 422: ErrorOut})
def organiser_event_create(request, payload: EventCreateIn):
    fields = _blank_for_none(payload.dict(exclude={"themes"}))
    event = event_create(theme_slugs=payload.themes, **fields)
    return Status(201, event_get_for_organiser(event_id=event.id))


@organiser_router.get("/events/{event_id}", response={200: OrganiserEventOut, 404: ErrorOut})
def organiser_event_detail(request, event_id: int):
    return found(event_get_for_organiser(event_id=event_id))


@organiser_router.patch(
    "/events/{event_id}", response={200: OrganiserEventOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}
)
def organiser_event_update(request, event_id: int, payload: EventPatchIn):
    """Changes a meeting; a new time, place or link makes earlier invites out of date."""
    get_object_or_404(Event, pk=event_id)
    changes = _blank_for_none(payload.dict(exclude_unset=True))
    event_update(event_id=event_id, theme_slugs=changes.pop("themes", None), **changes)
    return event_get_for_organiser(event_id=event_id)


@organiser_router.post("/events/{event_id}/cancel", response={200: OrganiserEventOut, 404: ErrorOut, 409: ErrorOut})
def organiser_event_cancel(request, event_id: int):
    get_object_or_404(Event, pk=event_id)
    event_cancel(event_id=event_id)
    return event_get_for_organiser(event_id=event_id)


@organiser_router.post("/events/{event_id}/duplicate", response={201: OrganiserEventOut, 404: ErrorOut, 422: ErrorOut})
def organiser_event_duplicate(request, event_id: int, payload: EventDuplicateIn):
    """A draft copy (e.g. next term's) starting at `starts_at`: same fields and themes, no
    registrations; its end and registration window move by the same local-time distance."""
    get_object_or_404(Event, pk=event_id)
    copy = event_duplicate(event_id=event_id, starts_at=payload.starts_at)
    return Status(201, event_get_for_organiser(event_id=copy.id))


@organiser_router.post("/themes", response={201: ThemeOut, 422: ErrorOut})
def organiser_theme_create(request, payload: ThemeIn):
    return Status(201, theme_create(**payload.dict()))


@organiser_router.get("/themes/demand", response=list[ThemeDemandOut])
def organiser_theme_demand(request):
    """Per theme: how many want meetings on it, and how many are planned."""
    return theme_demand()
