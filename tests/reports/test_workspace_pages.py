"""The workspace's progress report pages (workspace/report_views.py): periods, one report, its files,
finalising, the programme's settings, participants and outcomes."""

import io
from datetime import date

import docx
import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from registrations.models import Registration
from reports.models import Outcome, Participant, Programme, ProgressReport
from reports.selectors import progress_figures
from reports.services import ReportFinal

from .conftest import SEED_PERIOD

pytestmark = pytest.mark.django_db

SENTENCE = "I december genomfördes en nätverksträff med tema finansiering och effektmätning; 15 deltog av 18 anmälda."
WORK = "1 person har gått från arbetslöshet till arbete."
SEED_ARGS = ["2020-12-01", "2021-05-31"]
SEED_URL = "/arrangor/rapporter/2020-12-01/2021-05-31/"
MEDIA_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}


def _answers(**overrides) -> dict:
    """The report form as the page posts it, drafted sections left empty (= the drafts)."""
    data = {
        "activities": "",
        "deviations": "",
        "budget_on_track": "",
        "budget_comment": "",
        "below_plan_reason": "",
        "coming_activities": "",
        "livelihood_changes": "",
        "implementation": "",
        "signed_by": "",
        "signed_on": "",
    }
    return data | overrides


def _report() -> ProgressReport:
    return ProgressReport.objects.get(period_start=SEED_PERIOD.start, period_end=SEED_PERIOD.end)


def _docx_text(content: bytes) -> str:
    document = docx.Document(io.BytesIO(content))
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return "\n".join([paragraph.text for paragraph in document.paragraphs] + cells)


def _messages(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


@pytest.fixture
def participant(db):
    return Participant.objects.create(name="Deltagare Två", gender="man", started_on=date(2021, 6, 7))


def _pages(participant) -> list[tuple[str, str]]:
    outcome = Outcome.objects.create(participant=participant, kind="work", occurred_on=date(2021, 9, 1))
    return [
        ("get", reverse("workspace:reports")),
        ("get", SEED_URL),
        ("post", SEED_URL),
        ("get", f"{SEED_URL}slutfor/"),
        ("post", f"{SEED_URL}slutfor/"),
        ("get", f"{SEED_URL}lagesrapport.docx"),
        ("get", f"{SEED_URL}lagesrapport.csv"),
        ("get", reverse("workspace:programme")),
        ("get", reverse("workspace:participants")),
        ("post", reverse("workspace:participants")),
        ("get", reverse("workspace:participant", args=[participant.pk])),
        ("post", reverse("workspace:outcome_create", args=[participant.pk])),
        ("post", reverse("workspace:outcome_remove", args=[participant.pk, outcome.pk])),
    ]


def test_helpers_at_the_door_get_403_on_every_page(helper_client, participant):
    for method, url in _pages(participant):
        response = getattr(helper_client, method)(url)
        assert response.status_code == 403, url
    assert not ProgressReport.objects.exists()
    assert Outcome.objects.count() == 1


def test_anonymous_visitors_are_sent_to_log_in(client, participant):
    for method, url in _pages(participant):
        response = getattr(client, method)(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("workspace:login")), url


def test_the_workspace_nav_links_to_the_reports(organiser_client, helper_client):
    reports = reverse("workspace:reports")
    assert reports in organiser_client.get(reverse("workspace:overview")).content.decode()
    assert reports not in helper_client.get(reverse("workspace:overview")).content.decode()


def test_the_index_lists_recent_half_years_and_saved_reports(organiser_client, seed_half_year):
    ProgressReport.objects.create(period_start=SEED_PERIOD.start, period_end=SEED_PERIOD.end)
    page = organiser_client.get(reverse("workspace:reports")).content.decode()
    assert reverse("workspace:report", args=SEED_ARGS) in page  # a saved report, outside the recent ones
    assert page.count('class="ws-period"') == 5
    assert reverse("workspace:programme") in page and reverse("workspace:participants") in page


def test_the_index_opens_any_period_and_refuses_one_that_ends_first(organiser_client):
    url = reverse("workspace:reports")
    response = organiser_client.get(url, {"start": "2021-01-01", "end": "2021-12-31"})
    assert response.status_code == 302
    assert response["Location"] == "/arrangor/rapporter/2021-01-01/2021-12-31/"
    response = organiser_client.get(url, {"start": "2021-12-31", "end": "2021-01-01"})
    assert response.status_code == 400
    assert response.context["form"].errors["end"]
    assert organiser_client.get(url, {"start": "31/12", "end": ""}).status_code == 400


def test_the_report_page_shows_the_figures_and_the_drafts_without_saving(organiser_client, seed_half_year):
    figures = progress_figures(SEED_PERIOD)
    response = organiser_client.get(SEED_URL)
    page = response.content.decode()
    assert response.status_code == 200
    stats = [figures[key] for key in ("events_held", "registered", "attended", "no_shows", "unique_attendees")]
    for value in [*stats, figures["coaching_sessions"]]:
        assert f'class="ws-stat__value">{value}<' in page
    assert SENTENCE in page  # section 2, drafted into its empty field
    assert "Finansiering i praktiken" in page  # section 7: the meeting of the next half-year
    assert WORK in page  # section 8
    assert "Upphandling som verktyg" in page  # the per-meeting table
    assert response.context["form"].drafted == {"activities", "coming_activities", "livelihood_changes"}
    assert not ProgressReport.objects.exists()


def test_malformed_or_reversed_periods_are_404(organiser_client):
    for url in [
        "/arrangor/rapporter/2021-02-30/2021-05-31/",
        "/arrangor/rapporter/2021-13-01/2021-05-31/",
        "/arrangor/rapporter/2021-1-1/2021-05-31/",
        "/arrangor/rapporter/igår/idag/",
        "/arrangor/rapporter/2021-05-31/2020-12-01/",
        "/arrangor/rapporter/2021-05-31/2020-12-01/lagesrapport.pdf",
        "/arrangor/rapporter/2021-05-31/2020-12-01/slutfor/",
        f"{SEED_URL}lagesrapport.exe",
    ]:
        assert organiser_client.get(url).status_code == 404, url


def test_saving_creates_the_report_keeps_the_text_and_the_docx_shows_it(organiser_client, seed_half_year):
    answers = _answers(
        deviations="Arbetet med deltagare har inte kommit igång som planerat.",
        budget_on_track="no",
        budget_comment="Färre handledarutbildningar än planerat.",
        signed_by="Anna Ordförande",
        signed_on="2021-06-10",
        suppress_small_numbers="on",
    )
    response = organiser_client.post(SEED_URL, answers)
    assert response.status_code == 302
    report = _report()
    assert report.deviations == answers["deviations"]
    assert report.budget_on_track is False
    assert report.signed_on == date(2021, 6, 10)
    assert report.suppress_small_numbers is True
    assert report.activities == ""  # left empty: the draft
    page = organiser_client.get(SEED_URL).content.decode()
    assert answers["deviations"] in page and answers["budget_comment"] in page

    download = organiser_client.get(f"{SEED_URL}lagesrapport.docx")
    text = _docx_text(download.content)
    assert answers["deviations"] in text
    assert "Anna Ordförande" in text
    assert SENTENCE in text


def test_a_draft_kept_as_it_is_keeps_following_the_records(organiser_client, seed_half_year):
    draft = organiser_client.get(SEED_URL).context["form"].initial["activities"]
    organiser_client.post(SEED_URL, _answers(activities=draft.replace("\n", "\r\n")))
    assert _report().activities == ""


def test_the_draft_can_be_written_again_from_the_records(organiser_client, seed_half_year):
    organiser_client.post(SEED_URL, _answers(activities="Egen text.", deviations="Avvikelse."))
    assert _report().activities == "Egen text."
    page = organiser_client.get(SEED_URL).content.decode()
    assert 'name="redraft" value="activities"' in page
    assert 'name="redraft" value="livelihood_changes"' not in page  # still the draft

    response = organiser_client.post(
        SEED_URL, _answers(activities="Egen text.", deviations="Avvikelse, ändrad.", redraft="activities")
    )
    assert response["Location"].endswith("#field-activities")
    report = _report()
    assert report.activities == ""
    assert report.deviations == "Avvikelse, ändrad."  # the rest of the form is saved too
    assert SENTENCE in organiser_client.get(SEED_URL).content.decode()


def test_bad_answers_are_form_errors(organiser_client, seed_half_year):
    response = organiser_client.post(SEED_URL, _answers(budget_on_track="kanske", signed_on="2021-02-30"))
    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"budget_on_track", "signed_on"}
    assert not ProgressReport.objects.exists()


def test_finalising_freezes_the_figures_and_refuses_later_saves(organiser_client, organiser, seed_half_year):
    organiser_client.post(SEED_URL, _answers(deviations="Före slutförandet."))
    confirm = organiser_client.get(f"{SEED_URL}slutfor/")
    assert confirm.status_code == 200
    assert not _report().is_final  # asking is not doing

    response = organiser_client.post(f"{SEED_URL}slutfor/")
    assert response.status_code == 302
    report = _report()
    assert report.is_final and report.finalised_by == organiser
    before = organiser_client.get(f"{SEED_URL}lagesrapport.csv").content

    # Afterwards the three no-shows of December turn out to have come.
    Registration.objects.filter(event=seed_half_year["network"], attended=False).update(attended=True)
    response = organiser_client.get(SEED_URL)
    page = response.content.decode()
    assert response.context["figures"]["attended"] == report.snapshot["figures"]["attended"]
    assert SENTENCE in page and "Före slutförandet." in page
    assert 'name="deviations"' not in page  # read-only
    assert organiser.username in page
    assert organiser_client.get(f"{SEED_URL}lagesrapport.csv").content == before
    assert SENTENCE in _docx_text(organiser_client.get(f"{SEED_URL}lagesrapport.docx").content)

    response = organiser_client.post(SEED_URL, _answers(deviations="Efteråt."))
    assert response.status_code == 302
    assert str(ReportFinal()) in _messages(response)
    assert _report().deviations == "Före slutförandet."
    response = organiser_client.post(f"{SEED_URL}slutfor/")
    assert response.status_code == 302
    assert _report().finalised_at == report.finalised_at


def test_a_report_never_saved_can_be_finalised(organiser_client, seed_half_year):
    organiser_client.post(f"{SEED_URL}slutfor/")
    assert _report().is_final


def test_downloads_have_their_media_type_and_filename(organiser_client, seed_half_year):
    for extension, media_type in MEDIA_TYPES.items():
        response = organiser_client.get(f"{SEED_URL}lagesrapport.{extension}")
        assert response.status_code == 200, extension
        assert response["Content-Type"] == media_type
        assert response["Content-Disposition"] == (
            f'attachment; filename="lagesrapport-2020-12-01-2021-05-31.{extension}"'
        )
        assert response.content
    assert not ProgressReport.objects.exists()  # downloading a draft saves nothing


def test_the_programme_settings_are_saved(organiser_client):
    url = reverse("workspace:programme")
    assert organiser_client.get(url).status_code == 200
    data = {
        "name": "Nyttiga affärer 2.0",
        "funder": "Samordningsförbundet RAR",
        "funder_short": "RAR",
        "started_on": "2020-06-01",
        "planned_participants_women": "10",
        "planned_participants_men": "8",
        "planned_activities": "",
    }
    assert organiser_client.post(url, data | {"name": "", "planned_participants_men": "-1"}).status_code == 400
    assert organiser_client.post(url, data).status_code == 302
    programme = Programme.load()
    assert programme.name == "Nyttiga affärer 2.0"
    assert programme.planned_participants_men == 8
    assert programme.started_on == date(2020, 6, 1)


def test_participants_and_outcomes_are_added_and_section_8_tells_of_them(organiser_client):
    url = reverse("workspace:participants")
    page = organiser_client.get(url).content.decode()
    assert "deltagare" in page.lower()
    response = organiser_client.post(url, {"name": "", "gender": "woman", "started_on": "2021-06-07"})
    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"name"}

    response = organiser_client.post(
        url, {"name": "Deltagare Ett", "gender": "woman", "municipality": "Nyköping", "started_on": "2021-06-07"}
    )
    participant = Participant.objects.get()
    assert response["Location"] == reverse("workspace:participant", args=[participant.pk])
    outcomes = reverse("workspace:outcome_create", args=[participant.pk])
    response = organiser_client.post(outcomes, {"outcome-kind": "", "outcome-occurred_on": "2999-01-01"})
    assert response.status_code == 400
    assert set(response.context["outcome_form"].errors) == {"kind", "occurred_on"}
    organiser_client.post(outcomes, {"outcome-kind": "work", "outcome-occurred_on": "2021-09-01", "outcome-note": ""})
    outcome = Outcome.objects.get()
    assert (outcome.participant, outcome.kind) == (participant, "work")
    assert "Deltagare Ett" in organiser_client.get(url).content.decode()

    report = organiser_client.get("/arrangor/rapporter/2021-06-01/2021-11-30/")
    assert WORK in report.content.decode()
    assert report.context["participants"]["actual"]["women"] == 1

    organiser_client.post(reverse("workspace:outcome_remove", args=[participant.pk, outcome.pk]))
    assert not Outcome.objects.exists()
    assert WORK not in organiser_client.get("/arrangor/rapporter/2021-06-01/2021-11-30/").content.decode()


def test_a_participant_is_edited(organiser_client, participant):
    url = reverse("workspace:participant", args=[participant.pk])
    data = {"name": "Deltagare Två", "gender": "man", "municipality": "", "started_on": "2021-06-07", "note": ""}
    response = organiser_client.post(url, data | {"ended_on": "2021-01-01"})
    assert response.status_code == 400
    assert "ended_on" in response.context["form"].errors
    assert organiser_client.post(url, data | {"ended_on": "2021-10-01"}).status_code == 302
    participant.refresh_from_db()
    assert participant.ended_on == date(2021, 10, 1)
    assert organiser_client.get(reverse("workspace:participant", args=[999])).status_code == 404


def test_an_outcome_of_another_participant_is_not_removed(organiser_client, participant):
    other = Participant.objects.create(name="Annan", started_on=date(2021, 6, 1))
    outcome = Outcome.objects.create(participant=other, kind="studies", occurred_on=date(2021, 9, 1))
    response = organiser_client.post(reverse("workspace:outcome_remove", args=[participant.pk, outcome.pk]))
    assert response.status_code == 404
    assert Outcome.objects.filter(pk=outcome.pk).exists()


def test_the_questions_are_the_funders_in_swedish_and_translated_in_english(organiser_client, seed_half_year):
    swedish = organiser_client.get(SEED_URL).content.decode()
    assert "Beskriv det senaste halvårets aktiviteter kopplade till de beskrivna målen i ansökan:" in swedish
    assert "Ligger det ekonomiska utfallet i linje med budget, utifrån den tidsperiod som gått?" in swedish
    english = organiser_client.get(f"/en{SEED_URL}").content.decode()
    assert "Describe the past half-year&#x27;s activities linked to the goals described in the application:" in english
    assert SENTENCE in english  # the drafts are in the form's language whatever the page's
