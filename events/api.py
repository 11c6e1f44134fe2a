import hashlib

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.cache import get_conditional_response
from django.utils.translation import gettext as _
from ninja import Query, Router, Status
from ninja.errors import HttpError

from accounts.auth import event_view_auth, organiser_auth
from common.api import ErrorOut, described, found
from notifications.invites import public_feed

from .fields import Flag
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
    theme_slugs_unknown,
)
from .services import event_cancel, event_create, event_duplicate, event_update, theme_create

router = Router(tags=["meetings"])
organiser_router = Router(tags=["organiser: meetings"], auth=organiser_auth)

# Text fields a change may empty with null are stored as ""; capacity keeps None (unlimited).
_TEXT_FIELDS = {"description", "location", "online_url", "municipality"}


# JSON Schema cannot compare two fields, so this rule is a conflict between valid values.
ENDS_TOO_EARLY = "The meeting would not end after it starts; `detail` names `ends_at`."


def _blank_for_none(fields: dict) -> dict:
    return {name: ("" if value is None and name in _TEXT_FIELDS else value) for name, value in fields.items()}


def themes_exist(slugs: list[str] | None) -> None:
    # A theme that does not exist is not found, as a meeting that does not exist is for a sign-up.
    unknown = theme_slugs_unknown(slugs=slugs or [])
    if unknown:
        raise HttpError(404, _("Unknown theme: %(slugs)s") % {"slugs": ", ".join(unknown)})


NO_MEETING = "No meeting has this id."


@router.get("/themes", response=list[ThemeOut])
def themes(request):
    return theme_list()


@router.get("/events", response=list[EventOut])
def events(request, filters: Query[EventFilters]):
    """Upcoming published meetings, soonest first; `from` and `to` are local dates, both
    included, in either order."""
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


@router.get(
    "/events/{event_id}",
    response={200: EventOut, 404: ErrorOut},
    openapi_extra=described({404: "No published or cancelled meeting has this id (drafts are not shown)."}),
)
def event_detail(request, event_id: int):
    """One published or cancelled meeting, never its online link."""
    return found(event_get_public(event_id=event_id))


@router.get(
    "/events/{event_id}/calendar.ics",
    response={200: None, 404: ErrorOut},
    openapi_extra=described({404: "No published or cancelled meeting has this id (drafts are not shown)."}),
)
def event_calendar(request, event_id: int):
    event = found(event_get_public(event_id=event_id))
    response = HttpResponse(public_feed([event]), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="traff-{event.id}.ics"'
    return response


@organiser_router.get("/events", response=list[OrganiserEventOut], auth=event_view_auth)
def organiser_events(request, include_past: Flag = True):
    """Every meeting (drafts and cancelled ones too), with its online link and seat counts;
    `include_past=false` leaves out those that have started. Organisers and helpers."""
    return event_list_for_organiser(include_past=include_past)


@organiser_router.post(
    "/events",
    response={201: OrganiserEventOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut},
    openapi_extra=described(
        {
            404: "A theme in `themes` does not exist; `detail` names it.",
            409: ENDS_TOO_EARLY,
            422: "Invalid input; `detail` names the field.",
        }
    ),
)
def organiser_event_create(request, payload: EventCreateIn):
    """Creates a meeting, also one in the past (records after the fact). It must end after it
    starts; a published meeting still ahead is announced to those interested in its themes."""
    themes_exist(payload.themes)
    fields = _blank_for_none(payload.dict(exclude={"themes"}))
    event = event_create(theme_slugs=payload.themes, **fields)
    return Status(201, event_get_for_organiser(event_id=event.id))


@organiser_router.get(
    "/events/{event_id}",
    response={200: OrganiserEventOut, 404: ErrorOut},
    auth=event_view_auth,
    openapi_extra=described({404: NO_MEETING}),
)
def organiser_event_detail(request, event_id: int):
    """One meeting, with its online link and seat counts. Organisers and helpers."""
    return found(event_get_for_organiser(event_id=event_id))


@organiser_router.patch(
    "/events/{event_id}",
    response={200: OrganiserEventOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut},
    openapi_extra=described(
        {
            404: f"{NO_MEETING} Or a theme in `themes` does not exist; `detail` names it.",
            409: f"The meeting is cancelled and can no longer be changed. Or: {ENDS_TOO_EARLY}",
            422: "Invalid input; `detail` names the field.",
        }
    ),
)
def organiser_event_update(request, event_id: int, payload: EventPatchIn):
    """Changes the fields sent. A new time, place or link sends updated invites; more seats
    confirm people from the waiting list at once. The meeting must still end after it starts."""
    get_object_or_404(Event, pk=event_id)
    themes_exist(payload.themes)
    changes = _blank_for_none(payload.dict(exclude_unset=True))
    event_update(event_id=event_id, theme_slugs=changes.pop("themes", None), **changes)
    return event_get_for_organiser(event_id=event_id)


@organiser_router.post(
    "/events/{event_id}/cancel",
    response={200: OrganiserEventOut, 404: ErrorOut, 409: ErrorOut},
    openapi_extra=described({404: NO_MEETING, 409: "The meeting is already cancelled."}),
)
def organiser_event_cancel(request, event_id: int):
    """Cancels a meeting and tells everyone registered; registrations are kept for the record."""
    get_object_or_404(Event, pk=event_id)
    event_cancel(event_id=event_id)
    return event_get_for_organiser(event_id=event_id)


@organiser_router.post(
    "/events/{event_id}/duplicate",
    response={201: OrganiserEventOut, 404: ErrorOut, 422: ErrorOut},
    openapi_extra=described({404: NO_MEETING}),
)
def organiser_event_duplicate(request, event_id: int, payload: EventDuplicateIn):
    """A draft copy (e.g. next term's) starting at `starts_at`: same fields and themes, no
    registrations; its end and registration window move by the same local-time distance."""
    get_object_or_404(Event, pk=event_id)
    copy = event_duplicate(event_id=event_id, starts_at=payload.starts_at)
    return Status(201, event_get_for_organiser(event_id=copy.id))


@organiser_router.post(
    "/themes",
    response={201: ThemeOut, 409: ErrorOut, 422: ErrorOut},
    openapi_extra=described({409: "A theme with this slug exists already."}),
)
def organiser_theme_create(request, payload: ThemeIn):
    """Adds a theme; its slug (lower-case letters, digits and hyphens) must be free."""
    return Status(201, theme_create(**payload.dict()))


@organiser_router.get("/themes/demand", response=list[ThemeDemandOut])
def organiser_theme_demand(request):
    """Per theme: how many want meetings on it, how many are planned, and how many survey
    answers asked for it."""
    return theme_demand()
