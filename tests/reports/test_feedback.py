"""The attendees' survey answers in the progress report: the API's `feedback`, the scores in the
drafted section 2, the appendix of the DOCX and PDF, the workspace page, and the figures a
finalised report keeps."""

import io
import subprocess

import docx
import pytest
from django.utils import timezone, translation

from events.choices import EventStatus, Kind
from events.models import Event
from feedback.models import Feedback
from registrations.personal_data.services import personal_data_erase
from reports import drafts, exports
from reports.progress_form import report_content
from reports.selectors import progress_figures, progress_report_for
from reports.services import progress_report_finalise, progress_report_get_or_create
from tests.factories import RegistrationFactory

from .conftest import SEED_PERIOD, local, meeting, poppler

pytestmark = pytest.mark.django_db

URL = "/api/reports/progress"
SEED = {"from": "2020-12-01", "to": "2021-05-31"}
NETWORK = (
    "I december genomfördes en nätverksträff med tema finansiering och effektmätning; 15 deltog av 18 anmälda. "
    "Deltagarna gav träffen i snitt 4,6 av 5 (11 svar)."
)
JANUARY = "I januari genomfördes en digital mötesplats, ”Digital mötesplats för socialt företagande i Sörmland”; "
QUOTE = "Bra att höra hur andra har finansierat sin verksamhet."
NOT_FOR_QUOTING = "Lokalen var för trång, men säg inte att jag sa det."


def _attendee(event):
    """An attendee not asked yet: one of the meeting's, or one more walking in."""
    unasked = event.registrations.filter(attended=True, feedback__isnull=True).order_by("id").first()
    return unasked or RegistrationFactory(event=event, attended=True)


def answer(event, rating, *, comment="", quote_allowed=False):
    """One attendee's answered survey (the survey e-mail's row, answered)."""
    registration = _attendee(event)
    return Feedback.objects.create(
        event=event,
        registration=registration,
        rating=rating,
        comment=comment,
        quote_allowed=quote_allowed,
        answered_at=timezone.now(),
    )


def asked(event):
    """A survey sent and never answered: it counts nowhere."""
    return Feedback.objects.create(event=event, registration=_attendee(event))


@pytest.fixture
def answered(seed_half_year):
    """The seed's December network meeting answered 11 times (7 × 5 and 4 × 4: 4,6), one of
    the answers quotable; the May meeting twice; and surveys nobody answered."""
    network, may = seed_half_year["network"], seed_half_year["may"]
    for rating in [5] * 6 + [4] * 4:
        answer(network, rating)
    quoted = answer(network, 5, comment=QUOTE, quote_allowed=True)
    asked(network)
    answer(may, 3, comment=NOT_FOR_QUOTING)
    answer(may, 4)
    asked(may)
    return {**seed_half_year, "quoted": quoted}


def _rows(document: docx.Document) -> list[list[str]]:
    return [[cell.text for cell in row.cells] for table in document.tables for row in table.rows]


# The API


def test_the_api_gives_the_periods_feedback_figures(auth_client, answered):
    body = auth_client.get(URL, SEED).json()

    feedback = body["feedback"]
    assert (feedback["responses"], feedback["average"]) == (13, 4.5)  # 58 / 13
    assert feedback["by_kind"] == {
        "digital_meeting_place": {"responses": 2, "average": 3.5},
        "network_meeting": {"responses": 11, "average": 4.6},
    }
    assert feedback["by_event"] == [
        {
            "id": answered["network"].id,
            "title": "Nätverksträff",
            "kind": "network_meeting",
            "starts_at": "2020-12-08T13:00:00+01:00",
            "responses": 11,
            "average": 4.6,
        },
        {
            "id": answered["may"].id,
            "title": "Upphandling som verktyg",
            "kind": "digital_meeting_place",
            "starts_at": "2021-05-12T09:00:00+02:00",
            "responses": 2,
            "average": 3.5,
        },
    ]
    assert {theme["slug"]: theme["average"] for theme in feedback["by_theme"]} == {
        "effektmatning": 4.6,
        "finansiering": 4.6,
        "upphandling": 3.5,
    }
    # The existing fields are as they were.
    assert (body["events_held"], body["attended"]) == (53, 128)


def test_the_feedback_follows_the_reports_period_rule(auth_client, db):
    """A meeting counts in the period its local (Stockholm) start date falls in; cancelled
    meetings count nowhere, and neither do surveys nobody answered."""
    first = meeting(local(2020, 12, 1, 0, 30))  # 23:30 UTC on 30 November
    last = meeting(local(2021, 5, 31, 23, 30))  # 21:30 UTC on 31 May, summer time
    before = meeting(local(2020, 11, 30, 23, 30))
    after = meeting(local(2021, 6, 1, 0, 30))
    cancelled = meeting(local(2021, 3, 10, 13), status=EventStatus.CANCELLED)
    answer(first, 5)
    answer(last, 2)
    asked(last)
    for outside in (before, after, cancelled):
        answer(outside, 1)

    feedback = auth_client.get(URL, SEED).json()["feedback"]

    assert (feedback["responses"], feedback["average"]) == (2, 3.5)
    assert [event["id"] for event in feedback["by_event"]] == [first.id, last.id]
    assert feedback["by_kind"] == {"theme_meeting": {"responses": 2, "average": 3.5}}


def test_a_period_without_answers_has_no_average(auth_client, seed_half_year):
    assert auth_client.get(URL, SEED).json()["feedback"] == {
        "responses": 0,
        "average": None,
        "by_kind": {},
        "by_theme": [],
        "by_event": [],
    }


def test_the_openapi_document_states_the_feedback(client, db):
    schemas = client.get("/api/openapi.json").json()["components"]["schemas"]

    assert "feedback" in schemas["ProgressOut"]["required"]
    figures = schemas["FeedbackFiguresOut"]["properties"]
    assert {"responses", "average", "by_kind", "by_theme", "by_event"} <= set(figures)


# Section 2's drafts


def test_the_draft_gives_a_meetings_score_with_a_decimal_comma(answered):
    with translation.override("en"):  # the workspace's drafts are Swedish whatever the page's language
        paragraphs = drafts.activities_held(progress_figures(SEED_PERIOD))

    text = "\n".join(paragraphs)
    assert NETWORK in text
    assert "Deltagarna gav träffen i snitt 3,5 av 5 (2 svar)." in text


def test_a_meeting_without_answers_keeps_its_sentence(answered):
    paragraphs = drafts.activities_held(progress_figures(SEED_PERIOD))

    january = next(paragraph for paragraph in paragraphs if paragraph.startswith(JANUARY))
    sentences = january.split(". I ")
    assert sentences[0] == JANUARY + "32 deltog av 40 anmälda"
    assert "snitt" not in sentences[0]


def test_the_coaching_sessions_get_one_score_for_them_all(seed_half_year):
    coaching = [event for event in progress_figures(SEED_PERIOD)["events"] if event["kind"] == Kind.COACHING]
    for event, rating in zip(coaching[:3], [5, 5, 4], strict=True):
        answer(Event.objects.get(pk=event["id"]), rating)

    text = "\n".join(drafts.activities_held(progress_figures(SEED_PERIOD)))

    assert (
        "50 coachningar genomfördes från december till maj, med 10 personer. "
        "Deltagarna gav coachningarna i snitt 4,7 av 5 (3 svar)." in text
    )


# The appendix


def test_the_docx_appendix_has_the_scores_and_only_quotable_comments(answered):
    content, _media_type, _name = exports.report_file(progress_report_for(SEED_PERIOD), "docx")
    document = docx.Document(io.BytesIO(content))
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    rows = _rows(document)
    text = "\n".join(p.text for p in document.paragraphs) + "\n".join("\t".join(row) for row in rows)

    assert {"Betyg per typ av träff", "Betyg per träff", "Kommentarer som får citeras"} <= set(headings)
    assert ["2020-12-08", "Nätverksträff", "Nätverksträff", "11", "4,6"] in rows
    assert ["2021-05-12", "Upphandling som verktyg", "Digital mötesplats", "2", "3,5"] in rows
    assert ["Alla träffar", "13", "4,5"] in rows
    assert ["2020-12-08", "Nätverksträff", "5", QUOTE] in rows
    assert NOT_FOR_QUOTING not in text
    assert NETWORK in text  # section 2


def test_the_pdf_appendix_has_the_scores_and_only_quotable_comments(answered):
    content, _media_type, _name = exports.report_file(progress_report_for(SEED_PERIOD), "pdf")
    text = subprocess.run(
        [poppler("pdftotext"), "-layout", "-", "-"], input=content, capture_output=True, check=True
    ).stdout.decode()

    scores = text.split("Betyg per träff", 1)[1]
    network_row = next(line for line in scores.splitlines() if line.strip().startswith("2020-12-08"))
    assert network_row.split()[-2:] == ["11", "4,6"]
    assert QUOTE in " ".join(text.split())
    assert "Lokalen var för trång" not in text


def test_a_period_without_answers_has_no_score_tables(seed_half_year):
    titles = [table.title for table in report_content(progress_report_for(SEED_PERIOD)).appendix]

    assert titles[-1] == "Besökare per tema"
    assert not any(title.startswith("Betyg") for title in titles)


def test_the_appendix_shows_no_single_coaching_sessions_score(seed_half_year):
    coaching = next(event for event in progress_figures(SEED_PERIOD)["events"] if event["kind"] == Kind.COACHING)
    answer(Event.objects.get(pk=coaching["id"]), 2)

    tables = {table.title: table.rows for table in report_content(progress_report_for(SEED_PERIOD)).appendix}

    assert tables["Betyg per typ av träff"][1][1:] == ["1", "2,0"]
    assert "Betyg per träff" not in tables  # one person's answer would show


# Frozen with the report


def test_a_finalised_report_keeps_its_feedback(auth_client, organiser, answered):
    report = progress_report_get_or_create(period=SEED_PERIOD)
    report = progress_report_finalise(report_id=report.id, by=organiser)
    frozen = auth_client.get(URL, SEED).json()["feedback"]

    # A late answer arrives, and the person quoted has their data deleted.
    answer(answered["network"], 1)
    personal_data_erase(email=answered["quoted"].registration.email)

    live = progress_figures(SEED_PERIOD)
    assert (live["feedback"]["responses"], live["quotable_comments"]) == (14, [])
    assert auth_client.get(URL, SEED).json()["feedback"] == frozen
    assert (frozen["responses"], frozen["average"]) == (13, 4.5)
    report.refresh_from_db()
    content = report_content(report)
    tables = {table.title: table.rows for table in content.appendix}
    assert tables["Kommentarer som får citeras"][1][-1] == QUOTE
    assert NETWORK in content.sections[1].paragraphs


def test_a_report_finalised_before_the_survey_reads_as_unanswered(auth_client, organiser, answered):
    report = progress_report_finalise(report_id=progress_report_get_or_create(period=SEED_PERIOD).id, by=organiser)
    for key in ("feedback", "quotable_comments"):
        del report.snapshot["figures"][key]
    report.save()

    response = auth_client.get(URL, SEED)

    assert response.status_code == 200
    assert response.json()["feedback"]["responses"] == 0
    assert not any(table.title.startswith("Betyg") for table in report_content(report).appendix)


# The workspace page


def test_the_workspace_page_shows_the_averages_by_kind_and_theme(organiser_client, answered):
    response = organiser_client.get("/arrangor/rapporter/2020-12-01/2021-05-31/")

    assert response.status_code == 200
    by_kind = [(row["label"], row["responses"], row["average"]) for row in response.context["feedback_by_kind"]]
    assert by_kind == [("Digital mötesplats", 2, 3.5), ("Nätverksträff", 11, 4.6)]
    themes = [(row["label"], row["responses"], row["average"]) for row in response.context["feedback_by_theme"]]
    assert themes == [("Effektmätning", 11, 4.6), ("Finansiering", 11, 4.6), ("Upphandling", 2, 3.5)]
    page = response.content.decode()
    assert 'id="feedback-title"' in page
    assert "4,6" in page  # the page's Swedish decimal comma
    assert QUOTE in page
    assert "Lokalen var för trång" not in page


# The number of queries


def test_the_figures_take_as_many_queries_however_many_answers(django_assert_num_queries, answered):
    # 13 for meetings, attendees and participants; 1 for coaching by kind; 5 for the answers
    with django_assert_num_queries(19):
        progress_figures(SEED_PERIOD)
    for day in range(1, 10):
        event = meeting(local(2021, 3, day, 15), Kind.THEME_MEETING)
        for rating in (3, 4, 5):
            answer(event, rating, comment=f"Dag {day}", quote_allowed=True)

    with django_assert_num_queries(19):
        figures = progress_figures(SEED_PERIOD)
    assert figures["feedback"]["responses"] == 13 + 27
    assert len(figures["quotable_comments"]) == 1 + 27
