"""Public coaching pages: the coaches to choose from, one series' free times day by day, and
booking a time, which is a sign-up for that slot (confirmed on the sign-up's own page)."""

from datetime import date, datetime, timedelta

from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from common.language import request_language
from events.choices import EventStatus
from events.models import Event
from events.selectors import event_get_public, seats_left
from registrations.personal_data.selectors import privacy_notice_current
from registrations.ratelimit import signup_limited
from registrations.services import PersonDetails, SignupRejected, signup_create
from registrations.views import signup_done_remember

from .forms import BookingForm
from .selectors import by_local_day, free_slots, nearest_free_slots, series_get_public, series_list_public
from .slots import day_from_text

PAGE_DAYS = 14
# The details typed on a booking page whose time was just taken, offered on the next one.
DETAILS_SESSION_KEY = "coaching_details"

# Why a slot cannot be booked now, and the status its page answers with.
CANCELLED, CLOSED, NOT_OPEN, TAKEN = "cancelled", "closed", "not_open", "taken"
STATUS = {CANCELLED: 410, CLOSED: 410, NOT_OPEN: 200, TAKEN: 409}


@require_safe
def series_list(request):
    return render(request, "coaching/list.html", {"series_list": list(series_list_public())})


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


@require_safe
def series_detail(request, series_id: int):
    """Two weeks of free times a page (`?from=YYYY-MM-DD`), from Monday to Sunday; it opens at
    the week of the next free time, and pages no further than the series' bookable days."""
    series = series_get_public(series_id=series_id)
    if series is None:
        raise Http404
    today = timezone.localdate()
    first = _monday(today)
    last = _monday(min(series.ends_on, today + timedelta(days=series.horizon_days)))
    opening = timezone.localdate(series.next_free) if series.next_free else today
    start = min(max(_monday(day_from_text(request.GET.get("from")) or opening), first), max(last, first))
    end = start + timedelta(days=PAGE_DAYS - 1)
    step = timedelta(days=PAGE_DAYS)
    context = {
        "series": series,
        "days": by_local_day(free_slots(series_id=series.id, starts_from=start, starts_to=end)),
        "start": start,
        "end": end,
        "previous": max(start - step, first) if start > first else None,
        "next": start + step if start + step <= last else None,
    }
    return render(request, "coaching/series.html", context)


def _slot_or_404(event_id: int) -> Event:
    slot = event_get_public(event_id=event_id)
    if slot is None or slot.coaching_series_id is None:
        raise Http404
    return slot


def _unbookable(slot: Event, *, now: datetime) -> str | None:
    if slot.status == EventStatus.CANCELLED:
        return CANCELLED
    if slot.registration_opens_at and now < slot.registration_opens_at:
        return NOT_OPEN
    if slot.registration_closed_reason(now):
        return CLOSED
    if seats_left(slot) == 0:
        return TAKEN
    return None


@require_http_methods(["GET", "POST"])
def slot_book(request, event_id: int):
    """Books one time through the sign-up service. A time that takes no booking says why,
    with the nearest free times (taken 409, cancelled or closed 410, not yet open 200); a
    refusal when booking (taken meanwhile, over the limit) answers 409 with its message."""
    slot = _slot_or_404(event_id)
    now = timezone.now()
    state = _unbookable(slot, now=now)
    # A time taken since its form was shown goes to the sign-up service all the same: it
    # names the time and offers the nearest free ones, as it does in a race.
    if state == TAKEN and request.method == "POST":
        state = None
    initial = request.session.pop(DETAILS_SESSION_KEY, None) if request.method == "GET" and not state else None
    form = BookingForm(request.POST or None, language=request_language(), initial=initial)
    rejection, nearest, status, details_kept = "", [], 200, False
    if request.method == "POST" and not state and form.is_valid():
        data = form.cleaned_data
        if signup_limited(request, email=data["email"]):
            form.add_error(None, _("Too many sign-ups in a short time. Please wait a minute and try again."))
            status = 429
        else:
            try:
                outcomes = signup_create(
                    person=PersonDetails.from_cleaned(data, default_language=request_language()), event_ids=[slot.id]
                )
            except SignupRejected as error:
                rejection, nearest, status = str(error), error.nearest, 409
                # Read again: the page shows the time as the service found it.
                slot = _slot_or_404(event_id)
                state = _unbookable(slot, now=now)
                if state:
                    request.session[DETAILS_SESSION_KEY] = form.details()
                    details_kept = True
            else:
                signup_done_remember(request, outcomes, email=data["email"])
                return redirect("registrations:done")
    if state and not rejection:
        nearest, status = nearest_free_slots(slot, now=now), STATUS[state]
    context = {
        "slot": slot,
        "series": slot.coaching_series,
        "state": state,
        "rejection": rejection,
        "nearest": nearest,
        "details_kept": details_kept,
        "form": None if state else form,
        "privacy": privacy_notice_current(language=request_language()),
    }
    return render(request, "coaching/book.html", context, status=status)
