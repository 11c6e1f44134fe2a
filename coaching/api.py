from django.contrib.auth import get_user_model
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError
from pydantic import model_validator

from accounts.auth import is_workspace_user, organiser_auth
from common.api import ErrorOut, IsoDate, described, found

from .models import CoachingKind, CoachingSeries
from .schemas import (
    BlockedDayIn,
    KindIn,
    KindOut,
    OrganiserSeriesOut,
    RemovedOut,
    SeriesCreateIn,
    SeriesFieldsIn,
    SeriesOut,
    SlotIn,
    SlotOut,
)
from .selectors import free_slots, series_get_public, series_list_for_organiser, series_list_public
from .services import (
    coaching_day_block,
    coaching_kind_create,
    coaching_series_create,
    coaching_series_update,
    coaching_slot_add,
    coaching_slot_remove,
)

router = Router(tags=["coaching"])
organiser_router = Router(tags=["organiser: coaching"], auth=organiser_auth)

NO_SERIES = "No coaching series has this id."
UNKNOWN_NAMES = "The coaching kind or the coach's login does not exist; `detail` names it."


class SlotFilters(Schema):
    starts_from: IsoDate | None = Field(None, alias="from", description="A local day; default today.")
    starts_to: IsoDate | None = Field(None, alias="to", description="A local day, included; default the horizon.")

    @model_validator(mode="after")
    def ordered(self):
        # As everywhere in the API: given in either order, the earlier day is the start.
        if self.starts_from and self.starts_to and self.starts_to < self.starts_from:
            self.starts_from, self.starts_to = self.starts_to, self.starts_from
        return self


@router.get("/coaching/kinds", response=list[KindOut])
def kinds(request):
    """The kinds of coaching."""
    return CoachingKind.objects.all()


@router.get("/coaching", response=list[SeriesOut])
def series_list(request):
    """Coaching series with times to come: coach, kind, place or online, and the next free time."""
    return series_list_public()


@router.get("/coaching/{series_id}/slots", response={200: list[SlotOut], 404: ErrorOut})
def series_slots(request, series_id: int, filters: Query[SlotFilters]):
    """Free times one may book now, between two local days (in either order); book one with
    POST /api/signups and its `event_id`."""
    found(series_get_public(series_id=series_id))
    start = filters.starts_from or timezone.localdate()
    return free_slots(series_id=series_id, starts_from=start, starts_to=filters.starts_to)


def _fields(payload: SeriesFieldsIn, **options) -> dict:
    fields = payload.dict(**options)
    if "municipality" in fields:
        fields["municipality"] = fields["municipality"] or ""
    if "coach_username" in fields:
        username = fields.pop("coach_username")
        user = get_user_model().objects.filter(username=username).first() if username else None
        if username and (user is None or not is_workspace_user(user)):
            raise HttpError(404, _("No organiser or helper has the login %(name)s.") % {"name": username})
        fields["coach_user"] = user
    return fields


def _organiser_view(series_id: int) -> CoachingSeries:
    return found(series_list_for_organiser().filter(pk=series_id).first())


def _kind_or_404(code: str | None) -> None:
    if code is not None and not CoachingKind.objects.filter(code=code).exists():
        raise HttpError(404, _("Unknown kind of coaching: %(code)s") % {"code": code})


@organiser_router.post(
    "/coaching/kinds",
    response={201: KindOut, 409: ErrorOut, 422: ErrorOut},
    openapi_extra=described({409: "A kind with this code exists already."}),
)
def organiser_kind_create(request, payload: KindIn):
    """Adds a kind of coaching."""
    return Status(201, coaching_kind_create(**payload.dict()))


@organiser_router.get("/coaching", response=list[OrganiserSeriesOut])
def organiser_series_list(request):
    """Every series, with its times to come and how many are booked."""
    return series_list_for_organiser()


@organiser_router.post(
    "/coaching",
    response={201: OrganiserSeriesOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut},
    openapi_extra=described(
        {404: UNKNOWN_NAMES, 409: "The last day is before the first, or the day ends before it starts."}
    ),
)
def organiser_series_create(request, payload: SeriesCreateIn):
    """Creates a series and generates its times (those already past are not made); `slots`
    says how many there are."""
    _kind_or_404(payload.coaching_kind)
    fields = _fields(payload)
    series = coaching_series_create(kind_code=fields.pop("coaching_kind"), **fields)
    return Status(201, _organiser_view(series.id))


@organiser_router.get(
    "/coaching/{series_id}",
    response={200: OrganiserSeriesOut, 404: ErrorOut},
    openapi_extra=described({404: NO_SERIES}),
)
def organiser_series_detail(request, series_id: int):
    return _organiser_view(series_id)


@organiser_router.patch(
    "/coaching/{series_id}",
    response={200: OrganiserSeriesOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut},
    openapi_extra=described(
        {
            404: f"{NO_SERIES} Or: {UNKNOWN_NAMES}",
            409: "The last day is before the first, or the day ends before it starts.",
        }
    ),
)
def organiser_series_update(request, series_id: int, payload: SeriesFieldsIn):
    """Changes the fields sent and the times to come: a new place or link is sent to those
    booked; a new pattern removes free times that no longer fit and adds new ones (booked
    times stand until removed one by one)."""
    get_object_or_404(CoachingSeries, pk=series_id)
    _kind_or_404(payload.coaching_kind)
    fields = _fields(payload, exclude_unset=True)
    coaching_series_update(series_id=series_id, kind_code=fields.pop("coaching_kind", None), **fields)
    return _organiser_view(series_id)


@organiser_router.post(
    "/coaching/{series_id}/slots",
    response={201: SlotOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut},
    openapi_extra=described({404: NO_SERIES, 409: "The series already has a time then."}),
)
def organiser_slot_add(request, series_id: int, payload: SlotIn):
    """Adds one time of the series' length."""
    get_object_or_404(CoachingSeries, pk=series_id)
    return Status(201, coaching_slot_add(series_id=series_id, starts_at=payload.starts_at))


@organiser_router.delete(
    "/coaching/{series_id}/slots/{event_id}",
    response={204: None, 404: ErrorOut, 409: ErrorOut},
    openapi_extra=described({404: "No such time in this series.", 409: "The time is already removed."}),
)
def organiser_slot_remove(request, series_id: int, event_id: int):
    """Removes a time: a booked one is cancelled and its person told; a free one is deleted."""
    get_object_or_404(CoachingSeries.objects.filter(slots__pk=event_id), pk=series_id)
    coaching_slot_remove(series_id=series_id, event_id=event_id)
    return Status(204, None)


@organiser_router.post(
    "/coaching/{series_id}/blocked-days",
    response={200: RemovedOut, 404: ErrorOut, 422: ErrorOut},
    openapi_extra=described({404: NO_SERIES}),
)
def organiser_day_block(request, series_id: int, payload: BlockedDayIn):
    """Removes every time to come on a day (booked ones are cancelled and their people told)."""
    get_object_or_404(CoachingSeries, pk=series_id)
    return {"removed": coaching_day_block(series_id=series_id, day=payload.date)}
