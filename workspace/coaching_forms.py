"""The workspace's coaching forms: a series, a kind, one more time, a day to block and the
coach's day. Days and clock times are Stockholm's; the model's own rules (last day after the
first, the day ending after it starts) run through the ModelForm and land by their fields."""

from datetime import time

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db.models import Q
from django.utils.dates import WEEKDAYS
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from accounts.auth import ATTENDANCE_PERMISSION, ORGANISER_PERMISSION
from coaching.models import CoachingKind, CoachingSeries

from .meeting_forms import LocalDateTimeWidget, MeetingForm

DATE_WIDGET = forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})
TIME_WIDGET = forms.TimeInput(format="%H:%M", attrs={"type": "time"})


def _number(**attrs) -> forms.NumberInput:
    return forms.NumberInput(attrs={"step": 1, "inputmode": "numeric", **attrs})


def workspace_users(*, keep=None):
    """Active organisers and helpers (by group or own permission), the ones who may log in to
    see a coach's day; `keep` stays on offer even if it has lost its role since."""
    roles = Q()
    for permission in (ORGANISER_PERMISSION, ATTENDANCE_PERMISSION):
        app_label, codename = permission.split(".")
        roles |= Q(content_type__app_label=app_label, codename=codename)
    permissions = Permission.objects.filter(roles)
    member = Q(groups__permissions__in=permissions) | Q(user_permissions__in=permissions) | Q(is_superuser=True)
    users = get_user_model().objects.filter(member, is_active=True)
    if keep is not None:
        users = users | get_user_model().objects.filter(pk=keep)
    return users.distinct().order_by("first_name", "last_name", "username")


class CoachChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, user) -> str:
        full_name = user.get_full_name()
        return f"{full_name} ({user.get_username()})" if full_name else user.get_username()


class SeriesForm(forms.ModelForm):
    kind = forms.ModelChoiceField(
        label=_("Kind of coaching"), queryset=CoachingKind.objects.all(), to_field_name="code", empty_label=None
    )
    coach_user = CoachChoiceField(
        label=_("The coach's login"),
        queryset=get_user_model().objects.none(),
        required=False,
        help_text=_("An organiser or helper account; with it the coach sees their own day in the workspace."),
    )
    weekdays = forms.TypedMultipleChoiceField(
        label=_("Weekdays"),
        coerce=int,
        choices=[(number + 1, name) for number, name in WEEKDAYS.items()],
        widget=forms.CheckboxSelectMultiple,
    )
    clean_online_url = MeetingForm.clean_online_url

    class Meta:
        model = CoachingSeries
        fields = [
            "coach_name",
            "coach_presentation",
            "coach_user",
            "kind",
            "location",
            "municipality",
            "online_url",
            "starts_on",
            "ends_on",
            "weekdays",
            "day_start",
            "day_end",
            "slot_minutes",
            "gap_minutes",
            "notice_hours",
            "horizon_days",
            "per_person_limit",
        ]
        widgets = {
            "coach_presentation": forms.Textarea(attrs={"rows": 5}),
            "online_url": forms.URLInput(attrs={"placeholder": "https://"}),
            "starts_on": DATE_WIDGET,
            "ends_on": DATE_WIDGET,
            "day_start": TIME_WIDGET,
            "day_end": TIME_WIDGET,
            "slot_minutes": _number(min=10, max=480),
            "gap_minutes": _number(min=0, max=240),
            "notice_hours": _number(min=0, max=1440),
            "horizon_days": _number(min=1, max=366),
            "per_person_limit": _number(min=1, max=50),
        }
        labels = {
            "coach_name": _("The coach's name"),
            "coach_presentation": _("Presentation"),
            "location": _("Place"),
            "online_url": _("Online meeting link"),
            "day_start": _("Day starts"),
            "day_end": _("Day ends"),
        }
        help_texts = {
            "coach_name": _("Shown on the public coaching pages."),
            "coach_presentation": _("A few lines about the coach and what a session is about; shown publicly."),
            "location": _("On site: where people meet the coach, e.g. “Stadsbiblioteket, room 2”."),
            "online_url": _("Online: the link goes only to the person who booked, never onto public pages."),
            "starts_on": _("The first day with times."),
            "ends_on": _("The last day with times; a series spans at most a year."),
            "day_start": _("Swedish time, e.g. 09:00: the first time starts then."),
            "day_end": _("Swedish time, e.g. 16:00: the last time ends by then."),
            "slot_minutes": _("How long one time is, 10 to 480 minutes."),
            "gap_minutes": _("A pause after each time for notes or travel; 0 for none."),
            "notice_hours": _("Booking closes this many hours before a time starts; 24 is a day."),
            "horizon_days": _("A time can be booked at most this many days ahead; 42 is six weeks."),
            "per_person_limit": _("How many times to come one person may hold in this series."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["coach_user"].queryset = workspace_users(keep=self.instance.coach_user_id)
        if not self.instance.pk:
            self.initial.setdefault("day_start", time(9, 0))
            self.initial.setdefault("day_end", time(16, 0))
            self.initial.setdefault("slot_minutes", 60)

    def clean_weekdays(self) -> list[int]:
        return sorted(set(self.cleaned_data["weekdays"]))

    def clean(self):
        data = super().clean()
        location, online_url = data.get("location"), data.get("online_url")
        if not location and not online_url and "online_url" not in self.errors:
            self.add_error("location", _("Give a place, or an online meeting link below."))
        if location and not data.get("municipality"):
            self.add_error("municipality", _("Choose the municipality of the place."))
        return data

    def service_arguments(self) -> dict:
        """The cleaned form as keyword arguments for the series services; the kind only when
        it changed, so an unchanged form does not rewrite every slot."""
        fields = {name: value for name, value in self.cleaned_data.items() if name != "kind"}
        if not self.instance.pk or "kind" in self.changed_data:
            fields["kind_code"] = self.cleaned_data["kind"].code
        return fields


class KindForm(forms.ModelForm):
    class Meta:
        model = CoachingKind
        fields = ["name", "name_en", "code"]
        labels = {"name": _("Name in Swedish"), "name_en": _("Name in English"), "code": _("Code")}
        help_texts = {
            "name": _("As people see it on the coaching pages, e.g. “Karriärcoachning”."),
            "code": _("Letters, digits and hyphens, used by the API; leave it empty to make it from the name."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["code"].required = False

    def clean(self):
        data = super().clean()
        if not data.get("code") and data.get("name") and "code" not in self.errors:
            data["code"] = slugify(data["name"])[:40].strip("-")
            self.instance.code = data["code"]
        return data


class SlotAddForm(forms.Form):
    starts_at = forms.SplitDateTimeField(
        label=_("New time starts"),
        widget=LocalDateTimeWidget(),
        help_text=_("Swedish time; it lasts as long as the series' other times."),
    )


class CoachFilterForm(forms.Form):
    """The organiser's choice of coach on the coach's day (`?coach=`); an unknown name means all."""

    coach = forms.ChoiceField(label=_("Coach"), required=False)

    def __init__(self, *args, coaches: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["coach"].choices = [("", _("Every coach")), *[(name, name) for name in coaches]]
