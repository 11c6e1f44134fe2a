"""The workspace's progress report forms: which period, the organiser's answers to the funder's
questions, the programme's settings, participants and their outcomes. The models' own
validation runs too (a ModelForm cleans its instance), and its errors land by the fields."""

from datetime import date

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from events.choices import Municipality
from reports.models import Outcome, Participant, Programme, ProgressReport
from reports.services import PROGRAMME_FIELDS, REPORT_TEXT_FIELDS

# Sections whose empty text means "the draft written from the records".
DRAFTED_FIELDS = ("activities", "coming_activities", "livelihood_changes")
# Yes / no / not answered yet, as the radio buttons' values.
BUDGET_CHOICES = [("yes", _("Yes")), ("no", _("No")), ("", _("Not answered yet"))]
BUDGET_VALUES = {"yes": True, "no": False, "": None}


def _date_input():
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _normalised(text: str) -> str:
    return "\n".join(line.rstrip() for line in text.replace("\r\n", "\n").strip().split("\n"))


class PeriodForm(forms.Form):
    start = forms.DateField(label=_("From"), widget=_date_input())
    end = forms.DateField(label=_("To"), widget=_date_input())

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            self.add_error("end", _("The period must end on or after the day it starts."))
        return data


class ReportForm(forms.ModelForm):
    """Sections 2–10 of the funder's form. The labels are the form's own questions (in Swedish
    through the translation), so the organiser answers what the funder asks."""

    budget_on_track = forms.TypedChoiceField(
        label=_("Are the finances in line with the budget, for the time that has passed?"),
        choices=BUDGET_CHOICES,
        coerce=lambda value: BUDGET_VALUES[value],
        empty_value=None,
        required=False,
        widget=forms.RadioSelect,
    )

    class Meta:
        model = ProgressReport
        fields = list(REPORT_TEXT_FIELDS)
        labels = {
            "activities": _(
                "Describe the past half-year's activities linked to the goals described in the application:"
            ),
            "deviations": _("Describe any deviations from the application and their causes:"),
            "budget_comment": _("If not, state why:"),
            "below_plan_reason": _("If the actual number is below the planned number, what is the reason?"),
            "coming_activities": _("Describe coming activities linked to the goals:"),
            "livelihood_changes": _(
                "If the programme is aimed at individuals, describe any changes in the participants' livelihood "
                "and occupation or other positive results:"
            ),
            "implementation": _("Describe how the programme stands in relation to the planned implementation:"),
            "signed_by": _("Name of the chair of the steering group"),
            "signed_on": _("Date of signature"),
            "suppress_small_numbers": _("Show counts under 5 as “<5”"),
        }
        help_texts = {
            "suppress_small_numbers": _(
                "In the tables by gender and by municipality of the documents and exports, so that no one "
                "can be recognised in a small group."
            ),
        }
        widgets = {
            "activities": forms.Textarea(attrs={"rows": 12}),
            "deviations": forms.Textarea(attrs={"rows": 6}),
            "budget_comment": forms.Textarea(attrs={"rows": 3}),
            "below_plan_reason": forms.Textarea(attrs={"rows": 4}),
            "coming_activities": forms.Textarea(attrs={"rows": 8}),
            "livelihood_changes": forms.Textarea(attrs={"rows": 4}),
            "implementation": forms.Textarea(attrs={"rows": 6}),
            "signed_on": _date_input(),
        }

    def __init__(self, *args, drafts: dict[str, str], **kwargs):
        super().__init__(*args, **kwargs)
        self.drafts = drafts
        # An empty drafted section shows its draft, to be edited or kept.
        self.drafted = {name for name in DRAFTED_FIELDS if not getattr(self.instance, name)}
        if not self.is_bound:
            self.initial.update({name: drafts[name] for name in self.drafted})
            value = self.instance.budget_on_track
            self.initial["budget_on_track"] = {True: "yes", False: "no", None: ""}[value]

    def clean(self):
        data = super().clean()
        for name in DRAFTED_FIELDS:
            # The draft left as it was is stored as empty, so it keeps following the records.
            if name in data and _normalised(data[name]) == _normalised(self.drafts[name]):
                data[name] = ""
        return data

    def service_arguments(self) -> dict:
        return {name: self.cleaned_data[name] for name in REPORT_TEXT_FIELDS}


class ProgrammeForm(forms.ModelForm):
    class Meta:
        model = Programme
        fields = list(PROGRAMME_FIELDS)
        # The page groups them under "Funder" and "Planned number of participants".
        labels = {
            "funder": _("Name"),
            "funder_short": _("Short name"),
            "planned_participants_women": _("Women"),
            "planned_participants_men": _("Men"),
        }
        help_texts = {
            "funder_short": _("As the form names the funder in running text, e.g. “RAR”."),
            "started_on": _("Participants are counted from this day (section 5)."),
            "planned_activities": _("What the application promises, for your own reference."),
        }
        widgets = {
            "started_on": _date_input(),
            "planned_activities": forms.Textarea(attrs={"rows": 6}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name"].required = True


class ParticipantForm(forms.ModelForm):
    """A new participant; the edit form adds the end date."""

    class Meta:
        model = Participant
        fields = ["name", "gender", "municipality", "started_on", "note"]
        help_texts = {"note": _("Only what the programme needs; no health or other sensitive details.")}
        widgets = {
            "started_on": _date_input(),
            "ended_on": _date_input(),
            "note": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["municipality"].choices = [("", _("Not stated")), *Municipality.choices]


class ParticipantEditForm(ParticipantForm):
    class Meta(ParticipantForm.Meta):
        fields = ["name", "gender", "municipality", "started_on", "ended_on", "note"]

    def clean(self):
        data = super().clean()
        started, ended = data.get("started_on"), data.get("ended_on")
        if started and ended and ended < started:
            self.add_error("ended_on", _("The end date must be on or after the start."))
        return data


class OutcomeForm(forms.ModelForm):
    # Shares the participant's page with the participant's form, which also has a note.
    prefix = "outcome"

    class Meta:
        model = Outcome
        fields = ["kind", "occurred_on", "note"]
        labels = {"kind": _("Kind of outcome")}
        widgets = {"kind": forms.RadioSelect, "occurred_on": _date_input()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = Outcome.Kind.choices  # radio buttons, no empty one

    def clean_occurred_on(self) -> date:
        day = self.cleaned_data["occurred_on"]
        if day > timezone.localdate():
            raise forms.ValidationError(_("Enter the day it happened, not a future date."))
        return day
