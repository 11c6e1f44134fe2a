"""The organiser's message to a meeting's registrants: a form that says how many it reaches,
and the messages already sent with how far their delivery has come. Sending is one service
(notifications.services.announcement_send), which queues one e-mail per person."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from events.models import Event
from notifications.models import Announcement
from notifications.selectors import announcement_audience_counts, announcement_list_for_event
from notifications.services import announcement_send
from registrations.validators import clean_single_line

from .views import workspace_view

CHANGE_EVENT = "events.change_event"


class AnnouncementForm(forms.Form):
    audience = forms.ChoiceField(label=_("To"), widget=forms.RadioSelect)
    subject = forms.CharField(label=_("Subject"), max_length=200)
    body = forms.CharField(label=_("Text"), max_length=5000, widget=forms.Textarea(attrs={"rows": 10}))

    def __init__(self, *args, counts: dict[str, int], **kwargs):
        super().__init__(*args, **kwargs)
        # Each choice says how many it reaches now, so nobody has to guess (or run a script).
        self.fields["audience"].choices = [
            (value, f"{label} ({counts[value]})") for value, label in Announcement.Audience.choices
        ]

    def clean_subject(self) -> str:
        return clean_single_line(self.cleaned_data["subject"])


@workspace_view(CHANGE_EVENT)
def event_messages(request, event_id: int):
    event = get_object_or_404(Event, pk=event_id)
    counts = announcement_audience_counts(event_id=event_id)
    initial = {"audience": Announcement.Audience.CONFIRMED}
    form = AnnouncementForm(request.POST or None, counts=counts, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            announcement = announcement_send(event_id=event_id, created_by=request.user, **form.cleaned_data)
        except ValidationError as error:
            for field, field_errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, field_errors)
        else:
            count = announcement.recipient_count
            text = ngettext(
                "The message is on its way to %(count)d person.",
                "The message is on its way to %(count)d people.",
                count,
            )
            messages.success(request, text % {"count": count})
            return redirect("workspace:messages", event_id)
    context = {
        "event": event,
        "form": form,
        "announcements": announcement_list_for_event(event_id=event_id),
    }
    return render(request, "workspace/messages/event.html", context, status=400 if form.is_bound else 200)
