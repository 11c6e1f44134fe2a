"""Organiser pages that create, change, copy and cancel meetings. Each view validates a form,
calls one service from events.services (which tells registrants through the outbox) and
redirects with a message."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from events.choices import EventStatus
from events.models import Event
from events.services import EventConflict, event_cancel, event_create, event_duplicate, event_update

from .meeting_forms import DuplicateForm, MeetingForm
from .selectors import event_get_with_attendance
from .views import workspace_view

ADD_EVENT = "events.add_event"
CHANGE_EVENT = "events.change_event"


def _render_form(request, form: MeetingForm, *, event: Event | None = None):
    status = 400 if form.is_bound else 200
    return render(request, "workspace/meetings/form.html", {"form": form, "event": event}, status=status)


@workspace_view(ADD_EVENT)
def meeting_create(request):
    form = MeetingForm(request.POST or None, initial={"status": EventStatus.PUBLISHED})
    if request.method == "POST" and form.is_valid():
        try:
            event = event_create(**form.service_arguments())
        except ValidationError as error:
            # The service validates the model again; its errors are shown by the fields too.
            form.add_error(None, error)
        else:
            messages.success(request, _("The meeting “%(title)s” was created.") % {"title": event.title})
            return redirect("workspace:event", event.id)
    return _render_form(request, form)


@workspace_view(CHANGE_EVENT)
def meeting_update(request, event_id: int):
    event = get_object_or_404(Event, pk=event_id)
    if event.status == EventStatus.CANCELLED:
        messages.error(request, _("A cancelled meeting cannot be changed."))
        return redirect("workspace:event", event_id)
    form = MeetingForm(request.POST or None, instance=event)
    if request.method == "POST" and form.is_valid():
        try:
            event_update(event_id=event_id, **form.service_arguments())
        except EventConflict as error:
            messages.error(request, str(error))
            return redirect("workspace:event", event_id)
        except ValidationError as error:
            # The service validates the model again; its errors are shown by the fields too.
            form.add_error(None, error)
        else:
            messages.success(request, _("The meeting was saved."))
            return redirect("workspace:event", event_id)
    return _render_form(request, form, event=event)


@workspace_view([ADD_EVENT, CHANGE_EVENT])
def meeting_duplicate(request, event_id: int):
    event = get_object_or_404(Event, pk=event_id)
    form = DuplicateForm(request.POST or None, event=event)
    if request.method == "POST" and form.is_valid():
        copy = event_duplicate(event_id=event_id, starts_at=form.starts_at())
        messages.success(request, _("A draft copy was made. Check it and publish it when it is ready."))
        return redirect("workspace:meeting_update", copy.id)
    status = 400 if form.is_bound else 200
    return render(request, "workspace/meetings/duplicate.html", {"form": form, "event": event}, status=status)


@workspace_view(CHANGE_EVENT)
def meeting_cancel(request, event_id: int):
    """GET asks for confirmation; only the POST cancels."""
    event = event_get_with_attendance(event_id=event_id)
    if event is None:
        raise Http404
    if request.method != "POST":
        return render(request, "workspace/meetings/cancel.html", {"event": event})
    try:
        event_cancel(event_id=event_id)
    except EventConflict as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The meeting was cancelled and everyone registered is told."))
    return redirect("workspace:event", event_id)
