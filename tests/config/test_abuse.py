"""Abuse cases against the real endpoints, in one place: oversized bodies, line breaks in
header-bound fields, forged tokens, id probing by the wrong role, script in every free-text
field, and formulas in every export. Organiser endpoints are read from the OpenAPI document,
so a new endpoint is covered (and must be placed in HELPER_MAY_USE to be a helper's) without
touching this file."""

import csv
import io
import json
import re
from datetime import timedelta

import openpyxl
import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from accounts.services import api_token_create, helper_create
from events.models import Event
from notifications.emails import build
from notifications.feeds import feed_url
from notifications.models import Message
from notifications.services import announcement_send
from registrations.models import Registration
from registrations.services import signup_create
from tests.factories import EventFactory, RegistrationFactory, ThemeFactory, person, signup_form_data, signup_payload

pytestmark = pytest.mark.django_db

SIGNUP_FORM = "/anmalan/"
MISSING_ID = 987_654


def _openapi(client) -> dict:
    return client.get("/api/openapi.json").json()


def _organiser_operations(client) -> list[tuple[str, str, dict]]:
    """(METHOD, path template, operation) of every organiser-only or helper endpoint."""
    return [
        (method.upper(), path, operation)
        for path, operations in _openapi(client)["paths"].items()
        for method, operation in operations.items()
        if operation.get("security")
    ]


def _fill(path: str, ident: int) -> str:
    return re.sub(r"\{[a-z_]+\}", str(ident), path)


def _call(client, method: str, path: str, body=None, **extra):
    kwargs = {"content_type": "application/json"} if method in ("POST", "PATCH", "PUT") else {}
    data = json.dumps(body if body is not None else {}) if kwargs else None
    return client.generic(method, path, data or "", **kwargs, **extra)


# ---- Oversized bodies ----


def test_the_upload_limit_is_512_kib():
    # Above any body the API's document allows (tests/config/test_api_document.py), for forms too.
    assert settings.DATA_UPLOAD_MAX_MEMORY_SIZE == 512 * 1024


def test_every_api_body_over_the_limit_is_413_json(client, auth_client, open_event):
    registration = RegistrationFactory(event=open_event)
    big = {"name": "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)}
    with_body = [
        (method, path)
        for path, operations in _openapi(client)["paths"].items()
        for method, operation in operations.items()
        if operation.get("requestBody")
    ]
    assert ("post", "/api/signups") in with_body

    for method, path in with_body:
        ident = registration.id if "registration_id" in path else open_event.id
        response = _call(auth_client, method.upper(), _fill(path, ident), big)
        assert response.status_code == 413, (method, path, response.status_code)
        assert response["Content-Type"].startswith("application/json")
        assert response.json()["detail"]
    assert Registration.objects.count() == 1
    assert Event.objects.count() == 1


def test_an_oversized_signup_form_is_a_client_error_and_saves_nothing(client, open_event):
    oversized = "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)
    body = {"event": str(open_event.id), "name": "Anna", "organisation": oversized, "consent": "on"}

    response = client.post(f"{SIGNUP_FORM}?event={open_event.id}", body)

    assert response.status_code == 400
    assert not Registration.objects.exists()


def test_ten_thousand_characters_are_refused_not_a_server_error(client, open_event):
    for field in ("name", "organisation", "email", "municipality"):
        payload = signup_payload([open_event.id], **{field: "A" * 10_000})
        response = client.post("/api/signups", payload, content_type="application/json")
        assert response.status_code == 422, field
    assert not Registration.objects.exists()


# ---- Line breaks in fields that end up in mail headers and invites ----

LINE_BREAKS = ["\r\nBcc: everyone@example.org", "\n", "\r", "\u2028", "\u0085", "\x1b"]
API_TEXT_FIELDS = ["name", "email", "organisation", "municipality"]


@pytest.mark.parametrize("field", API_TEXT_FIELDS)
@pytest.mark.parametrize("breaker", LINE_BREAKS, ids=repr)
def test_line_breaks_in_any_api_signup_field_are_422_and_nothing_is_stored(client, open_event, field, breaker):
    payload = signup_payload([open_event.id])
    payload[field] = payload[field][:3] + breaker + payload[field][3:]

    response = client.post("/api/signups", payload, content_type="application/json")

    assert response.status_code == 422
    assert field in response.json()["detail"]
    assert not Registration.objects.exists()
    assert not Message.objects.exists()


@pytest.mark.parametrize("field", ["name", "email", "organisation"])
@pytest.mark.parametrize("breaker", LINE_BREAKS, ids=repr)
def test_line_breaks_in_any_signup_form_field_are_a_form_error(client, open_event, field, breaker):
    body = signup_form_data([open_event.id])
    body[field] = body[field][:3] + breaker + body[field][3:]

    response = client.post(f"{SIGNUP_FORM}?event={open_event.id}", body)

    assert response.status_code in (200, 400)
    assert field in response.context["form"].errors
    assert not Registration.objects.exists()


def test_nul_characters_are_refused_before_any_database_sees_them(client, auth_client, open_event):
    # PostgreSQL cannot store or compare text with NUL; SQLite would keep it. Either way: 4xx.
    body = signup_payload([open_event.id], name="Anna\x00")
    assert client.post("/api/signups", body, content_type="application/json").status_code == 400
    theme = {"slug": "nul", "name": "Tema\x00"}
    assert auth_client.post("/api/organiser/themes", theme, content_type="application/json").status_code == 400
    assert client.get("/api/events?theme=%00").status_code == 422
    assert client.get("/api/events?municipality=Flen%00").status_code == 422
    assert client.get(f"{SIGNUP_FORM}?event={open_event.id}&q=%00").status_code < 500
    form = {"event": str(open_event.id), "name": "Anna\x00", "email": "a@example.org", "consent": "on"}
    assert client.post(f"{SIGNUP_FORM}?event={open_event.id}", form).status_code in (200, 400)
    assert not Registration.objects.exists()


@pytest.mark.parametrize("field", ["name", "organisation", "email"])
def test_line_breaks_in_a_registration_added_by_the_organiser_are_422(auth_client, open_event, field):
    payload = {"name": "Walk In", "email": "walk@example.org", "organisation": "Org", "attended": True}
    payload[field] = payload[field][:3] + "\r\nX-Evil: 1" + payload[field][3:]

    response = auth_client.post(
        f"/api/organiser/events/{open_event.id}/registrations", payload, content_type="application/json"
    )

    assert response.status_code == 422
    assert not Registration.objects.exists()


# ---- Forged tokens ----


def _altered(token: str) -> str:
    """The same token with its last character changed: right length and alphabet, wrong value."""
    return token[:-1] + ("A" if token[-1] != "A" else "B")


@pytest.fixture
def signed_up(open_event):
    [outcome] = signup_create(person=person(email="anna@example.org"), event_ids=[open_event.id])
    return outcome


@pytest.mark.parametrize("kind", ["random", "altered", "other-shape"])
def test_forged_manage_tokens_are_404_on_the_page_and_the_api(client, signed_up, kind):
    forged = {
        "random": "k2Vt3Yb8rQ1mZx9LwP4sN7cD6fG0hJ5aE_uIo-yTqRw",
        "altered": _altered(signed_up.manage_token),
        "other-shape": "../../admin",
    }[kind]

    assert client.get(f"/anmalan/{forged}/").status_code == 404
    assert client.post(f"/anmalan/{forged}/avboka/").status_code == 404
    assert client.get(f"/api/registrations/{forged}").status_code == 404
    assert client.post(f"/api/registrations/{forged}/cancel").status_code == 404
    # The real token still works, and nothing was cancelled by the attempts.
    assert client.get(f"/api/registrations/{signed_up.manage_token}").status_code == 200


def test_forged_calendar_feed_tokens_are_404(client, signed_up):
    real = feed_url("anna@example.org").removeprefix(settings.SITE_URL)
    assert client.get(real).status_code == 200
    token = real.removeprefix("/kalender/").removesuffix(".ics")

    for forged in (_altered(token), "x" * len(token), "", signed_up.manage_token):
        assert client.get(f"/kalender/{forged}.ics").status_code == 404, forged


def test_forged_bearer_tokens_are_401_on_every_organiser_endpoint(client, api_token, open_event):
    for header in (f"Bearer {_altered(api_token)}", "Bearer " + "A" * 43, f"bearer{api_token}", f"Token {api_token}"):
        forged = Client(headers={"Authorization": header})
        for method, path, _operation in _organiser_operations(client):
            response = _call(forged, method, _fill(path, open_event.id))
            assert response.status_code == 401, (header[:12], method, path, response.status_code)


# ---- Probing ids with the wrong role ----

# What a helper at the door ("Värd") may use: the meetings (read only, accounts.auth.event_view_auth),
# the lists, attendance marks, walk-ins, no-shows and a registration's history
# (accounts.auth.attendance_auth). Everything else is organisers'.
HELPER_MAY_USE = {
    ("GET", "/api/organiser/events"),
    ("GET", "/api/organiser/events/{event_id}"),
    ("GET", "/api/organiser/events/{event_id}/registrations"),
    ("POST", "/api/organiser/events/{event_id}/registrations"),
    ("POST", "/api/organiser/registrations/{registration_id}/attendance"),
    ("POST", "/api/organiser/events/{event_id}/no-shows"),
    ("GET", "/api/organiser/registrations/{registration_id}/history"),
}


@pytest.fixture
def helper_token(db):
    return api_token_create(user=helper_create(username="dorr", password="not-a-real-password"))


@pytest.fixture
def plain_user_client(django_user_model):
    client = Client()
    client.force_login(django_user_model.objects.create_user("plain", password="not-a-real-password"))
    return client


def _probe(client, method, path, existing_id):
    """The answers for an existing and a missing id (one answer when the path takes none)."""
    if "{" not in path:
        return [_call(client, method, path)]
    return [_call(client, method, _fill(path, existing_id)), _call(client, method, _fill(path, MISSING_ID))]


def test_the_helper_list_names_real_endpoints(client):
    operations = {(method, path) for method, path, _ in _organiser_operations(client)}
    assert operations >= HELPER_MAY_USE


@pytest.mark.parametrize("as_helper", ["bearer", "session"])
def test_a_helper_gets_403_from_every_organiser_only_endpoint_whatever_the_id(
    client, helper_token, helper_client, open_event, as_helper
):
    registration = RegistrationFactory(event=open_event)
    helper = Client(headers={"Authorization": f"Bearer {helper_token}"}) if as_helper == "bearer" else helper_client
    before = (Event.objects.get().title, Event.objects.get().status, Registration.objects.get().status)

    for method, path, _operation in _organiser_operations(client):
        if (method, path) in HELPER_MAY_USE:
            continue
        existing = registration.id if "registration_id" in path else open_event.id
        answers = _probe(helper, method, path, existing)
        assert {response.status_code for response in answers} == {403}, (method, path)
        assert len({response.content for response in answers}) == 1, f"existence oracle: {method} {path}"

    assert (Event.objects.get().title, Event.objects.get().status, Registration.objects.get().status) == before


def test_a_logged_in_user_without_a_role_gets_401_everywhere_whatever_the_id(client, plain_user_client, open_event):
    registration = RegistrationFactory(event=open_event)

    for method, path, _operation in _organiser_operations(client):
        existing = registration.id if "registration_id" in path else open_event.id
        answers = _probe(plain_user_client, method, path, existing)
        assert {response.status_code for response in answers} == {401}, (method, path)
        assert len({response.content for response in answers}) == 1, f"existence oracle: {method} {path}"


def test_workspace_pages_with_ids_are_403_for_a_user_without_a_role_whatever_the_id(plain_user_client, open_event):
    from django.urls import URLPattern

    from workspace.urls import urlpatterns

    registration = RegistrationFactory(event=open_event)
    with_ids = [p for p in urlpatterns if isinstance(p, URLPattern) and "<int:" in str(p.pattern)]
    assert with_ids

    for pattern in with_ids:
        route = str(pattern.pattern)
        existing = re.sub(
            r"<int:(\w+)>", lambda m: str(registration.id if "registration" in m[1] else open_event.id), route
        )
        missing = re.sub(r"<int:\w+>", str(MISSING_ID), route)
        answers = [plain_user_client.get(f"/arrangor/{existing}"), plain_user_client.get(f"/arrangor/{missing}")]
        assert {response.status_code for response in answers} == {403}, route


# ---- Script in every free-text field ----

SCRIPT = "<script>alert('x')</script>"
IMG = '"><img src=x onerror=alert(1)>'


def _assert_escaped(html: str, where: str):
    assert SCRIPT not in html, where
    assert "<img src=x onerror" not in html, where
    assert "&lt;script&gt;" in html or "&lt;img" in html, f"the text should still be shown, escaped: {where}"


@pytest.fixture
def hostile(db, organiser):
    """A meeting, a theme, a registration and a message whose every free text is hostile."""
    theme = ThemeFactory(slug="xss", name=f"Tema {SCRIPT}", name_en=f"Theme {IMG}")
    event = EventFactory(
        title=f"Träff {SCRIPT}",
        location=f"Sal {IMG}",
        description=f'<p>Hej</p>{SCRIPT}<a href="javascript:alert(1)">x</a><img src=x onerror="alert(2)">',
        themes=[theme],
        capacity=10,
        starts_at=timezone.now() + timedelta(days=3),
        ends_at=timezone.now() + timedelta(days=3, hours=2),
    )
    [outcome] = signup_create(
        person=person(email="eve@example.org", name=f"Eve {SCRIPT}", organisation=f"Org {IMG}"),
        event_ids=[event.id],
    )
    announcement_send(
        event_id=event.id, subject=f"Ämne {SCRIPT}", body=f"Text {IMG}", audience="both", created_by=organiser
    )
    return event, outcome


def test_hostile_text_is_escaped_on_public_pages(client, hostile):
    event, outcome = hostile
    pages = ["/", f"/traffar/{event.id}/", f"{SIGNUP_FORM}?event={event.id}", f"/anmalan/{outcome.manage_token}/"]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        _assert_escaped(response.content.decode(), url)


def test_hostile_text_is_escaped_on_workspace_pages(organiser_client, hostile):
    event, outcome = hostile
    pages = [
        "/arrangor/",
        "/arrangor/teman/",
        f"/arrangor/traffar/{event.id}/",
        f"/arrangor/traffar/{event.id}/incheckning/",
        f"/arrangor/traffar/{event.id}/meddelande/",
        f"/arrangor/traffar/{event.id}/andra/",
        f"/arrangor/anmalan/{outcome.registration.id}/historik/",
    ]
    for url in pages:
        response = organiser_client.get(url)
        assert response.status_code == 200, url
        _assert_escaped(response.content.decode(), url)


def test_a_hostile_privacy_notice_is_escaped_on_the_sign_up_form_and_its_edit_page(
    client, organiser_client, organiser, hostile
):
    from registrations.personal_data.services import privacy_notice_update

    event, _outcome = hostile
    privacy_notice_update(text_sv=f"Text {SCRIPT}", text_en=f"Text {IMG}", by=organiser)

    for page_client, url in [
        (client, f"{SIGNUP_FORM}?event={event.id}"),
        (client, f"/en{SIGNUP_FORM}?event={event.id}"),
        (organiser_client, "/arrangor/integritet/"),
    ]:
        response = page_client.get(url)
        assert response.status_code == 200, url
        _assert_escaped(response.content.decode(), url)


def test_descriptions_are_sanitised_wherever_they_are_shown(client, hostile):
    event, _outcome = hostile
    html = client.get(f"/traffar/{event.id}/").content.decode()
    description = event.description

    assert "<p>Hej</p>" in html  # the harmless markup stays
    assert "javascript:" not in html
    assert not re.search(r"<[^>]+\son\w+\s*=", html), "an on* attribute survived"
    assert "alert(2)" not in html
    assert SCRIPT in description  # stored as written; cleaned when shown


def test_hostile_text_is_escaped_in_the_html_part_of_every_email(hostile):
    messages = list(Message.objects.all())
    assert len(messages) >= 2  # the confirmation and the organiser's message

    for message in messages:
        email = build(message)
        [(html, _mimetype)] = [alt for alt in email.alternatives if alt[1] == "text/html"]
        assert SCRIPT not in html and "<img src=x onerror" not in html, message.kind
        assert "javascript:" not in html, message.kind
        assert not re.search(r"<[^>]+\son\w+\s*=", html), message.kind


# ---- Formulas in exports ----

FORMULAS = ['=HYPERLINK("http://evil.example","klicka")', "+cmd|' /C calc'!A0", "-1+1", "@SUM(A1:A9)", "\t=1", " =1"]


def _dangerous(value) -> bool:
    return isinstance(value, str) and value.lstrip(" ")[:1] in ("=", "+", "-", "@", "\t", "\r")


def _csv_cells(content: bytes) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";") for cell in row]


def _xlsx_cells(content: bytes) -> list:
    workbook = openpyxl.load_workbook(io.BytesIO(content))
    return [cell.value for sheet in workbook.worksheets for row in sheet.iter_rows() for cell in row]


@pytest.fixture
def formula_records(db):
    """A held meeting whose title, theme, place and people are all formulas."""
    start = timezone.make_aware(timezone.datetime(2026, 3, 10, 13))
    theme = ThemeFactory(slug="formel", name=FORMULAS[1], name_en=FORMULAS[2])
    event = EventFactory(
        title=FORMULAS[0], location=FORMULAS[3], themes=[theme], starts_at=start, ends_at=start + timedelta(hours=2)
    )
    for i, text in enumerate(FORMULAS):
        RegistrationFactory(
            event=event, name=text, organisation=FORMULAS[-1 - i], email=f"p{i}@example.org", attended=True
        )
    return event


@pytest.mark.parametrize("extension", ["csv", "xlsx"])
def test_registration_exports_neutralise_formulas(auth_client, formula_records, extension):
    urls = [
        f"/api/organiser/events/{formula_records.id}/registrations.{extension}",
        f"/api/organiser/exports/registrations.{extension}?from=2026-03-01&to=2026-03-31",
    ]
    for url in urls:
        response = auth_client.get(url)
        assert response.status_code == 200, url
        cells = _csv_cells(response.content) if extension == "csv" else _xlsx_cells(response.content)
        assert any("HYPERLINK" in str(cell) for cell in cells), "the text is kept, made harmless"
        assert not [cell for cell in cells if _dangerous(cell)], url


@pytest.mark.parametrize("extension", ["csv", "xlsx"])
def test_report_figure_exports_neutralise_formulas(auth_client, formula_records, extension):
    response = auth_client.get(f"/api/reports/progress.{extension}?from=2026-03-01&to=2026-03-31")

    assert response.status_code == 200
    cells = _csv_cells(response.content) if extension == "csv" else _xlsx_cells(response.content)
    assert any("HYPERLINK" in str(cell) for cell in cells)
    assert not [cell for cell in cells if _dangerous(cell)]
