"""Registration exports: Swedish columns, local times, formula neutralisation, access."""

import csv
import io
from datetime import UTC, date, datetime

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from accounts.services import helper_create
from events.choices import Kind
from registrations.choices import OrganisationType, Source, Status
from registrations.exports import (
    export_csv,
    export_headers,
    export_xlsx,
    neutralise,
    registration_export_rows_for_dates,
    registration_export_rows_for_event,
)
from registrations.models import Registration
from tests.factories import EventFactory, RegistrationFactory

pytestmark = pytest.mark.django_db

HEADERS = [
    "Träff",
    "Typ",
    "Start",
    "Namn",
    "E-post",
    "Organisation",
    "Organisationstyp",
    "Kommun",
    "Kön",
    "Status",
    "Deltog",
    "Källa",
    "Anmäld",
    "Avbokad",
]
NAME, ORGANISATION, STATUS, ATTENDED = (HEADERS.index(h) for h in ("Namn", "Organisation", "Status", "Deltog"))

TRICKY_NAMES = [
    'Anna "Annie" Andersson',
    "Berg; Bertil",
    "Cilla 🎉 Carlsson 👩🏽‍💻",
    "مريم العلي",
    "Zero\u200bwidth\u200dJoiner",
    "Åsa Öberg e\u0301 n\u0303",  # combining acute and tilde
]
DANGEROUS = ["=1+1", "+1", "-1", "@SUM(A1)", "\t=1", "\r=1", "  =1"]


def _utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.fixture
def winter_event():
    # 12:00 UTC is 13:00 in Stockholm in winter (CET, UTC+1).
    return EventFactory(title="Tematräff: finansiering", starts_at=_utc(2026, 12, 1, 12, 0))


def _session_client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _user_with(*codenames: str):
    user = get_user_model().objects.create_user("someone", password="x", is_staff=True)
    user.user_permissions.set(Permission.objects.filter(codename__in=codenames))
    return user


def _read_csv(content: bytes) -> list[list[str]]:
    assert content.startswith(b"\xef\xbb\xbf"), "UTF-8 BOM for Excel"
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline=""), delimiter=";"))


def _read_xlsx(content: bytes) -> list[list[str]]:
    sheet = load_workbook(io.BytesIO(content)).active
    return [[cell.value or "" for cell in row] for row in sheet.iter_rows()]


def _all_xlsx_cells(content: bytes):
    sheet = load_workbook(io.BytesIO(content)).active
    return [cell for row in sheet.iter_rows() for cell in row]


# Rows and values


def test_headers_are_swedish():
    assert export_headers() == HEADERS


def test_headers_stay_swedish_when_the_request_is_in_english(auth_client, winter_event):
    response = auth_client.get(
        f"/api/organiser/events/{winter_event.id}/registrations.csv", headers={"Accept-Language": "en"}
    )

    assert _read_csv(response.content)[0] == HEADERS


def test_one_row_per_registration_with_swedish_values(winter_event):
    confirmed = RegistrationFactory(
        event=winter_event,
        name="Anna Andersson",
        email="anna@example.org",
        organisation="Exempel ekonomisk förening",
        organisation_type=OrganisationType.SOCIAL_ENTERPRISE,
        municipality="Nyköping",
        gender="woman",
        attended=True,
    )
    waiting = RegistrationFactory(
        event=winter_event, status=Status.WAITLISTED, organisation_type=OrganisationType.PUBLIC_SECTOR
    )
    cancelled = RegistrationFactory(
        event=winter_event,
        status=Status.CANCELLED,
        attended=False,
        municipality="Annan",
        source=Source.ORGANISER,
        cancelled_at=_utc(2026, 11, 20, 8, 5),
    )
    Registration.objects.filter(pk=confirmed.pk).update(created_at=_utc(2026, 11, 2, 9, 30))

    rows = list(registration_export_rows_for_event(event_id=winter_event.id))

    assert len(rows) == 3
    assert rows[0] == [
        "Tematräff: finansiering",
        "Tematräff",
        "2026-12-01 13:00",
        "Anna Andersson",
        "anna@example.org",
        "Exempel ekonomisk förening",
        "Socialt företag",
        "Nyköping",
        "Kvinna",
        "Bekräftad",
        "Ja",
        "Anmälan på webben",
        "2026-11-02 10:30",
        "",
    ]
    assert rows[1][NAME] == waiting.name
    assert (rows[1][STATUS], rows[1][ATTENDED], rows[1][HEADERS.index("Organisationstyp")]) == (
        "Väntelista",
        "",
        "Offentlig sektor",
    )
    assert rows[2][NAME] == cancelled.name
    assert (rows[2][STATUS], rows[2][ATTENDED], rows[2][HEADERS.index("Kommun")]) == ("Avbokad", "Nej", "Annan")
    assert rows[2][HEADERS.index("Avbokad")] == "2026-11-20 09:05"
    assert rows[2][HEADERS.index("Källa")] == "Tillagd av arrangör"


def test_other_meetings_registrations_are_not_in_a_meetings_export(winter_event):
    RegistrationFactory(event=winter_event, name="Mine")
    RegistrationFactory(name="Someone else's")

    rows = list(registration_export_rows_for_event(event_id=winter_event.id))

    assert [row[NAME] for row in rows] == ["Mine"]


@pytest.mark.parametrize(
    "starts_at_utc, local",
    [
        (_utc(2026, 12, 1, 12, 0), "2026-12-01 13:00"),  # CET, UTC+1
        (_utc(2026, 7, 1, 11, 0), "2026-07-01 13:00"),  # CEST, UTC+2
        (_utc(2026, 3, 29, 1, 30), "2026-03-29 03:30"),  # just after the spring change
    ],
    ids=["winter", "summer", "dst-change"],
)
def test_times_are_in_stockholm(starts_at_utc, local):
    event = EventFactory(kind=Kind.DIGITAL_MEETING_PLACE, starts_at=starts_at_utc)
    RegistrationFactory(event=event)

    [row] = registration_export_rows_for_event(event_id=event.id)

    assert row[HEADERS.index("Start")] == local
    assert row[HEADERS.index("Typ")] == "Digital mötesplats"


# Files


def test_csv_is_semicolon_separated_crlf_utf8_with_bom(winter_event):
    RegistrationFactory(event=winter_event, name="Örjan Ängström")

    content = export_csv(registration_export_rows_for_event(event_id=winter_event.id))

    assert content.startswith("\ufeffTräff;Typ;Start;".encode())
    assert content.count(b"\r\n") == 2 and b"\n" not in content.replace(b"\r\n", b"")
    assert _read_csv(content)[1][NAME] == "Örjan Ängström"


def test_xlsx_has_a_bold_frozen_filtered_header_and_sized_columns(winter_event):
    RegistrationFactory(event=winter_event)

    sheet = load_workbook(io.BytesIO(export_xlsx(registration_export_rows_for_event(event_id=winter_event.id)))).active

    assert [cell.value for cell in sheet[1]] == HEADERS
    assert all(cell.font.bold for cell in sheet[1])
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:N2"
    assert all(8 <= sheet.column_dimensions[letter].width <= 50 for letter in "ABCDEFGHIJKLMN")


@pytest.mark.parametrize("extension", ["csv", "xlsx"])
def test_tricky_names_survive_both_formats(auth_client, winter_event, extension):
    for name in TRICKY_NAMES:
        RegistrationFactory(event=winter_event, name=name, organisation=name)

    response = auth_client.get(f"/api/organiser/events/{winter_event.id}/registrations.{extension}")

    assert response.status_code == 200
    rows = _read_csv(response.content) if extension == "csv" else _read_xlsx(response.content)
    assert [row[NAME] for row in rows[1:]] == TRICKY_NAMES
    assert [row[ORGANISATION] for row in rows[1:]] == TRICKY_NAMES


@pytest.mark.parametrize("value", DANGEROUS, ids=repr)
def test_neutralise_prefixes_an_apostrophe(value):
    assert neutralise(value) == "'" + value


@pytest.mark.parametrize("value", ["Anna", "", "1+1", "a=b", "Tel. 070-123", "'=quoted already"])
def test_neutralise_leaves_harmless_text_alone(value):
    assert neutralise(value) == value


@pytest.mark.parametrize("extension", ["csv", "xlsx"])
def test_dangerous_cells_are_neutralised_in_both_formats(auth_client, extension):
    event = EventFactory(title='=HYPERLINK("http://evil.example")', starts_at=_utc(2026, 12, 1, 12, 0))
    for value in DANGEROUS:
        RegistrationFactory(event=event, name=value, organisation=value)

    response = auth_client.get(f"/api/organiser/events/{event.id}/registrations.{extension}")

    assert response.status_code == 200
    rows = _read_csv(response.content) if extension == "csv" else _read_xlsx(response.content)
    # XML parsers read a CR as LF, so the XLSX writes the "\r=1" cell with LF (still neutralised).
    expected = ["'" + (value if extension == "csv" else value.replace("\r", "\n")) for value in DANGEROUS]
    assert [row[NAME] for row in rows[1:]] == expected
    assert [row[ORGANISATION] for row in rows[1:]] == expected
    assert {row[0] for row in rows[1:]} == {"'" + event.title}
    if extension == "xlsx":
        cells = _all_xlsx_cells(response.content)
        assert cells and all(cell.data_type == "s" for cell in cells if cell.value is not None)
        assert not any(cell.data_type == "f" for cell in cells)


def test_xlsx_drops_characters_xml_cannot_carry(winter_event):
    RegistrationFactory(event=winter_event, name="Bell\x07 Boy")

    rows = _read_xlsx(export_xlsx(registration_export_rows_for_event(event_id=winter_event.id)))

    assert rows[1][NAME] == "Bell Boy"


# Date ranges


def test_date_range_counts_meetings_by_local_start_date():
    # Stockholm is UTC+1 in December and January.
    inside = [
        EventFactory(title="First day, early", starts_at=_utc(2026, 11, 30, 23, 30)),  # 2026-12-01 00:30 local
        EventFactory(title="Last day, late", starts_at=_utc(2026, 12, 31, 22, 30)),  # 2026-12-31 23:30 local
    ]
    outside = [
        EventFactory(title="Day before, late", starts_at=_utc(2026, 11, 30, 22, 30)),  # 2026-11-30 23:30 local
        EventFactory(title="Day after, early", starts_at=_utc(2026, 12, 31, 23, 30)),  # 2027-01-01 00:30 local
    ]
    for event in [*inside, *outside]:
        RegistrationFactory(event=event)

    rows = list(registration_export_rows_for_dates(date_from=date(2026, 12, 1), date_to=date(2026, 12, 31)))

    assert [(row[0], row[2]) for row in rows] == [
        ("First day, early", "2026-12-01 00:30"),
        ("Last day, late", "2026-12-31 23:30"),
    ]


def test_date_range_endpoint_answers_a_file_per_format(auth_client, winter_event):
    RegistrationFactory(event=winter_event, name="Anna")

    csv_response = auth_client.get("/api/organiser/exports/registrations.csv?from=2026-12-01&to=2026-12-01")
    xlsx_response = auth_client.get("/api/organiser/exports/registrations.xlsx?from=2026-12-01&to=2026-12-31")

    assert csv_response.status_code == 200 and xlsx_response.status_code == 200
    assert csv_response["Content-Type"] == "text/csv; charset=utf-8"
    assert csv_response["Content-Disposition"] == 'attachment; filename="anmalningar-2026-12-01-till-2026-12-01.csv"'
    assert xlsx_response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert _read_csv(csv_response.content)[1][NAME] == "Anna"
    assert _read_xlsx(xlsx_response.content)[1][NAME] == "Anna"


@pytest.mark.parametrize(
    "query",
    [
        "",
        "?from=2026-12-01",
        "?from=yesterday&to=2026-12-01",
        "?from=0&to=2026-12-01",
        "?from=1899-12-31&to=2026-12-01",
    ],
)
def test_date_range_needs_two_iso_dates(auth_client, query):
    response = auth_client.get(f"/api/organiser/exports/registrations.csv{query}")

    assert response.status_code == 422
    assert response.json()["detail"]


def test_date_range_given_in_reverse_is_the_same_range(auth_client, winter_event):
    RegistrationFactory(event=winter_event, name="Anna")

    response = auth_client.get("/api/organiser/exports/registrations.csv?from=2026-12-31&to=2026-12-01")

    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="anmalningar-2026-12-01-till-2026-12-31.csv"'
    assert _read_csv(response.content)[1][NAME] == "Anna"


# Queries


@pytest.mark.parametrize("count", [3, 30])
def test_rows_take_one_query_whatever_the_size(winter_event, django_assert_num_queries, count):
    RegistrationFactory.create_batch(count, event=winter_event)

    with django_assert_num_queries(1):
        rows = list(registration_export_rows_for_event(event_id=winter_event.id))
    with django_assert_num_queries(1):
        range_rows = list(registration_export_rows_for_dates(date_from=date(2026, 12, 1), date_to=date(2026, 12, 1)))

    assert len(rows) == len(range_rows) == count


def _queries_for(client, path: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    return len(queries)


@pytest.mark.parametrize("extension", ["csv", "xlsx"])
def test_endpoint_query_count_does_not_grow_with_the_list(auth_client, extension):
    small, large = EventFactory(starts_at=_utc(2026, 12, 1, 12)), EventFactory(starts_at=_utc(2026, 12, 2, 12))
    RegistrationFactory.create_batch(3, event=small)
    RegistrationFactory.create_batch(30, event=large)

    assert _queries_for(auth_client, f"/api/organiser/events/{small.id}/registrations.{extension}") == _queries_for(
        auth_client, f"/api/organiser/events/{large.id}/registrations.{extension}"
    )
    assert _queries_for(
        auth_client, f"/api/organiser/exports/registrations.{extension}?from=2026-12-01&to=2026-12-01"
    ) == _queries_for(auth_client, f"/api/organiser/exports/registrations.{extension}?from=2026-12-01&to=2026-12-02")


# Access


def _export_paths(event) -> list[str]:
    return [
        f"/api/organiser/events/{event.id}/registrations.csv",
        f"/api/organiser/events/{event.id}/registrations.xlsx",
        "/api/organiser/exports/registrations.csv?from=2026-12-01&to=2026-12-31",
        "/api/organiser/exports/registrations.xlsx?from=2026-12-01&to=2026-12-31",
    ]


def test_exports_need_authentication(client, winter_event):
    RegistrationFactory(event=winter_event)

    for path in _export_paths(winter_event):
        response = client.get(path)
        assert response.status_code == 401, path
        assert response["Content-Type"].startswith("application/json")


def test_exports_are_refused_without_the_permission_to_view_registrations(winter_event):
    # Passes the organiser authentication (it may change meetings) but may not see people.
    client = _session_client(_user_with("change_event", "view_event"))

    for path in _export_paths(winter_event):
        response = client.get(path)
        assert response.status_code == 403, path
        assert response.json()["detail"]


def test_a_helper_cannot_export(winter_event):
    # A helper ("Värd") sees lists and marks attendance at the door, but exports are an
    # organiser's: everyone's personal data in one file.
    client = _session_client(helper_create(username="vard"))

    for path in _export_paths(winter_event):
        response = client.get(path)
        assert response.status_code == 403, path
        assert response.json()["detail"]


def test_a_logged_in_user_without_a_workspace_role_gets_401(winter_event):
    client = _session_client(_user_with("view_registration"))

    for path in _export_paths(winter_event):
        assert client.get(path).status_code == 401, path


def test_session_organiser_can_export(organiser, winter_event):
    RegistrationFactory(event=winter_event)
    client = _session_client(organiser)

    for path in _export_paths(winter_event):
        assert client.get(path).status_code == 200, path


def test_unknown_meeting_is_404(auth_client):
    assert auth_client.get("/api/organiser/events/987654/registrations.xlsx").status_code == 404


def test_meeting_export_names_the_file_in_readable_ascii(auth_client, winter_event):
    response = auth_client.get(f"/api/organiser/events/{winter_event.id}/registrations.xlsx")

    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        'attachment; filename="anmalningar-2026-12-01-tematraff-finansiering.xlsx"'
    )
    assert response["Cache-Control"] == "private, no-store"


def test_a_title_without_latin_letters_falls_back_to_the_meeting_id(auth_client):
    event = EventFactory(title="🎉🎉", starts_at=_utc(2026, 7, 1, 22, 30))  # 2026-07-02 00:30 local

    response = auth_client.get(f"/api/organiser/events/{event.id}/registrations.csv")

    assert response["Content-Disposition"] == f'attachment; filename="anmalningar-2026-07-02-traff-{event.id}.csv"'


def test_openapi_documents_exports_as_files(client):
    paths = client.get("/api/openapi.json").json()["paths"]

    expected = {
        "/api/organiser/events/{event_id}/registrations.csv": "text/csv",
        "/api/organiser/events/{event_id}/registrations.xlsx": (
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        ),
        "/api/organiser/exports/registrations.csv": "text/csv",
        "/api/organiser/exports/registrations.xlsx": (
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        ),
    }
    for path, media_type in expected.items():
        operation = paths[path]["get"]
        assert operation["security"], path
        assert list(operation["responses"]["200"]["content"]) == [media_type], path
        assert "403" in operation["responses"], path
    parameters = {p["name"] for p in paths["/api/organiser/exports/registrations.csv"]["get"]["parameters"]}
    assert parameters == {"from", "to"}
