"""Coaching in the workspace. Organisers list, create and change series, add and remove single
times and block days (every write one call to coaching.services); a coach's day shows a local
day's times with who booked them, and marks attendance there. Helpers see only the series
where they are the coach (`coach_user`) and none of the organiser pages."""

from datetime import date, timedelta

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dates import WEEKDAYS_ABBR
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from accounts.auth import ATTENDANCE_PERMISSION, ORGANISER_PERMISSION
from coaching.models import CoachingKind, CoachingSeries
from coaching.selectors import by_local_day, coach_day, series_list_for_organiser, with_bookings
from coaching.services import (
    coaching_day_block,
    coaching_kind_create,
    coaching_series_create,
    coaching_series_update,
    coaching_slot_add,
    coaching_slot_remove,
)
from coaching.slots import day_from_text
from events.choices import EventStatus
from events.selectors import local_day_start
from events.services import EventConflict
from registrations.models import Registration
from registrations.services import RegistrationConflict, registration_set_attendance

from .coaching_forms import CoachFilterForm, KindForm, SeriesForm, SlotAddForm
from .views import MARKS, workspace_view

# How many days the series page shows at a time.
PAGE_DAYS = 14


def _described(series: CoachingSeries) -> CoachingSeries:
    """Adds what the pages show about a series from the organiser's selector."""
    series.weekday_names = ", ".join(str(WEEKDAYS_ABBR[day - 1]) for day in series.weekdays)
    series.free_slots = series.upcoming_slots - series.booked_slots
    return series


def _series_or_404(series_id: int) -> CoachingSeries:
    series = series_list_for_organiser().filter(pk=series_id).first()
    if series is None:
        raise Http404
    return _described(series)


@workspace_view(ORGANISER_PERMISSION)
def series_list(request):
    series_list = [_described(series) for series in series_list_for_organiser()]
    context = {"series_list": series_list, "nav": "coaching", "tab": "series"}
    return render(request, "workspace/coaching/list.html", context)


def _render_form(request, form: SeriesForm, *, series: CoachingSeries | None = None):
    status = 400 if form.is_bound else 200
    context = {"form": form, "series": series, "nav": "coaching"}
    return render(request, "workspace/coaching/form.html", context, status=status)


@workspace_view(ORGANISER_PERMISSION)
def series_create(request):
    form = SeriesForm(request.POST or None, initial={"kind": request.GET.get("kind")})
    if request.method == "POST" and form.is_valid():
        try:
            series = coaching_series_create(**form.service_arguments())
        except ValidationError as error:
            # The service validates again, and counts the times the pattern makes.
            form.add_error(None, error)
        else:
            text = ngettext(
                "The series was created with %(count)d time.",
                "The series was created with %(count)d times.",
                series.slot_count,
            )
            messages.success(request, text % {"count": series.slot_count})
            return redirect("workspace:coaching_series", series.id)
    return _render_form(request, form)


@workspace_view(ORGANISER_PERMISSION)
def series_update(request, series_id: int):
    series = get_object_or_404(CoachingSeries.objects.select_related("kind"), pk=series_id)
    form = SeriesForm(request.POST or None, instance=series)
    if request.method == "POST" and form.is_valid():
        try:
            coaching_series_update(series_id=series_id, **form.service_arguments())
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The series was saved."))
            return redirect("workspace:coaching_series", series_id)
    return _render_form(request, form, series=series)


def _render_series(request, series: CoachingSeries, slot_form: SlotAddForm, *, status: int = 200):
    # The page opens at the first time to come; no page before it has any.
    earliest = timezone.localdate(series.first_slot) if series.first_slot else timezone.localdate()
    start = max(day_from_text(request.GET.get("fran")) or earliest, earliest)
    end = start + timedelta(days=PAGE_DAYS)
    slots = series.slots.exclude(status=EventStatus.CANCELLED).filter(
        ends_at__gt=timezone.now(), starts_at__gte=local_day_start(start), starts_at__lt=local_day_start(end)
    )
    context = {
        "series": series,
        "days": by_local_day(with_bookings(slots.order_by("starts_at", "id"))),
        "start": start,
        "last": end - timedelta(days=1),
        "previous": max(start - timedelta(days=PAGE_DAYS), earliest) if start > earliest else None,
        "next": end if end <= series.ends_on else None,
        "slot_form": slot_form,
        "nav": "coaching",
    }
    return render(request, "workspace/coaching/series.html", context, status=status)


@workspace_view(ORGANISER_PERMISSION)
def series_page(request, series_id: int):
    return _render_series(request, _series_or_404(series_id), SlotAddForm())


@workspace_view(ORGANISER_PERMISSION)
@require_POST
def slot_add(request, series_id: int):
    series = _series_or_404(series_id)
    form = SlotAddForm(request.POST)
    if form.is_valid():
        try:
            slot = coaching_slot_add(series_id=series_id, starts_at=form.cleaned_data["starts_at"])
        except EventConflict as error:
            form.add_error("starts_at", str(error))
        except ValidationError as error:
            # Whatever the slot's own validation names, it is about the one time asked for.
            form.add_error("starts_at", error.messages)
        else:
            messages.success(request, _("The time was added."))
            day = timezone.localdate(slot.starts_at)
            return redirect(reverse("workspace:coaching_series", args=[series_id]) + f"?fran={day}#slot-{slot.id}")
    return _render_series(request, series, form, status=400)


@workspace_view(ORGANISER_PERMISSION)
def slot_remove(request, series_id: int, event_id: int):
    """GET asks first (a booked time's person is told); the POST removes."""
    series = _series_or_404(series_id)
    queryset = series.slots.exclude(status=EventStatus.CANCELLED)
    slot = get_object_or_404(with_bookings(queryset), pk=event_id)
    if request.method != "POST":
        return render(request, "workspace/coaching/remove.html", {"series": series, "slot": slot, "nav": "coaching"})
    try:
        coaching_slot_remove(series_id=series_id, event_id=event_id)
    except EventConflict as error:
        messages.error(request, str(error))
    else:
        if slot.bookings:
            messages.success(
                request, _("The time was removed and %(name)s is told.") % {"name": slot.bookings[0].display_name}
            )
        else:
            messages.success(request, _("The time was removed."))
    day = timezone.localdate(slot.starts_at)
    return redirect(reverse("workspace:coaching_series", args=[series_id]) + f"?fran={day}")


@workspace_view(ORGANISER_PERMISSION)
def day_block(request, series_id: int):
    """GET `?dag=` shows what the day holds and asks; the POST removes every time to come."""
    series = _series_or_404(series_id)
    day = day_from_text(request.POST.get("dag") if request.method == "POST" else request.GET.get("dag"))
    if day is None:
        messages.error(request, _("Choose a day to block."))
        return redirect("workspace:coaching_series", series_id)
    if request.method == "POST":
        removed = coaching_day_block(series_id=series_id, day=day)
        text = ngettext("%(count)d time was removed.", "%(count)d times were removed.", removed)
        messages.success(request, text % {"count": removed})
        return redirect(reverse("workspace:coaching_series", args=[series_id]) + f"?fran={day}")
    slots = coach_day(day=day, series_ids=[series_id]).filter(ends_at__gt=timezone.now())
    context = {"series": series, "day": day, "slots": list(with_bookings(slots)), "nav": "coaching"}
    return render(request, "workspace/coaching/block.html", context)


@workspace_view(ORGANISER_PERMISSION)
def kinds(request):
    form = KindForm(request.POST or None)
    # Came from a new series' form: back there, with the new kind chosen.
    for_new_series = (request.POST.get("then") or request.GET.get("then")) == "new"
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            kind = coaching_kind_create(code=data["code"], name=data["name"], name_en=data["name_en"])
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The kind “%(name)s” was added.") % {"name": kind.name})
            if for_new_series:
                return redirect(f"{reverse('workspace:coaching_create')}?{urlencode({'kind': kind.code})}")
            return redirect("workspace:coaching_kinds")
    context = {"form": form, "kinds": CoachingKind.objects.all(), "for_new_series": for_new_series, "nav": "coaching"}
    return render(request, "workspace/coaching/kinds.html", context, status=400 if form.is_bound else 200)


def _visible_series(request):
    """The series whose times the user may see on the coach's day: an organiser all of them,
    a helper those where they are the coach."""
    if request.user.has_perm(ORGANISER_PERMISSION):
        return CoachingSeries.objects.all()
    return CoachingSeries.objects.filter(coach_user=request.user)


def _day_address(day: date, coach: str = "", anchor: str = "") -> str:
    query = {"dag": day.isoformat()} | ({"coach": coach} if coach else {})
    return f"{reverse('workspace:coaching_day')}?{urlencode(query)}{anchor}"


@workspace_view(ATTENDANCE_PERMISSION)
def day_page(request):
    organiser = request.user.has_perm(ORGANISER_PERMISSION)
    series = visible = _visible_series(request)
    coaches = list(series.order_by("coach_name").values_list("coach_name", flat=True).distinct()) if organiser else []
    form = CoachFilterForm(request.GET, coaches=coaches)
    coach = form.cleaned_data["coach"] if form.is_valid() else ""
    day = day_from_text(request.GET.get("dag")) or timezone.localdate()
    if coach:
        series = series.filter(coach_name=coach)
    slots = with_bookings(coach_day(day=day, series_ids=series.values("id")))
    context = {
        "form": form,
        "day": day,
        "today": timezone.localdate(),
        "coach": coach,
        "slots": slots,
        "organiser": organiser,
        # Asked only when the day is empty: a helper with no series is told why.
        "has_series": visible.exists,
        "previous": _day_address(day - timedelta(days=1), coach),
        "next": _day_address(day + timedelta(days=1), coach),
        "nav": "coaching",
        "tab": "day",
    }
    return render(request, "workspace/coaching/day.html", context)


@workspace_view(ATTENDANCE_PERMISSION)
@require_POST
def day_mark(request, registration_id: int):
    """Marks attendance from the coach's day, for a time of a series the user may see."""
    registration = get_object_or_404(
        Registration.objects.select_related("event"),
        pk=registration_id,
        event__coaching_series__in=_visible_series(request),
    )
    day = timezone.localdate(registration.event.starts_at)
    back = _day_address(day, request.POST.get("coach", ""), f"#slot-{registration.event_id}")
    mark = request.POST.get("mark")
    if mark in MARKS:
        try:
            registration_set_attendance(registration_id=registration_id, attended=MARKS[mark], by=request.user)
        except RegistrationConflict as error:
            messages.error(request, str(error))
    return redirect(back)
