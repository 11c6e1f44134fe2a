from datetime import date

import pytest
from django.core.exceptions import ValidationError

from registrations.models import Registration
from reports.models import Outcome, Programme, ProgressReport
from reports.progress_form import report_content, report_figures
from reports.selectors import progress_figures
from reports.services import (
    ReportFinal,
    outcome_add,
    participant_create,
    participant_update,
    programme_update,
    progress_report_finalise,
    progress_report_get_or_create,
    progress_report_update,
)

from .conftest import SEED_PERIOD

pytestmark = pytest.mark.django_db


def test_finalising_freezes_figures_and_text(organiser, seed_half_year):
    report = progress_report_get_or_create(period=SEED_PERIOD)
    progress_report_update(report_id=report.id, deviations="Arbete med deltagare har inte kommit igång.")
    report = progress_report_finalise(report_id=report.id, by=organiser)

    # Records change afterwards, and personal data goes.
    Registration.objects.filter(event=seed_half_year["may"]).update(attended=False, email="", name="")
    Programme.objects.filter(pk=1).update(name="Nytt namn")
    report.refresh_from_db()

    assert progress_figures(SEED_PERIOD)["attended"] < 128
    assert report_figures(report)["attended"] == 128
    content = report_content(report)
    assert content.sections[0].paragraphs[0] == "Insatsens namn: Nyttiga affärer 2.0"
    assert content.sections[2].paragraphs == ["Arbete med deltagare har inte kommit igång."]
    assert content.status_label == f"Slutlig {report.finalised_at:%Y-%m-%d}"
    assert report.finalised_by == organiser


def test_a_finalised_report_refuses_changes(organiser, db):
    report = progress_report_get_or_create(period=SEED_PERIOD)
    progress_report_finalise(report_id=report.id, by=organiser)

    with pytest.raises(ReportFinal):
        progress_report_update(report_id=report.id, deviations="För sent.")
    with pytest.raises(ReportFinal):
        progress_report_finalise(report_id=report.id, by=organiser)
    assert ProgressReport.objects.get(pk=report.id).deviations == ""


def test_a_period_has_one_report(db):
    first = progress_report_get_or_create(period=SEED_PERIOD)
    again = progress_report_get_or_create(period=SEED_PERIOD)

    assert first.id == again.id
    assert ProgressReport.objects.count() == 1


def test_report_update_takes_only_the_organisers_fields(db):
    report = progress_report_get_or_create(period=SEED_PERIOD)

    with pytest.raises(TypeError):
        progress_report_update(report_id=report.id, snapshot={"figures": {}})


def test_programme_is_set_once_and_updated(db):
    programme_update(name="Nyttiga affärer 2.0", started_on=date(2020, 6, 1), planned_participants_men=10)
    programme_update(planned_participants_women=12)

    programme = Programme.load()
    assert (programme.name, programme.planned_participants_men, programme.planned_participants_women) == (
        "Nyttiga affärer 2.0",
        10,
        12,
    )
    assert Programme.objects.count() == 1


def test_participants_and_outcomes_feed_sections_5_and_8(db):
    programme_update(started_on=date(2020, 6, 1), planned_participants_men=10, planned_participants_women=10)
    anna = participant_create(name="Anna", gender="woman", started_on=date(2021, 2, 1))
    participant_create(name="Bo", gender="man", started_on=date(2021, 7, 1))  # after the period
    outcome_add(participant_id=anna.id, kind=Outcome.Kind.WORK, occurred_on=date(2021, 4, 15))
    outcome_add(participant_id=anna.id, kind=Outcome.Kind.STUDIES, occurred_on=date(2021, 6, 15))  # after

    figures = progress_figures(SEED_PERIOD)

    assert figures["participants"]["actual"] == {"women": 1, "men": 0, "other": 0, "total": 1}
    assert figures["outcomes"] == {"work": 1}


def test_a_participant_cannot_end_before_starting(db):
    anna = participant_create(name="Anna", started_on=date(2021, 2, 1))

    with pytest.raises(ValidationError):
        participant_update(participant_id=anna.id, ended_on=date(2021, 1, 31))


def test_a_participant_has_a_known_gender_code(db):
    with pytest.raises(ValidationError):
        participant_create(name="Anna", started_on=date(2021, 2, 1), gender="robot")
