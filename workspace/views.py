"""Organiser pages. Each view checks login and permission, validates, calls at most one
service and renders; every write is a plain POST form, so the pages work without JavaScript."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from accounts.auth import ORGANISER_PERMISSION
from common.language import request_language
from events.selectors import theme_demand
from registrations.models import Registration
from registrations.services import (
    PersonDetails,
    RegistrationConflict,
    attendance_mark_no_shows,
    registration_add_by_organiser,
    registration_set_attendance,
)

from .feedback import event_feedback
from .forms import WalkInForm
from .selectors import event_get_with_attendance, event_list_with_attendance, registration_search

VIEW_LISTS = "registrations.view_registration"
MARK_ATTENDANCE = "registrations.mark_attendance"
VIEW_DEMAND = "registrations.view_themeinterest"

# What each check-in button means for `attended`.
MARKS = {"attended": True, "no_show": False, "undo": None}


def workspace_view(permission: str):
    """Anonymous visitors go to the login page; a logged-in user without `permission` gets 403."""

    def decorator(view):
        return wraps(view)(login_required(permission_required(permission, raise_exception=True)(view)))

    return decorator


def _search_text(request) -> str:
    # PostgreSQL text cannot hold NUL; a search for it finds nothing either way.
    return request.GET.get("q", "")[:200].replace("\x00", "")


def _event_or_404(event_id: int):
    event = event_get_with_attendance(event_id=event_id)
    if event is None:
        raise Http404
    return event


@workspace_view(VIEW_LISTS)
def overview(request):
    past = request.GET.get("visa") == "tidigare"
    context = {"events": event_list_with_attendance(past=past), "past": past, "nav": "overview"}
    return render(request, "workspace/overview.html", context)


@workspace_view(VIEW_LISTS)
def event_registrations(request, event_id: int):
    event = _event_or_404(event_id)
    query = _search_text(request)
    context = {
        "event": event,
        "query": query,
        "registrations": registration_search(event_id=event_id, query=query),
        # The survey's answers are the organisers' to read, not the helpers' at the door.
        "feedback": event_feedback(event) if request.user.has_perm(ORGANISER_PERMISSION) else None,
    }
    return render(request, "workspace/event.html", context)


def _render_checkin(request, event, form: WalkInForm, *, status: int = 200):
    query = _search_text(request)
    context = {
        "event": event,
        "query": query,
        "form": form,
        "registrations": registration_search(event_id=event.id, query=query, active_only=True),
        "started": event.starts_at <= timezone.now(),
    }
    return render(request, "workspace/checkin.html", context, status=status)


@workspace_view(VIEW_LISTS)
def checkin(request, event_id: int):
    event = _event_or_404(event_id)
    form = WalkInForm(initial={"municipality": event.municipality or "Annan"})
    return _render_checkin(request, event, form)


def _back_to_checkin(event_id: int, anchor: str = ""):
    return redirect(reverse("workspace:checkin", args=[event_id]) + anchor)


@workspace_view(MARK_ATTENDANCE)
@require_POST
def checkin_mark(request, event_id: int, registration_id: int):
    mark = request.POST.get("mark")
    if mark not in MARKS:
        return _back_to_checkin(event_id)
    get_object_or_404(Registration, pk=registration_id, event_id=event_id)
    try:
        registration = registration_set_attendance(
            registration_id=registration_id, attended=MARKS[mark], by=request.user
        )
    except RegistrationConflict as error:
        messages.error(request, str(error))
        return _back_to_checkin(event_id)
    if request.headers.get("X-Requested-With") == "fetch":
        # The page's script swaps in the updated row instead of reloading 200 of them.
        return render(request, "workspace/_checkin_row.html", {"registration": registration, "event_id": event_id})
    return _back_to_checkin(event_id, f"#r-{registration_id}")


@workspace_view(MARK_ATTENDANCE)
@require_POST
def checkin_walk_in(request, event_id: int):
    event = _event_or_404(event_id)
    form = WalkInForm(request.POST)
    if not form.is_valid():
        return _render_checkin(request, event, form, status=400)
    # A walk-in's e-mails, if any, go out in the language the helper uses.
    person = PersonDetails.from_cleaned(form.cleaned_data, default_language=request_language())
    try:
        registration, _token = registration_add_by_organiser(
            event_id=event_id, person=person, attended=True, by=request.user
        )
    except RegistrationConflict as error:
        form.add_error("email", str(error))
        return _render_checkin(request, event, form, status=400)
    messages.success(request, _("%(name)s was added and marked as attended.") % {"name": registration.name})
    return _back_to_checkin(event_id)


@workspace_view(MARK_ATTENDANCE)
@require_POST
def checkin_no_shows(request, event_id: int):
    _event_or_404(event_id)
    marked = attendance_mark_no_shows(event_id=event_id, by=request.user)
    text = ngettext("%(count)d person marked as no-show.", "%(count)d people marked as no-show.", marked)
    messages.success(request, text % {"count": marked})
    return _back_to_checkin(event_id)


@workspace_view(VIEW_DEMAND)
def theme_demand_page(request):
    return render(request, "workspace/themes.html", {"themes": theme_demand(), "nav": "themes"})
