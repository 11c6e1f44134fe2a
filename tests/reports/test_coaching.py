"""The progress report counts coaching: sessions held (attended) by kind of coaching and the
people coached, in the figures, the API, section 2's draft, the appendix and the workspace."""

import io
import subprocess
from datetime import date

import docx
import pytest
from django.utils import timezone, translation
from django.utils.translation import gettext

from events.choices import EventStatus, Kind
from feedback.models import Feedback
from registrations.choices import Status
from reports import drafts, exports
from reports.models import ProgressReport
from reports.progress_form import report_content
from reports.selectors import Period, progress_figures, progress_report_for
from reports.services import progress_report_finalise, progress_report_get_or_create
from tests.coaching.conftest import make_series
from tests.factories import RegistrationFactory

from .conftest import SEED_PERIOD, local, meeting, poppler

pytestmark = pytest.mark.django_db

URL = "/api/reports/progress"
SEED = {"from": "2020-12-01", "to": "2021-05-31"}
SENTENCE = (
    "6 coachningar genomfördes från december till maj (3 affärscoachning, 2 life-coachning, "
    "1 coachning utan angiven inriktning), med 4 personer."
)
BY_KIND = {
    "business": {"name": "Affärscoachning", "sessions": 3},
    "life": {"name": "Life-coachning", "sessions": 2},
    "": {"name": "Coachning utan angiven inriktning", "sessions": 1},
}


def session(starts, email, *, series=None, attended=True, **fields):
    """A coaching time (one seat) of `series`, or a coaching meeting made without one, booked by
    `email` (by nobody when it is empty)."""
    event = meeting(starts, Kind.COACHING, title="Coachning", capacity=1, coaching_series=series, **fields)
    if email:
        RegistrationFactory(event=event, email=email, attended=attended)
    return event


@pytest.fixture
def coached(db):
    """Six sessions held in the seed's half-year: three of business coaching (anna twice, once
    in capitals), two of life coaching (anna again, and cecilia), one coaching meeting made
    before series existed (david); and what does not count: a no-show, a cancelled booking, a
    cancelled time, a free time nobody took."""
    business, life = make_series(kind_code="business"), make_series(kind_code="life", coach_name="Eva Ek")
    session(local(2020, 12, 3, 10), "anna@example.org", series=business)
    session(local(2021, 1, 14, 10), "bertil@example.org", series=business)
    session(local(2021, 3, 4, 10), "ANNA@example.org", series=business)
    session(local(2021, 2, 9, 10), "anna@example.org", series=life)
    session(local(2021, 5, 18, 10), "cecilia@example.org", series=life)
    session(local(2021, 4, 6, 10), "david@example.org")
    session(local(2021, 4, 7, 10), "nils@example.org", series=business, attended=False)
    gone = session(local(2021, 4, 8, 10), "", series=life)
    RegistrationFactory(event=gone, email="gone@example.org", attended=True, status=Status.CANCELLED)
    session(local(2021, 4, 9, 10), "inställd@example.org", series=life, status=EventStatus.CANCELLED)
    session(local(2021, 4, 12, 10), "", series=business)
    return {"business": business, "life": life}


def _answer(event, rating):
    return Feedback.objects.create(
        event=event, registration=event.registrations.get(), rating=rating, answered_at=timezone.now()
    )


# The figures


def test_sessions_are_counted_by_kind_with_the_old_meetings_under_none(coached):
    coaching = progress_figures(SEED_PERIOD)["coaching"]

    assert coaching == {"sessions": 6, "people": 4, "by_kind": BY_KIND}


def test_a_person_coached_many_times_counts_once_whatever_the_case(coached):
    # anna: two business sessions (once as ANNA@) and a life session.
    assert progress_figures(SEED_PERIOD)["coaching"]["people"] == 4


def test_no_shows_cancelled_bookings_and_cancelled_times_count_nowhere(db):
    series = make_series()
    session(local(2021, 2, 1, 10), "nils@example.org", series=series, attended=False)
    gone = session(local(2021, 2, 2, 10), "", series=series)
    RegistrationFactory(event=gone, email="gone@example.org", attended=True, status=Status.CANCELLED)
    session(local(2021, 2, 3, 10), "held@example.org", series=series, status=EventStatus.CANCELLED)
    session(local(2021, 2, 4, 10), "", series=series)

    assert progress_figures(SEED_PERIOD)["coaching"] == {"sessions": 0, "people": 0, "by_kind": {}}


def test_a_session_counts_in_the_period_of_its_stockholm_date(db):
    series = make_series()
    # 00:30 on 1 December in Stockholm is 23:30 on 30 November in UTC; 23:30 on 31 May is
    # 21:30 UTC the same day; 00:30 on 1 June is still 31 May in UTC and belongs to June.
    session(local(2020, 12, 1, 0, 30), "first@example.org", series=series)
    session(local(2021, 5, 31, 23, 30), "last@example.org", series=series)
    session(local(2021, 6, 1, 0, 30), "june@example.org", series=series)
    session(local(2020, 11, 30, 23, 30), "november@example.org", series=series)

    coaching = progress_figures(SEED_PERIOD)["coaching"]

    assert (coaching["sessions"], coaching["people"]) == (2, 2)
    assert progress_figures(Period(date(2021, 6, 1), date(2021, 6, 1)))["coaching"]["sessions"] == 1


def test_the_seeds_coaching_without_series_counts_as_before(seed_half_year):
    figures = progress_figures(SEED_PERIOD)

    assert figures["coaching"] == {
        "sessions": 50,
        "people": 10,
        "by_kind": {"": {"name": "Coachning utan angiven inriktning", "sessions": 50}},
    }
    assert figures["coaching_sessions"] == 50


# Section 2


def test_section_2_names_the_sessions_by_kind_and_the_people(coached):
    paragraphs = drafts.activities_held(progress_figures(SEED_PERIOD))

    assert paragraphs[paragraphs.index("## Coachning") + 1] == SENTENCE


def test_section_2_says_one_session_and_one_person_in_the_singular(db):
    session(local(2021, 3, 4, 10), "anna@example.org", series=make_series())

    paragraphs = drafts.activities_held(progress_figures(SEED_PERIOD))

    assert paragraphs == ["## Coachning", "1 coachning genomfördes i mars (1 affärscoachning), med 1 person."]


def test_section_2_gives_the_score_after_the_sessions(coached):
    for event in coached["business"].slots.filter(registrations__attended=True, starts_at__year=2021):
        _answer(event, 4)
    _answer(coached["life"].slots.get(starts_at=local(2021, 2, 9, 10)), 5)

    text = "\n".join(drafts.activities_held(progress_figures(SEED_PERIOD)))

    assert SENTENCE + " Deltagarna gav coachningarna i snitt 4,3 av 5 (3 svar)." in text


def test_section_2_leaves_out_free_times_and_says_when_attendance_is_not_marked(db):
    series = make_series()
    session(local(2021, 2, 1, 10), "", series=series)
    assert drafts.activities_held(progress_figures(SEED_PERIOD)) == ["Inga träffar hölls under perioden."]

    session(local(2021, 3, 1, 10), "anna@example.org", series=series, attended=None)
    paragraphs = drafts.activities_held(progress_figures(SEED_PERIOD))
    assert paragraphs == ["## Coachning", "1 coachning var bokad i mars (närvaron är inte registrerad)."]


# The appendix: DOCX, PDF and the figures files


def test_the_appendix_has_coaching_by_kind_with_a_total_and_the_people(coached):
    tables = {table.title: table.rows for table in report_content(progress_report_for(SEED_PERIOD)).appendix}

    assert tables["Coachning per inriktning"] == [
        ["", "Antal"],
        ["Affärscoachning", "3"],
        ["Life-coachning", "2"],
        ["Coachning utan angiven inriktning", "1"],
        ["Coachningar totalt", "6"],
        ["Olika personer som coachades", "4"],
    ]


def test_a_period_without_coaching_has_no_coaching_table(db):
    meeting(local(2021, 2, 1, 10))

    titles = [table.title for table in report_content(progress_report_for(SEED_PERIOD)).appendix]

    assert "Coachning per inriktning" not in titles


def test_the_docx_has_the_coaching_table_and_sentence(coached):
    content, _media_type, _name = exports.report_file(progress_report_for(SEED_PERIOD), "docx")
    document = docx.Document(io.BytesIO(content))
    rows = [[cell.text for cell in row.cells] for table in document.tables for row in table.rows]

    assert "Coachning per inriktning" in [p.text for p in document.paragraphs if p.style.name == "Heading 2"]
    assert ["Affärscoachning", "3"] in rows
    assert ["Coachningar totalt", "6"] in rows
    assert ["Olika personer som coachades", "4"] in rows
    assert SENTENCE in [p.text for p in document.paragraphs]


def test_the_pdf_has_the_coaching_table(coached):
    content, _media_type, _name = exports.report_file(progress_report_for(SEED_PERIOD), "pdf")
    text = subprocess.run(
        [poppler("pdftotext"), "-layout", "-", "-"], input=content, capture_output=True, check=True
    ).stdout.decode()

    table = text.split("Coachning per inriktning", 1)[1]
    lines = [line.split() for line in table.splitlines() if line.strip()]
    assert ["Affärscoachning", "3"] in lines
    assert ["Coachning", "utan", "angiven", "inriktning", "1"] in lines
    assert ["Coachningar", "totalt", "6"] in lines
    assert ["Olika", "personer", "som", "coachades", "4"] in lines


def test_the_csv_has_the_coaching_table(coached):
    content, _media_type, _name = exports.report_file(progress_report_for(SEED_PERIOD), "csv")

    assert "Coachning per inriktning\r\n;Antal\r\nAffärscoachning;3\r\n" in content.decode("utf-8-sig")


# The API and the workspace


def test_the_api_answers_the_coaching_figures(auth_client, coached):
    body = auth_client.get(URL, SEED).json()

    assert body["coaching"] == {"sessions": 6, "people": 4, "by_kind": BY_KIND}
    # Coaching meetings held: the six and the no-show. A time whose only booking was cancelled
    # and a time nobody took are offers, not meetings.
    assert body["coaching_sessions"] == 7


def test_the_openapi_document_states_the_coaching_figures(client):
    document = client.get("/api/openapi.json").json()
    schemas = document["components"]["schemas"]

    progress = schemas["ProgressOut"]
    assert "coaching" in progress["required"]
    assert progress["properties"]["coaching"]["$ref"] == "#/components/schemas/CoachingOut"
    coaching = schemas["CoachingOut"]
    assert set(coaching["required"]) == {"sessions", "people", "by_kind"}
    assert coaching["properties"]["by_kind"]["additionalProperties"]["$ref"] == "#/components/schemas/CoachingKindOut"
    assert set(schemas["CoachingKindOut"]["properties"]) == {"name", "sessions"}


def test_the_workspace_page_shows_coaching_by_kind(organiser_client, coached):
    response = organiser_client.get("/arrangor/rapporter/2020-12-01/2021-05-31/")
    page = response.content.decode()

    kinds = response.context["coaching_kinds"]
    # Kinds by their stored Swedish name, as themes are shown; the one without a kind in words.
    assert kinds[:2] == [("Affärscoachning", 3), ("Life-coachning", 2)]
    with translation.override(response.wsgi_request.LANGUAGE_CODE):
        assert kinds[2] == (gettext("Kind not stated"), 1)
    assert 'class="ws-stat__value">6<' in page
    assert '<th scope="row">Affärscoachning</th><td class="ws-num">3</td>' in page
    assert SENTENCE in page  # section 2, drafted into its empty field


def test_the_workspace_page_gives_no_single_sessions_score(organiser_client, coached):
    _answer(coached["life"].slots.get(starts_at=local(2021, 2, 9, 10)), 2)

    response = organiser_client.get("/arrangor/rapporter/2020-12-01/2021-05-31/")

    assert [row["responses"] for row in response.context["feedback_by_kind"]] == [1]
    assert response.context["feedback_events"] == []  # one person's answer would show


# Frozen with the report


def test_a_finalised_report_keeps_its_coaching_figures(auth_client, organiser, coached):
    report = progress_report_get_or_create(period=SEED_PERIOD)
    progress_report_finalise(report_id=report.id, by=organiser)
    session(local(2021, 5, 20, 10), "later@example.org", series=coached["business"])

    body = auth_client.get(URL, SEED).json()
    content = report_content(progress_report_for(SEED_PERIOD))

    assert body["coaching"] == {"sessions": 6, "people": 4, "by_kind": BY_KIND}
    assert SENTENCE in content.sections[1].paragraphs
    tables = {table.title: table.rows for table in content.appendix}
    assert ["Coachningar totalt", "6"] in tables["Coachning per inriktning"]


def test_a_report_finalised_before_coaching_by_kind_reads_its_frozen_meetings(auth_client, organiser, seed_half_year):
    report = progress_report_get_or_create(period=SEED_PERIOD)
    progress_report_finalise(report_id=report.id, by=organiser)
    report = ProgressReport.objects.get(pk=report.pk)
    del report.snapshot["figures"]["coaching"]  # as a report finalised before it was kept
    report.save()

    body = auth_client.get(URL, SEED).json()

    assert body["coaching"] == {
        "sessions": 50,
        "people": 10,
        "by_kind": {"": {"name": "Coachning utan angiven inriktning", "sessions": 50}},
    }
