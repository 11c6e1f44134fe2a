"""Writes of the reports app: the programme's settings, participants and their outcomes, and
the progress reports themselves. Each function is one transaction."""

from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Outcome, Participant, Programme, ProgressReport
from .progress_form import content_build
from .selectors import Period, progress_figures

# What an organiser writes in a report; everything else is computed.
REPORT_TEXT_FIELDS = (
    "activities",
    "deviations",
    "budget_on_track",
    "budget_comment",
    "below_plan_reason",
    "coming_activities",
    "livelihood_changes",
    "implementation",
    "signed_by",
    "signed_on",
    "suppress_small_numbers",
)
PROGRAMME_FIELDS = (
    "name",
    "funder",
    "funder_short",
    "started_on",
    "planned_participants_women",
    "planned_participants_men",
    "planned_activities",
)


class ReportFinal(Exception):
    """The report is finalised: its text and figures no longer change."""

    def __init__(self):
        super().__init__(_("This report is finalised and can no longer be changed."))


def programme_update(**fields) -> Programme:
    """Sets the programme's name, start and targets (there is one programme)."""
    unknown = set(fields) - set(PROGRAMME_FIELDS)
    if unknown:
        raise TypeError(f"Not programme fields: {sorted(unknown)}")
    with transaction.atomic(durable=True):
        programme, _created = Programme.objects.update_or_create(pk=1, defaults=fields)
    return programme


def progress_report_get_or_create(*, period: Period) -> ProgressReport:
    """The report of `period`, created empty the first time anyone opens it."""
    with transaction.atomic(durable=True):
        report, _created = ProgressReport.objects.get_or_create(period_start=period.start, period_end=period.end)
    return report


def progress_report_update(*, report_id: int, **fields) -> ProgressReport:
    """Saves the organiser's answers. A finalised report refuses (ReportFinal)."""
    unknown = set(fields) - set(REPORT_TEXT_FIELDS)
    if unknown:
        raise TypeError(f"Not report fields: {sorted(unknown)}")
    with transaction.atomic(durable=True):
        report = ProgressReport.objects.select_for_update().get(pk=report_id)
        if report.is_final:
            raise ReportFinal
        for name, value in fields.items():
            setattr(report, name, value)
        report.save()
    return report


def progress_report_finalise(*, report_id: int, by) -> ProgressReport:
    """Freezes the report: its figures and every section as the documents show them are kept
    in the row, so later changes to the records, or deleted personal data, change nothing."""
    with transaction.atomic(durable=True):
        report = ProgressReport.objects.select_for_update().get(pk=report_id)
        if report.is_final:
            raise ReportFinal
        figures = progress_figures(Period(report.period_start, report.period_end))
        report.finalised_at = timezone.now()
        report.finalised_by = by
        content = content_build(report, figures, Programme.load())
        report.snapshot = {"figures": figures, "content": content.as_dict()}
        report.save()
    return report


def participant_create(
    *, name: str, started_on: date, gender: str = "unstated", municipality: str = "", note: str = ""
) -> Participant:
    with transaction.atomic(durable=True):
        participant = Participant(name=name, started_on=started_on, gender=gender, municipality=municipality, note=note)
        participant.full_clean()
        participant.save()
    return participant


def participant_update(*, participant_id: int, **fields) -> Participant:
    with transaction.atomic(durable=True):
        participant = Participant.objects.select_for_update().get(pk=participant_id)
        for name, value in fields.items():
            setattr(participant, name, value)
        participant.full_clean()
        participant.save()
    return participant


def outcome_add(*, participant_id: int, kind: str, occurred_on: date, note: str = "") -> Outcome:
    with transaction.atomic(durable=True):
        outcome = Outcome(participant_id=participant_id, kind=kind, occurred_on=occurred_on, note=note)
        outcome.full_clean()
        outcome.save()
    return outcome


def outcome_delete(*, outcome_id: int) -> None:
    with transaction.atomic(durable=True):
        Outcome.objects.filter(pk=outcome_id).delete()
