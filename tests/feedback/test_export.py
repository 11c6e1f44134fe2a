"""The survey answers as files (feedback/exports.py, workspace/feedback_exports.py): the right
rows, never a name or an e-mail, periods by Stockholm dates, organisers only."""

import csv
import io
import zipfile
from datetime import date, datetime, timedelta

import pytest
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy
from openpyxl import load_workbook

from events.choices import Kind
from feedback.exports import feedback_export_headers, feedback_export_rows_for_dates
from feedback.models import Feedback
from feedback.services import feedback_answer
from tests.factories import EventFactory, RegistrationFactory, ThemeFactory

pytestmark = pytest.mark.django_db

NAME, EMAIL = "Amina Hassan", "amina.hassan@example.org"


def _local(text: str) -> datetime:
    return timezone.make_aware(datetime.fromisoformat(text))


def _survey(event, **person) -> Feedback:
    registration = RegistrationFactory(event=event, attended=True, **person)
    return Feedback.objects.create(event=event, registration=registration)


def _answer(event, rating: int, *, person: dict | None = None, **answer) -> Feedback:
    # Answered an hour after the meeting, so a meeting of any date takes the answer.
    survey = _survey(event, **(person or {}))
    return feedback_answer(feedback_id=survey.id, rating=rating, now=event.ends_at + timedelta(hours=1), **answer)


def _people(event) -> list[str]:
    """Every name and e-mail registered for the meeting: none may be in a file."""
    return [text for row in event.registrations.values_list("name", "email") for text in row]


@pytest.fixture
def meeting():
    """A held meeting with two answers (one quotable, with themes wanted) and one survey unanswered."""
    event = EventFactory(
        title="Tematräff om upphandling",
        kind=Kind.THEME_MEETING,
        starts_at=_local("2026-03-10T18:00"),
        ends_at=_local("2026-03-10T20:00"),
        themes=[ThemeFactory(slug="upphandling", name="Upphandling"), ThemeFactory(slug="ekonomi", name="Ekonomi")],
    )
    wanted = ThemeFactory(slug="finansiering", name="Finansiering")
    _answer(
        event,
        5,
        person={"name": NAME, "email": EMAIL},
        comment="Konkreta tips om anbud.",
        quote_allowed=True,
        theme_slugs=[wanted.slug],
        wants_themes_text="Sociala investeringar",
    )
    _answer(event, 3, comment='=HYPERLINK("https://example.org")')
    _survey(event, name="Bo Berg", email="bo.berg@example.org")  # asked, never answered
    return event


def _xlsx_rows(content: bytes) -> list[list[str]]:
    sheet = load_workbook(io.BytesIO(content)).active
    return [[cell or "" for cell in row] for row in sheet.iter_rows(values_only=True)]


def _xlsx_text(content: bytes) -> str:
    """Every part of the workbook as text: the names must be nowhere, not only not in a cell."""
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return "".join(archive.read(name).decode("utf-8") for name in archive.namelist())


def _csv_rows(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))


def _swedish(text) -> str:
    # The files are Swedish whatever the page's language (registrations.exports).
    with translation.override("sv"):
        return str(text)


def test_a_meetings_answers_as_xlsx_are_one_row_per_answer_without_names(organiser_client, meeting):
    response = organiser_client.get(f"/arrangor/traffar/{meeting.id}/omdomen.xlsx")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response["Content-Disposition"] == 'attachment; filename="omdomen-2026-03-10-tematraff-om-upphandling.xlsx"'
    assert response["Cache-Control"] == "private, no-store"
    header, *rows = _xlsx_rows(response.content)
    assert header == feedback_export_headers()
    assert len(header) == 10
    yes, no = _swedish(gettext_lazy("Yes")), _swedish(gettext_lazy("No"))
    assert rows == [
        [
            "Tematräff om upphandling",
            "2026-03-10",
            _swedish(Kind.THEME_MEETING.label),
            "Ekonomi, Upphandling",
            "5",
            "Konkreta tips om anbud.",
            yes,
            "Finansiering",
            "Sociala investeringar",
            "2026-03-10 21:00",
        ],
        [
            "Tematräff om upphandling",
            "2026-03-10",
            _swedish(Kind.THEME_MEETING.label),
            "Ekonomi, Upphandling",
            "3",
            # A spreadsheet must not run a comment as a formula.
            '\'=HYPERLINK("https://example.org")',
            no,
            "",
            "",
            "2026-03-10 21:00",
        ],
    ]
    text = _xlsx_text(response.content)
    assert {NAME, EMAIL, "Bo Berg"} <= set(_people(meeting))
    for secret in _people(meeting):
        assert secret not in text


def test_a_meetings_answers_as_csv_are_the_same_rows(organiser_client, meeting):
    xlsx = _xlsx_rows(organiser_client.get(f"/arrangor/traffar/{meeting.id}/omdomen.xlsx").content)

    response = organiser_client.get(f"/arrangor/traffar/{meeting.id}/omdomen.csv")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response.content.startswith("\ufeff".encode())
    assert _csv_rows(response.content) == xlsx
    text = response.content.decode("utf-8-sig")
    for secret in _people(meeting):
        assert secret not in text


def test_a_period_holds_the_meetings_starting_on_its_stockholm_dates(organiser_client):
    # Stockholm is UTC+1 in winter and UTC+2 from the last Sunday of March: each boundary
    # meeting is on another UTC date than its local one.
    inside = {
        "first": _local("2026-03-01T00:30"),  # 2026-02-28 23:30 UTC
        "last": _local("2026-03-31T23:30"),  # 2026-03-31 21:30 UTC
    }
    outside = {
        "before": _local("2026-02-28T23:30"),  # 2026-02-28 22:30 UTC
        "after": _local("2026-04-01T00:15"),  # 2026-03-31 22:15 UTC
    }
    for title, starts_at in {**inside, **outside}.items():
        _answer(EventFactory(title=title, starts_at=starts_at, ends_at=starts_at + timedelta(hours=1)), 4)

    response = organiser_client.get("/arrangor/omdomen/2026-03-01/2026-03-31/omdomen.csv")

    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="omdomen-2026-03-01-till-2026-03-31.csv"'
    _header, *rows = _csv_rows(response.content)
    assert [(row[0], row[1]) for row in rows] == [("first", "2026-03-01"), ("last", "2026-03-31")]
    xlsx = organiser_client.get("/arrangor/omdomen/2026-03-01/2026-03-31/omdomen.xlsx")
    assert [row[0] for row in _xlsx_rows(xlsx.content)[1:]] == ["first", "last"]


def test_the_period_form_opens_the_periods_file_and_shows_its_errors(organiser_client):
    response = organiser_client.get("/arrangor/omdomen/?start=2026-03-01&end=2026-03-31&format=csv")
    assert response.status_code == 302
    assert response["Location"] == "/arrangor/omdomen/2026-03-01/2026-03-31/omdomen.csv"

    # An unknown format falls back to Excel; a period ending before it starts is an error.
    fallback = organiser_client.get("/arrangor/omdomen/?start=2026-03-01&end=2026-03-31&format=pdf")
    assert fallback["Location"] == "/arrangor/omdomen/2026-03-01/2026-03-31/omdomen.xlsx"
    reversed_dates = organiser_client.get("/arrangor/omdomen/?start=2026-03-31&end=2026-03-01")
    assert reversed_dates.status_code == 400
    assert reversed_dates.context["form"].errors["end"]
    assert organiser_client.get("/arrangor/omdomen/").status_code == 200


def test_unknown_formats_reversed_periods_and_unknown_meetings_are_not_found(organiser_client, meeting):
    assert organiser_client.get(f"/arrangor/traffar/{meeting.id}/omdomen.pdf").status_code == 404
    assert organiser_client.get(f"/arrangor/traffar/{meeting.id + 1000}/omdomen.csv").status_code == 404
    assert organiser_client.get("/arrangor/omdomen/2026-03-31/2026-03-01/omdomen.csv").status_code == 404


def test_only_organisers_export_and_anonymous_visitors_log_in(client, helper_client, meeting):
    paths = [
        f"/arrangor/traffar/{meeting.id}/omdomen.xlsx",
        f"/arrangor/traffar/{meeting.id}/omdomen.csv",
        "/arrangor/omdomen/?start=2026-03-01&end=2026-03-31",
        "/arrangor/omdomen/2026-03-01/2026-03-31/omdomen.xlsx",
    ]
    for path in paths:
        assert helper_client.get(path).status_code == 403, path
        assert client.get(path)["Location"].startswith("/arrangor/logga-in/"), path


def test_the_rows_take_three_queries_whatever_their_number(meeting, django_assert_num_queries):
    for _ in range(5):
        _answer(meeting, 2, theme_slugs=["finansiering"])
    day = date(2026, 3, 10)

    with django_assert_num_queries(3):  # the answers with their meetings, the meetings' themes, the themes wanted
        rows = list(feedback_export_rows_for_dates(date_from=day, date_to=day))

    assert len(rows) == 7
