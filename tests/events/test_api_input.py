"""What the meetings' API refuses and what it takes (issue 22): no input is a server error,
a body is a JSON object, types are strict (a time is an ISO 8601 string with an offset, a
query's boolean is `true` or `false`), and the OpenAPI document states each rule the server
enforces, so that a client (or a fuzzer) reading it is neither refused nor surprised."""

import json
from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from events.models import Event, Theme
from tests.factories import EventFactory, ThemeFactory

pytestmark = pytest.mark.django_db

ORGANISER_EVENTS = "/api/organiser/events"
TIME_FIELDS = ["starts_at", "ends_at", "registration_opens_at", "registration_closes_at"]


def _year() -> int:
    return timezone.localdate().year + 1


def _create_payload(**fields) -> dict:
    year = _year()
    return {
        "title": "Nätverksträff i Flen",
        "kind": "network_meeting",
        "starts_at": f"{year}-03-05T17:00:00+01:00",
        "ends_at": f"{year}-03-05T19:00:00+01:00",
        "municipality": "flen",
        **fields,
    }


def _send(client, method: str, path: str, body) -> object:
    return client.generic(method, path, json.dumps(body), content_type="application/json")


def _document(client) -> dict:
    return client.get("/api/openapi.json").json()


def _body_schema(document: dict, name: str) -> dict:
    return document["components"]["schemas"][name]


def _branches(schema: dict) -> list[dict]:
    """A property's schemas: itself, or each branch of its anyOf (e.g. the value and null)."""
    return schema.get("anyOf", [schema])


# ---- No server error ----


def test_patching_reminders_to_null_is_refused_naming_the_field(auth_client):
    event = EventFactory()

    response = _send(auth_client, "PATCH", f"{ORGANISER_EVENTS}/{event.id}", {"reminder_minutes_before": None})

    assert response.status_code == 422
    assert "reminder_minutes_before" in response.json()["detail"]
    event.refresh_from_db()
    assert event.reminder_minutes_before == [10080, 1440]


def test_an_empty_reminder_list_means_no_reminders(auth_client):
    event = EventFactory()

    response = _send(auth_client, "PATCH", f"{ORGANISER_EVENTS}/{event.id}", {"reminder_minutes_before": []})

    assert response.status_code == 200, response.content
    assert response.json()["reminder_minutes_before"] == []


@pytest.mark.parametrize("offset", ["+23:00", "-23:59", "+16:00"])
def test_an_offset_postgresql_cannot_store_is_taken_as_the_same_instant(auth_client, offset):
    # RFC 3339 allows offsets up to 23:59, PostgreSQL up to 15:59: times are stored in the
    # site's zone, so the database never sees the offset.
    year = _year()
    starts = f"{year}-08-01T17:00:00{offset}"
    instant = datetime.fromisoformat(starts)
    source = EventFactory()

    created = _send(
        auth_client, "POST", ORGANISER_EVENTS, _create_payload(starts_at=starts, ends_at=f"{year}-12-01T10:00:00Z")
    )
    patched = _send(auth_client, "PATCH", f"{ORGANISER_EVENTS}/{source.id}", {"registration_closes_at": starts})
    copied = _send(auth_client, "POST", f"{ORGANISER_EVENTS}/{source.id}/duplicate", {"starts_at": starts})

    assert (created.status_code, patched.status_code, copied.status_code) == (201, 200, 201), created.content
    assert datetime.fromisoformat(created.json()["starts_at"]) == instant
    assert created.json()["starts_at"].endswith("+02:00")  # Stockholm's summer time
    assert datetime.fromisoformat(patched.json()["registration_closes_at"]) == instant
    assert datetime.fromisoformat(copied.json()["starts_at"]) == instant
    assert Event.objects.get(pk=created.json()["id"]).starts_at == instant


# ---- A body is a JSON object ----


@pytest.mark.parametrize("body", ["hello world again", [None, None], 42, None, True])
def test_a_change_that_is_not_a_json_object_is_refused_and_changes_nothing(auth_client, body):
    event = EventFactory(title="Tematräff")

    response = _send(auth_client, "PATCH", f"{ORGANISER_EVENTS}/{event.id}", body)

    assert response.status_code == 422
    event.refresh_from_db()
    assert event.title == "Tematräff"


@pytest.mark.parametrize("path", [ORGANISER_EVENTS, f"{ORGANISER_EVENTS}/{{id}}/duplicate", "/api/organiser/themes"])
def test_a_new_meeting_copy_or_theme_that_is_not_a_json_object_is_refused_as_a_whole(auth_client, path):
    event = EventFactory()

    response = _send(auth_client, "POST", path.format(id=event.id), "hello world again")

    # The body is refused as it is, not read as an object whose fields are missing.
    assert response.status_code == 422
    assert [error["field"] for error in response.json()["errors"]] == [""]
    assert (Event.objects.count(), Theme.objects.count()) == (1, 0)


# ---- Strict types ----


@pytest.mark.parametrize(
    "value",
    [0, 1_785_000_000, "0", "2027-03-05", "2027-03-05T17:00", "2027-03-05T17:00:00", "2027-03-05 17:00:00+01:00"],
)
def test_a_time_is_an_iso_8601_string_with_seconds_and_an_offset(auth_client, value):
    event = EventFactory()

    created = _send(auth_client, "POST", ORGANISER_EVENTS, _create_payload(starts_at=value))
    patched = _send(auth_client, "PATCH", f"{ORGANISER_EVENTS}/{event.id}", {"starts_at": value})
    copied = _send(auth_client, "POST", f"{ORGANISER_EVENTS}/{event.id}/duplicate", {"starts_at": value})

    for response in (created, patched, copied):
        assert response.status_code == 422, response.content
        assert "starts_at" in response.json()["detail"]
    assert Event.objects.count() == 1
    assert not Event.objects.filter(starts_at__year=1970).exists()


@pytest.mark.parametrize("value", ["1899-12-31T10:00:00+01:00", "3000-01-01T10:00:00+01:00"])
def test_a_time_outside_the_years_1900_to_2999_is_refused(auth_client, value):
    response = _send(auth_client, "POST", ORGANISER_EVENTS, _create_payload(starts_at=value))

    assert response.status_code == 422
    assert "starts_at" in response.json()["detail"]


@pytest.mark.parametrize("field, value", [("capacity", "5"), ("capacity", True), ("capacity", 2.5), ("title", 5)])
def test_numbers_and_text_keep_their_json_types(auth_client, field, value):
    response = _send(auth_client, "POST", ORGANISER_EVENTS, _create_payload(**{field: value}))

    assert response.status_code == 422
    assert field in response.json()["detail"]
    assert not Event.objects.exists()


def test_a_whole_number_written_with_a_decimal_point_is_a_whole_number(auth_client):
    # JSON Schema's integer includes 15.0, and the document says integer.
    response = _send(auth_client, "POST", ORGANISER_EVENTS, _create_payload(capacity=15.0))

    assert response.status_code == 201, response.content
    assert response.json()["capacity"] == 15


@pytest.mark.parametrize(
    "query", ["to=0", "from=0", "to=20270301", "from=2027-3-1", "to=1899-12-31", "online=1", "online=yes"]
)
def test_the_meeting_filters_take_dates_as_yyyy_mm_dd_and_true_or_false(client, query):
    EventFactory()

    response = client.get(f"/api/events?{query}")

    assert response.status_code == 422
    assert query.split("=")[0] in response.json()["detail"]


@pytest.mark.parametrize("value", ["0", "1", "no"])
def test_include_past_is_true_or_false(auth_client, value):
    response = auth_client.get(f"{ORGANISER_EVENTS}?include_past={value}")

    assert response.status_code == 422
    assert "include_past" in response.json()["detail"]


def test_a_to_before_from_is_the_same_period_read_the_right_way_round(client):
    event = EventFactory()
    day = timezone.localtime(event.starts_at).date()

    response = client.get(f"/api/events?from={day + timedelta(days=1)}&to={day - timedelta(days=1)}")

    assert response.status_code == 200
    assert [item["id"] for item in response.json()] == [event.id]


# ---- Rules the server enforces, named in the answer ----


@pytest.mark.parametrize("title", ["Rad ett\r\nBcc: alla@example.org", "Tab\there", "Rad\u2028två"])
def test_a_title_is_one_line_as_it_goes_into_mail_subjects(auth_client, title):
    event = EventFactory()

    created = _send(auth_client, "POST", ORGANISER_EVENTS, _create_payload(title=title))
    patched = _send(auth_client, "PATCH", f"{ORGANISER_EVENTS}/{event.id}", {"title": title})

    assert (created.status_code, patched.status_code) == (422, 422)
    assert "title" in created.json()["detail"]
    assert Event.objects.get().title == event.title


def test_an_unknown_theme_is_not_found_and_named(auth_client):
    event = EventFactory()

    created = _send(auth_client, "POST", ORGANISER_EVENTS, _create_payload(themes=["finns-inte"]))
    patched = _send(auth_client, "PATCH", f"{ORGANISER_EVENTS}/{event.id}", {"themes": ["finns-inte"]})

    assert (created.status_code, patched.status_code) == (404, 404)
    assert "finns-inte" in created.json()["detail"]
    assert "finns-inte" in patched.json()["detail"]
    assert Event.objects.count() == 1


def test_a_taken_theme_slug_is_a_conflict(auth_client):
    ThemeFactory(slug="finansiering")

    response = _send(auth_client, "POST", "/api/organiser/themes", {"slug": "finansiering", "name": "Finansiering"})

    assert response.status_code == 409
    assert "slug" in response.json()["detail"]


def test_cancelling_is_not_done_by_setting_the_status(auth_client):
    event = EventFactory()

    response = _send(auth_client, "PATCH", f"{ORGANISER_EVENTS}/{event.id}", {"status": "cancelled"})

    assert response.status_code == 422
    assert "status" in response.json()["detail"]
    event.refresh_from_db()
    assert event.status == "published"


def test_the_longest_description_the_document_allows_is_taken(auth_client):
    # 20,000 characters that JSON escapes to 12 bytes each: 240 KB, within the upload limit.
    description = "\U0001f600" * 20_000
    body = json.dumps(_create_payload(description=description))
    assert len(body.encode()) > 200_000

    response = auth_client.post(ORGANISER_EVENTS, body, content_type="application/json")

    assert response.status_code == 201, response.content[:300]
    assert Event.objects.get().description == description


# ---- The document states those rules ----


def test_the_document_gives_times_and_dates_their_format_and_range(client):
    document = _document(client)

    for schema_name in ("EventCreateIn", "EventPatchIn"):
        properties = _body_schema(document, schema_name)["properties"]
        for field in TIME_FIELDS:
            [time] = [branch for branch in _branches(properties[field]) if branch.get("type") == "string"]
            assert time["format"] == "date-time", (schema_name, field)
            assert time["pattern"].startswith("^(19|2[0-9])[0-9]{2}-"), (schema_name, field)
    parameters = {p["name"]: p for p in document["paths"]["/api/events"]["get"]["parameters"]}
    for name in ("from", "to"):
        [day] = [branch for branch in _branches(parameters[name]["schema"]) if branch.get("type") == "string"]
        assert (day["format"], day["pattern"]) == ("date", "^(19|2[0-9])[0-9]{2}-[0-9]{2}-[0-9]{2}$")
    assert "starts_at" in _body_schema(document, "EventCreateIn")["properties"]["ends_at"]["description"]


def test_the_document_lists_the_codes_a_meeting_takes(client):
    properties = _body_schema(_document(client), "EventCreateIn")["properties"]

    [municipality] = [branch for branch in _branches(properties["municipality"]) if branch.get("type") == "string"]
    assert set(municipality["enum"]) == {
        "Eskilstuna", "Flen", "Gnesta", "Katrineholm", "Nyköping", "Oxelösund", "Strängnäs", "Trosa", "Vingåker",
        "Annan", "",
    }  # fmt: skip
    assert properties["status"]["enum"] == ["draft", "published"]
    [capacity] = [branch for branch in _branches(properties["capacity"]) if branch.get("type") == "integer"]
    assert (capacity["minimum"], capacity["maximum"]) == (1, 100_000)
    assert properties["reminder_minutes_before"]["items"]["minimum"] == 1


def test_the_document_does_not_let_a_change_empty_what_cannot_be_empty(client):
    properties = _body_schema(_document(client), "EventPatchIn")["properties"]

    for field in ("title", "kind", "themes", "audience", "starts_at", "ends_at", "reminder_minutes_before", "status"):
        assert {"type": "null"} not in _branches(properties[field]), field
    for field in ("description", "capacity", "location", "online_url", "municipality", "registration_opens_at"):
        assert {"type": "null"} in _branches(properties[field]), field


def test_the_document_lists_every_answer_of_the_meetings_operations(client):
    paths = _document(client)["paths"]
    documented = {
        (method.upper(), path): set(operation["responses"])
        for path, operations in paths.items()
        for method, operation in operations.items()
    }

    assert documented[("POST", ORGANISER_EVENTS)] == {"201", "400", "401", "403", "404", "409", "413", "422"}
    assert documented[("PATCH", f"{ORGANISER_EVENTS}/{{event_id}}")] == {
        "200", "400", "401", "403", "404", "409", "413", "422",
    }  # fmt: skip
    assert documented[("POST", f"{ORGANISER_EVENTS}/{{event_id}}/duplicate")] == {
        "201", "400", "401", "403", "404", "413", "422",
    }  # fmt: skip
    assert documented[("POST", "/api/organiser/themes")] == {"201", "400", "401", "403", "409", "413", "422"}
    assert documented[("GET", "/api/events")] == {"200", "422"}
    assert documented[("GET", f"{ORGANISER_EVENTS}/{{event_id}}")] == {"200", "401", "403", "404", "422"}
    for operation in paths[f"{ORGANISER_EVENTS}/{{event_id}}"].values():
        assert operation["responses"]["404"]["content"]["application/json"]["schema"] == {
            "$ref": "#/components/schemas/ErrorOut"
        }


def test_times_in_answers_are_in_the_site_zone_whatever_offset_was_sent(auth_client):
    starts = datetime(_year(), 1, 10, 16, 0, tzinfo=UTC)

    response = _send(
        auth_client,
        "POST",
        ORGANISER_EVENTS,
        _create_payload(starts_at=starts.isoformat(), ends_at=(starts + timedelta(hours=2)).isoformat()),
    )

    assert response.status_code == 201, response.content
    assert response.json()["starts_at"] == f"{_year()}-01-10T17:00:00+01:00"
