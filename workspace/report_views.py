"""Organiser pages of the progress report (Lägesrapport): the periods, one period's report with
its figures and the organiser's answers, its files, finalising it, the programme's settings
and the participants (deltagare) with their outcomes. Each write is one plain POST form that
calls a service from reports.services; a report is created the first time it is saved."""

from datetime import date, timedelta

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from events.choices import Kind, Municipality
from registrations.choices import Gender, OrganisationType
from reports.coaching_figures import coaching_kinds_in_order
from reports.exports import FORMATS, report_file
from reports.labels import code_label
from reports.models import Outcome, Participant, Programme, ProgressReport
from reports.progress_form import drafted_text, report_content, report_figures
from reports.selectors import Period, half_year_containing, progress_report_for
from reports.services import (
    ReportFinal,
    outcome_add,
    outcome_delete,
    participant_create,
    participant_update,
    programme_update,
    progress_report_finalise,
    progress_report_get_or_create,
    progress_report_update,
)

from .report_feedback import feedback_context
from .report_forms import (
    DRAFTED_FIELDS,
    OutcomeForm,
    ParticipantEditForm,
    ParticipantForm,
    PeriodForm,
    ProgrammeForm,
    ReportForm,
)
from .views import workspace_view

CHANGE_REPORT = "reports.change_progressreport"
RECENT_HALF_YEARS = 4
DOWNLOADS = tuple(FORMATS)
# Sections an organiser answers in words; finalising with one of them empty asks twice.
ANSWERED_SECTIONS = {3: "deviations", 4: "budget_on_track", 9: "implementation", 10: "signed_by"}


def _period(start: date, end: date) -> Period:
    try:
        return Period(start, end)
    except ValueError:
        raise Http404 from None


def _report_url(report: ProgressReport) -> str:
    return reverse("workspace:report", args=[report.period_start, report.period_end])


# The index


def _recent_half_years(today: date) -> list[Period]:
    periods = [half_year_containing(today)]
    while len(periods) < RECENT_HALF_YEARS:
        periods.append(half_year_containing(periods[-1].start - timedelta(days=1)))
    return periods


@workspace_view(CHANGE_REPORT)
def report_index(request):
    """The recent half-years and every other saved report; a period form opens any dates."""
    asked = "start" in request.GET or "end" in request.GET
    form = PeriodForm(request.GET if asked else None)
    if asked and form.is_valid():
        return redirect("workspace:report", form.cleaned_data["start"], form.cleaned_data["end"])
    saved = {(report.period_start, report.period_end): report for report in ProgressReport.objects.all()}
    half_years = _recent_half_years(timezone.localdate())
    rows = [(period, saved.pop((period.start, period.end), None)) for period in half_years]
    others = [(Period(start, end), report) for (start, end), report in saved.items()]
    context = {
        "rows": rows,
        "current": half_years[0],
        "others": sorted(others, key=lambda row: row[0].start, reverse=True),
        "form": form,
        "programme": Programme.load(),
        "nav": "reports",
    }
    return render(request, "workspace/reports/index.html", context, status=400 if form.errors else 200)


# One period's report


def _labelled(choices, counts: dict) -> list[tuple[str, int]]:
    return [(code_label(choices, code), count) for code, count in counts.items()]


def _figures_context(figures: dict) -> dict:
    """The figures as the page shows them: labels in the page's language."""
    events = [
        {**event, "kind_label": code_label(Kind, event["kind"]), "day": date.fromisoformat(event["starts_at"][:10])}
        for event in figures["events"]
    ]
    breakdowns = [
        (_("By gender"), _labelled(Gender, figures["attendees_by_gender"])),
        (_("By municipality"), _labelled(Municipality, figures["attendees_by_municipality"])),
        (_("By type of organisation"), _labelled(OrganisationType, figures["attendees_by_organisation_type"])),
        (_("By kind of meeting"), _labelled(Kind, figures["attendees_by_kind"])),
        (_("By theme"), [(theme["name"], theme["attendees"]) for theme in figures["attendees_by_theme"].values()]),
    ]
    return {
        "figures": figures,
        "held_by_kind": _labelled(Kind, figures["events_held_by_kind"]),
        "events": events,
        "months": [{**month, "first_day": date.fromisoformat(f"{month['month']}-01")} for month in figures["months"]],
        "breakdowns": [(title, rows) for title, rows in breakdowns if rows],
        "participants": figures["participants"],
        # Kinds by their Swedish name, as themes are shown; the one without a kind in words.
        "coaching_kinds": [
            (row["name"] if code else _("Kind not stated"), row["sessions"])
            for code, row in coaching_kinds_in_order(figures["coaching"]["by_kind"])
        ],
        **feedback_context(figures),
    }


def _render_report(request, report: ProgressReport, figures: dict, form: ReportForm | None, *, status: int = 200):
    context = {
        "report": report,
        "period": Period(report.period_start, report.period_end),
        "form": form,
        "content": report_content(report) if report.is_final else None,
        "programme": Programme.load(),
        "downloads": DOWNLOADS,
        "nav": "reports",
        **_figures_context(figures),
    }
    return render(request, "workspace/reports/report.html", context, status=status)


@workspace_view(CHANGE_REPORT)
def report_page(request, start: date, end: date):
    """GET shows the figures and the answers (the drafts where a drafted section is empty);
    POST saves every answer. A button named `redraft` saves and empties that drafted section,
    so the page shows it written again from the records."""
    report = progress_report_for(_period(start, end))
    figures = report_figures(report)
    if report.is_final:
        if request.method == "POST":
            messages.error(request, str(ReportFinal()))
            return redirect(_report_url(report))
        return _render_report(request, report, figures, None)
    drafts = drafted_text(report, figures)
    form = ReportForm(request.POST or None, instance=report, drafts=drafts)
    if request.method != "POST":
        return _render_report(request, report, figures, form)
    if not form.is_valid():
        return _render_report(request, report, figures, form, status=400)
    fields = form.service_arguments()
    redraft = request.POST.get("redraft")
    if redraft in DRAFTED_FIELDS:
        fields[redraft] = ""
    try:
        if report.pk is None:
            report = progress_report_get_or_create(period=Period(start, end))
        progress_report_update(report_id=report.pk, **fields)
    except ReportFinal as error:
        messages.error(request, str(error))
    else:
        if redraft in DRAFTED_FIELDS:
            messages.success(request, _("Saved. The section was written again from the records."))
        else:
            messages.success(request, _("The report was saved."))
    anchor = f"#field-{redraft}" if redraft in DRAFTED_FIELDS else ""
    return redirect(_report_url(report) + anchor)


@workspace_view(CHANGE_REPORT)
def report_finalise(request, start: date, end: date):
    """GET asks for confirmation; only the POST freezes the report."""
    period = _period(start, end)
    report = progress_report_for(period)
    if report.is_final:
        messages.info(request, str(ReportFinal()))
        return redirect(_report_url(report))
    if request.method != "POST":
        unanswered = [number for number, name in ANSWERED_SECTIONS.items() if getattr(report, name) in ("", None)]
        context = {"report": report, "period": period, "unanswered": unanswered, "nav": "reports"}
        return render(request, "workspace/reports/finalise.html", context)
    try:
        if report.pk is None:
            report = progress_report_get_or_create(period=period)
        progress_report_finalise(report_id=report.pk, by=request.user)
    except ReportFinal as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The report is finalised. Its text and figures no longer change."))
    return redirect(_report_url(report))


@workspace_view(CHANGE_REPORT)
def report_download(request, start: date, end: date, extension: str):
    if extension not in DOWNLOADS:
        raise Http404
    report = progress_report_for(_period(start, end))
    content, media_type, filename = report_file(report, extension)
    response = HttpResponse(content, content_type=media_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# The programme


@workspace_view(CHANGE_REPORT)
def programme_settings(request):
    form = ProgrammeForm(request.POST or None, instance=Programme.load())
    if request.method == "POST" and form.is_valid():
        programme_update(**form.cleaned_data)
        messages.success(request, _("The programme's settings were saved."))
        return redirect("workspace:programme")
    status = 400 if form.errors else 200
    return render(request, "workspace/reports/programme.html", {"form": form, "nav": "reports"}, status=status)


# Participants and their outcomes


def _participants():
    return Participant.objects.prefetch_related(Prefetch("outcomes", queryset=Outcome.objects.order_by("occurred_on")))


@workspace_view(CHANGE_REPORT)
def participant_list(request):
    """The participants; POST adds one."""
    form = ParticipantForm(request.POST or None, initial={"started_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            participant = participant_create(**form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("%(name)s was added.") % {"name": participant.name})
            return redirect("workspace:participant", participant.pk)
    context = {"participants": _participants(), "form": form, "nav": "reports"}
    return render(request, "workspace/reports/participants.html", context, status=400 if form.errors else 200)


def _render_participant(request, participant, form, outcome_form, *, status: int = 200):
    context = {"participant": participant, "form": form, "outcome_form": outcome_form, "nav": "reports"}
    return render(request, "workspace/reports/participant.html", context, status=status)


@workspace_view(CHANGE_REPORT)
def participant_page(request, participant_id: int):
    """The participant's details (POST saves them) and outcomes."""
    participant = get_object_or_404(_participants(), pk=participant_id)
    form = ParticipantEditForm(request.POST or None, instance=participant)
    if request.method == "POST" and form.is_valid():
        try:
            participant_update(participant_id=participant_id, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The participant was saved."))
            return redirect("workspace:participant", participant_id)
    status = 400 if form.errors else 200
    return _render_participant(request, participant, form, OutcomeForm(), status=status)


@workspace_view(CHANGE_REPORT)
@require_POST
def outcome_create(request, participant_id: int):
    participant = get_object_or_404(_participants(), pk=participant_id)
    form = OutcomeForm(request.POST)
    if form.is_valid():
        try:
            outcome_add(participant_id=participant_id, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The outcome was added."))
            return redirect(reverse("workspace:participant", args=[participant_id]) + "#outcomes")
    return _render_participant(request, participant, ParticipantEditForm(instance=participant), form, status=400)


@workspace_view(CHANGE_REPORT)
@require_POST
def outcome_remove(request, participant_id: int, outcome_id: int):
    get_object_or_404(Outcome, pk=outcome_id, participant_id=participant_id)
    outcome_delete(outcome_id=outcome_id)
    messages.success(request, _("The outcome was removed."))
    return redirect(reverse("workspace:participant", args=[participant_id]) + "#outcomes")
