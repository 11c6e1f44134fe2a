"""The workspace's meeting forms. Times are entered as local (Europe/Stockholm) date and time;
the model's own validation (end after start) runs too, and its errors land by the fields."""

from datetime import date, datetime, timedelta

from django import forms
from django.core.validators import MinValueValidator
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from events.choices import EventStatus
from events.models import MAX_FEEDBACK_DELAY_MINUTES, Event, Theme

DATETIME_FIELDS = ["starts_at", "ends_at", "registration_opens_at", "registration_closes_at"]
COMMON_REMINDERS = [7 * 24 * 60, 2 * 24 * 60, 24 * 60, 2 * 60, 60, 15]
MAX_REMINDER = 90 * 24 * 60


def reminder_label(minutes: int) -> str:
    if minutes % (7 * 24 * 60) == 0:
        weeks = minutes // (7 * 24 * 60)
        return ngettext("%(count)d week before", "%(count)d weeks before", weeks) % {"count": weeks}
    if minutes % (24 * 60) == 0:
        days = minutes // (24 * 60)
        return ngettext("%(count)d day before", "%(count)d days before", days) % {"count": days}
    if minutes % 60 == 0:
        hours = minutes // 60
        return ngettext("%(count)d hour before", "%(count)d hours before", hours) % {"count": hours}
    return ngettext("%(count)d minute before", "%(count)d minutes before", minutes) % {"count": minutes}


class LocalDateTimeWidget(forms.SplitDateTimeWidget):
    """A native date picker and time picker, each with its own label."""

    template_name = "workspace/meetings/local_datetime_widget.html"

    def __init__(self):
        super().__init__(
            date_format="%Y-%m-%d", time_format="%H:%M", date_attrs={"type": "date"}, time_attrs={"type": "time"}
        )

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        for subwidget, label in zip(context["widget"]["subwidgets"], (_("Date"), _("Time")), strict=True):
            subwidget["label"] = label
        return context


class MeetingForm(forms.ModelForm):
    themes = forms.ModelMultipleChoiceField(
        label=_("Themes"), queryset=Theme.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[(EventStatus.DRAFT, EventStatus.DRAFT.label), (EventStatus.PUBLISHED, EventStatus.PUBLISHED.label)],
        widget=forms.RadioSelect,
        help_text=_("A draft is seen only in the workspace."),
    )
    reminder_minutes_before = forms.TypedMultipleChoiceField(
        label=_("Reminders"), coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = Event
        fields = [
            "title",
            "kind",
            "themes",
            "audience",
            "description",
            *DATETIME_FIELDS,
            "capacity",
            "location",
            "online_url",
            "municipality",
            "reminder_minutes_before",
            "feedback_survey",
            "feedback_delay_minutes",
            "status",
        ]
        field_classes = {name: forms.SplitDateTimeField for name in DATETIME_FIELDS}
        widgets = {name: LocalDateTimeWidget() for name in DATETIME_FIELDS} | {
            "description": forms.Textarea(attrs={"rows": 6}),
            "online_url": forms.URLInput(attrs={"placeholder": "https://"}),
            "feedback_delay_minutes": forms.NumberInput(
                attrs={"min": 0, "max": MAX_FEEDBACK_DELAY_MINUTES, "step": 1, "inputmode": "numeric"}
            ),
        }
        labels = {
            "feedback_survey": _("Send a short survey to those who attended"),
            "feedback_delay_minutes": _("Send it this many minutes after the end"),
        }
        help_texts = {
            "feedback_survey": _(
                "One e-mail asking how useful the meeting was and which themes they want next. "
                "Only to those marked as attended."
            ),
            "feedback_delay_minutes": _("120 is two hours, 1440 one day, at most 10080 (a week). Empty means 120."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Inactive themes are offered only to a meeting that already has them.
        current_themes = Q(pk__in=self.instance.themes.all()) if self.instance.pk else Q(pk__in=[])
        self.fields["themes"].queryset = Theme.objects.filter(Q(is_active=True) | current_themes)
        self.fields["capacity"].validators.append(MinValueValidator(1))
        self.fields["capacity"].widget.attrs["min"] = 1
        # Empty means the model's default; a form posted without the field keeps working.
        self.fields["feedback_delay_minutes"].required = False
        # A meeting made through the API may have reminders that are not among the common ones.
        current = self.instance.reminder_minutes_before if self.instance.pk else []
        minutes = sorted(set(COMMON_REMINDERS) | set(current or []), reverse=True)
        self.fields["reminder_minutes_before"].choices = [(value, reminder_label(value)) for value in minutes]

    def clean_online_url(self) -> str:
        url = self.cleaned_data["online_url"]
        if url and not url.lower().startswith(("https://", "http://")):
            raise forms.ValidationError(_("Enter a link that starts with https://."))
        return url

    def clean_feedback_delay_minutes(self) -> int:
        minutes = self.cleaned_data["feedback_delay_minutes"]
        # The form field's initial value is the model's default.
        return self.fields["feedback_delay_minutes"].initial if minutes is None else minutes

    def clean_reminder_minutes_before(self) -> list[int]:
        values = self.cleaned_data["reminder_minutes_before"]
        if any(not 1 <= minutes <= MAX_REMINDER for minutes in values):
            raise forms.ValidationError(_("Reminders are between 1 minute and 90 days before the meeting."))
        return sorted(set(values), reverse=True)

    def clean(self):
        data = super().clean()
        if self.instance.pk:
            # The form shows whole minutes; a time set to the second elsewhere (API, admin)
            # that the organiser left alone must not count as a change that re-sends invites.
            for name in DATETIME_FIELDS:
                current = getattr(self.instance, name)
                if current and data.get(name) == current.replace(second=0, microsecond=0):
                    data[name] = current
        opens, closes = data.get("registration_opens_at"), data.get("registration_closes_at")
        if opens and closes and closes <= opens:
            self.add_error("registration_closes_at", _("Registration must close after it opens."))
        return data

    def service_arguments(self) -> dict:
        """The cleaned form as keyword arguments for `event_create` and `event_update`."""
        fields = {name: value for name, value in self.cleaned_data.items() if name != "themes"}
        return {"theme_slugs": [theme.slug for theme in self.cleaned_data["themes"]], **fields}


class DuplicateForm(forms.Form):
    weeks = forms.IntegerField(
        label=_("Move the dates by this many weeks"),
        min_value=1,
        max_value=520,
        initial=26,
        required=False,
        help_text=_("26 weeks is half a year: the same weekday next term."),
    )
    starts_on = forms.DateField(
        label=_("Or choose a new date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("The meeting keeps its start time; a date here is used instead of the weeks."),
    )

    def __init__(self, *args, event: Event, **kwargs):
        super().__init__(*args, **kwargs)
        self.event = event

    def clean_starts_on(self) -> date | None:
        day = self.cleaned_data["starts_on"]
        if day and day == timezone.localdate(self.event.starts_at):
            raise forms.ValidationError(_("Choose a date other than the meeting's own."))
        return day

    def clean(self):
        data = super().clean()
        if not data.get("starts_on") and data.get("weeks") is None and "weeks" not in self.errors:
            self.add_error("weeks", _("Give a number of weeks or a new date."))
        return data

    def starts_at(self) -> datetime:
        """The copy's start: the chosen date at the original local time, or the original moved
        by whole weeks on the local clock."""
        start = timezone.localtime(self.event.starts_at)
        day = self.cleaned_data["starts_on"]
        if day:
            return timezone.make_aware(datetime.combine(day, start.time().replace(tzinfo=None)))
        return timezone.make_aware(start.replace(tzinfo=None) + timedelta(weeks=self.cleaned_data["weeks"]))
