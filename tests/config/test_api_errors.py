"""The API's errors as a caller reads them: always {"detail": "..."} in the request's language
(Accept-Language, or the site's language cookie; Swedish by default), naming the field, and
never Python's own words (a repr, an exception's text), with DEBUG on or off."""

import json

import pytest
from django.db import DataError, IntegrityError
from django.test import Client

from registrations.models import Registration
from tests.factories import EventFactory, RegistrationFactory, signup_payload

pytestmark = pytest.mark.django_db

# What Python's or pydantic's own words look like inside a message.
PYTHON_WORDS = ("[{", "{'", "'loc'", "Traceback", "Value error", "Input should", "String should", "Not Found:")


def _signup(client, body, **headers):
    data = body if isinstance(body, bytes | str) else json.dumps(body)
    return client.post("/api/signups", data, content_type="application/json", headers=headers)


def _assert_clean(response, status: int):
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    detail = response.json()["detail"]
    assert isinstance(detail, str) and detail
    assert not [words for words in PYTHON_WORDS if words in detail], detail
    return detail


@pytest.fixture(params=[False, True], ids=["debug-off", "debug-on"])
def debug(request, settings):
    settings.DEBUG = request.param
    return request.param


def test_an_error_is_in_swedish_by_default_and_says_so(client, open_event, debug):
    response = _signup(client, signup_payload([open_event.id], consent=False))

    assert _assert_clean(response, 422) == "consent: Samtycke till integritetsmeddelandet krävs."
    assert response["Content-Language"] == "sv"
    assert "Accept-Language" in response["Vary"]


def test_an_error_is_in_english_when_the_caller_asks_for_english(client, open_event):
    response = _signup(client, signup_payload([open_event.id], consent=False), **{"Accept-Language": "en-GB,en;q=0.8"})

    assert _assert_clean(response, 422) == "consent: Consent to the privacy notice is required."
    assert response["Content-Language"] == "en"


def test_a_language_the_site_lacks_gives_swedish(client, open_event):
    response = _signup(client, signup_payload([open_event.id], consent=False), **{"Accept-Language": "de"})

    assert response["Content-Language"] == "sv"
    assert "Samtycke" in response.json()["detail"]


def test_the_language_cookie_of_the_sites_switch_counts(open_event, settings):
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    response = _signup(client, signup_payload([open_event.id], consent=False))

    assert response["Content-Language"] == "en"


@pytest.mark.parametrize(
    "changes, swedish, english",
    [
        ({"name": ""}, "name: Måste vara minst 1 tecken långt.", "name: Must be at least 1 character long."),
        (
            {"name": "x" * 201},
            "name: Får vara högst 200 tecken långt.",
            "name: Must be at most 200 characters long.",
        ),
        ({"email": None}, "email: Detta fält måste fyllas i.", "email: This field is required."),
        ({"consent": "yes"}, "consent: Måste vara true eller false.", "consent: Must be true or false."),
        ({"event_ids": ["one"]}, "event_ids.0: Måste vara ett heltal.", "event_ids.0: Must be a whole number."),
        (
            {"gender": "unknown"},
            "gender: Måste vara en av: woman, man, other, unstated.",
            "gender: Must be one of: woman, man, other, unstated.",
        ),
        (
            {"event_ids": list(range(51))},
            "event_ids: Får ha högst 50 poster.",
            "event_ids: Must have at most 50 items.",
        ),
        ({"nickname": "Ann"}, "nickname: Okänt fält.", "nickname: Unknown field."),
        ({"name": "Anna\nAndersson"}, "name: Får bara vara en rad, utan styrtecken.", "name: Must be a single line"),
    ],
    ids=[
        "too-short",
        "too-long",
        "missing",
        "not-a-boolean",
        "not-a-number",
        "not-a-choice",
        "too-many",
        "unknown",
        "line-break",
    ],
)
def test_validation_messages_are_translated_and_name_the_field(client, open_event, changes, swedish, english):
    payload = {key: value for key, value in {**signup_payload([open_event.id]), **changes}.items() if value is not None}

    in_swedish = _assert_clean(_signup(client, payload), 422)
    in_english = _assert_clean(_signup(client, payload, **{"Accept-Language": "en"}), 422)

    assert in_swedish.startswith(swedish.rstrip("."))
    assert in_english.startswith(english.rstrip("."))
    assert _signup(client, payload).json()["errors"][0]["field"] == swedish.split(":")[0]
    assert not Registration.objects.exists()


def test_a_rule_of_the_whole_body_is_translated(client):
    response = _signup(client, signup_payload([]))

    assert _assert_clean(response, 422) == "Välj minst en träff (event_ids) eller ett tema (theme_interests)."


@pytest.mark.parametrize(
    "body",
    [b'{"name": "Anna\x00"}', b'{"name": "Anna\\u0000"}', b'{"\\u0000": 1}'],
    ids=["raw-nul", "escaped-nul", "nul-in-a-key"],
)
def test_a_body_with_a_nul_is_a_clean_400(client, body, debug):
    response = _signup(client, body)

    assert _assert_clean(response, 400) in (
        "Texten får inte innehålla NUL-tecken.",
        "Begärans innehåll är inte giltig JSON.",
    )


@pytest.mark.parametrize("body", [b"{not json", b'{"name": ', b"\xff\xfe", b'"unterminated'])
def test_a_body_that_is_not_json_is_a_clean_400(client, body, debug):
    response = _signup(client, body, **{"Accept-Language": "en"})

    assert _assert_clean(response, 400) == "The request body is not valid JSON."


def test_not_found_is_translated_whatever_debug_says(client, debug):
    assert _assert_clean(client.get("/api/events/987654"), 404) == "Hittades inte."
    assert _assert_clean(client.get("/api/registrations/nonsense"), 404) == "Hittades inte."
    assert _assert_clean(client.get("/api/events/987654", headers={"Accept-Language": "en"}), 404) == "Not found."


def test_a_path_under_the_api_that_nothing_serves_is_a_json_404(client):
    assert _assert_clean(client.get("/api/no-such-thing"), 404) == "Hittades inte."


def test_a_method_a_path_lacks_is_a_json_405_with_allow(client):
    response = client.delete("/api/signups")

    assert _assert_clean(response, 405) == "Metoden är inte tillåten: använd POST."
    assert response["Allow"] == "POST"


def test_authentication_errors_are_translated(client, open_event):
    response = client.get("/api/organiser/events", headers={"Accept-Language": "en"})
    assert _assert_clean(response, 401) == "Authentication required: a valid Bearer token or a logged-in session."

    swedish = _assert_clean(client.get(f"/api/organiser/events/{open_event.id}/registrations"), 401)
    assert swedish.startswith("Inloggning krävs")


def test_a_session_write_without_its_csrf_token_is_a_translated_403(organiser):
    client = Client(enforce_csrf_checks=True)
    client.force_login(organiser)

    response = client.post("/api/organiser/themes", {"slug": "x", "name": "X"}, content_type="application/json")

    assert _assert_clean(response, 403).startswith("CSRF-kontrollen misslyckades")


def test_domain_conflicts_are_translated(auth_client, open_event):
    registration = RegistrationFactory(event=open_event)
    auth_client.post(f"/api/organiser/registrations/{registration.id}/cancel")

    response = auth_client.post(
        f"/api/organiser/registrations/{registration.id}/cancel", headers={"Accept-Language": "sv"}
    )

    assert _assert_clean(response, 409) == "Anmälan är redan avbokad."


def test_an_unknown_report_format_is_a_translated_404(auth_client):
    response = auth_client.get("/api/reports/progress.odt?from=2026-01-01&to=2026-06-30")

    assert _assert_clean(response, 404) == "Okänt format: använd docx, pdf, xlsx eller csv."


def test_an_oversized_body_is_a_translated_413(client, settings):
    body = json.dumps(signup_payload([1], organisation="x" * settings.DATA_UPLOAD_MAX_MEMORY_SIZE))

    assert _assert_clean(_signup(client, body), 413) == "Begärans innehåll är för stort."


def test_a_meeting_that_does_not_exist_is_404_naming_it(client):
    EventFactory()

    detail = _assert_clean(_signup(client, signup_payload([987654])), 404)

    assert "987654" in detail


@pytest.mark.parametrize(
    "error, status, detail",
    [
        (
            IntegrityError("NOT NULL constraint failed: registrations_registration.attended"),
            422,
            "attended: Värdet går inte att spara.",
        ),
        (
            IntegrityError('null value in column "attended" of relation "x" violates not-null constraint'),
            422,
            "attended: Värdet går inte att spara.",
        ),
        (DataError("value out of range"), 422, "Värdet går inte att spara."),
        (
            IntegrityError("UNIQUE constraint failed: registrations_registration.email"),
            409,
            "Det här är redan upptaget.",
        ),
    ],
    ids=["sqlite-not-null", "postgresql-not-null", "data-error", "unique"],
)
def test_a_database_refusing_input_is_a_4xx_naming_the_column_not_a_500(
    auth_client, open_event, monkeypatch, error, status, detail
):
    # The last line of defence, for a rule the schemas would have missed.
    def refused(**kwargs):
        raise error

    monkeypatch.setattr("registrations.api.registration_set_attendance", refused)
    registration = RegistrationFactory(event=open_event)

    response = auth_client.post(
        f"/api/organiser/registrations/{registration.id}/attendance",
        {"attended": True},
        content_type="application/json",
    )

    assert _assert_clean(response, status) == detail


def test_a_value_that_must_be_unique_and_is_taken_is_a_409_naming_it(auth_client):
    theme = {"slug": "iop", "name": "IOP"}
    assert auth_client.post("/api/organiser/themes", theme, content_type="application/json").status_code == 201

    response = auth_client.post("/api/organiser/themes", theme, content_type="application/json")

    assert _assert_clean(response, 409).startswith("slug: ")
