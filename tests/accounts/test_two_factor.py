"""Optional two-factor login: turning it on and off from the workspace, the code step after
the password, backup codes, the admin login, and sessions that never gave a code."""

import re

import pytest
from django.test import Client
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.two_factor import two_factor_enabled
from workspace.security import PENDING_KEY

from .conftest import app_code, totp_device, wait_out_throttle

pytestmark = pytest.mark.django_db

PASSWORD = "not-a-real-password"


def _password_step(client, *, next_url=""):
    data = {"username": "organiser", "password": PASSWORD}
    if next_url:
        data["next"] = next_url
    return client.post("/arrangor/logga-in/", data)


def _assert_no_inline_code(html: str):
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)
    assert not re.search(r"\son[a-z]+\s*=", html)
    assert not re.search(r"\sstyle\s*=", html)
    assert "javascript:" not in html


# ---- Turning it on and off ----


def test_an_organiser_turns_two_factor_login_on_with_a_code_from_the_app(organiser_client, organiser):
    page = organiser_client.get("/arrangor/sakerhet/")
    assert page.status_code == 200
    assert b'href="/arrangor/sakerhet/"' in page.content  # the nav link

    assert organiser_client.post("/arrangor/sakerhet/tvastegsinloggning/starta/").status_code == 302
    setup = organiser_client.get("/arrangor/sakerhet/tvastegsinloggning/")
    html = setup.content.decode()
    assert setup.status_code == 200
    assert "<svg" in html and "<title>" in html  # the QR code, inline
    _assert_no_inline_code(html)
    pending = TOTPDevice.objects.get(user=organiser, confirmed=False)

    wrong = organiser_client.post("/arrangor/sakerhet/tvastegsinloggning/", {"code": "000000"})
    assert wrong.status_code == 400
    assert not two_factor_enabled(organiser)
    wait_out_throttle()

    done = organiser_client.post("/arrangor/sakerhet/tvastegsinloggning/", {"code": app_code(pending)})
    assert done.status_code == 200
    assert done["Cache-Control"].startswith("max-age=0") and "no-store" in done["Cache-Control"]
    codes = re.findall(r"<li><code>([a-z2-7]{8})</code></li>", done.content.decode())
    assert len(codes) == 10
    assert sorted(codes) == sorted(StaticToken.objects.filter(device__user=organiser).values_list("token", flat=True))
    assert two_factor_enabled(organiser)
    # The session that turned it on stays logged in (it just gave a code).
    assert organiser_client.get("/arrangor/").status_code == 200


def test_turning_it_off_needs_a_valid_code(organiser_client, two_factor_organiser):
    device = totp_device(two_factor_organiser)
    client = Client()
    _password_step(client)
    client.post("/arrangor/logga-in/kod/", {"code": app_code(device)})

    refused = client.post("/arrangor/sakerhet/tvastegsinloggning/stang-av/", {"code": "123456"})
    assert refused.status_code == 400
    assert two_factor_enabled(two_factor_organiser)
    wait_out_throttle()

    turned_off = client.post("/arrangor/sakerhet/tvastegsinloggning/stang-av/", {"code": app_code(device)})
    assert turned_off.status_code == 302
    assert not two_factor_enabled(two_factor_organiser)
    assert not StaticToken.objects.filter(device__user=two_factor_organiser).exists()
    # Logging in is back to the password alone.
    assert _password_step(Client())["Location"] == "/arrangor/"


def test_new_backup_codes_replace_the_old_ones(two_factor_organiser):
    client = Client()
    _password_step(client)
    client.post("/arrangor/logga-in/kod/", {"code": app_code(totp_device(two_factor_organiser))})

    response = client.post("/arrangor/sakerhet/reservkoder/", {"code": app_code(totp_device(two_factor_organiser))})

    codes = re.findall(r"<li><code>([a-z2-7]{8})</code></li>", response.content.decode())
    assert len(codes) == 10 and not set(codes) & set(two_factor_organiser.backup_codes)


def test_the_security_page_is_for_workspace_users(client, helper_client, django_user_model):
    assert helper_client.get("/arrangor/sakerhet/").status_code == 200
    assert client.get("/arrangor/sakerhet/").status_code == 302
    plain = Client()
    plain.force_login(django_user_model.objects.create_user("plain", password=PASSWORD))
    assert plain.get("/arrangor/sakerhet/").status_code == 403


# ---- Logging in ----


def test_with_two_factor_the_password_alone_logs_nobody_in(two_factor_organiser):
    client = Client()

    response = _password_step(client, next_url="/arrangor/teman/")

    assert response.status_code == 302 and response["Location"] == "/arrangor/logga-in/kod/"
    assert "_auth_user_id" not in client.session
    assert client.get("/arrangor/").status_code == 302
    assert client.get("/api/organiser/events").status_code == 401
    page = client.get("/arrangor/logga-in/kod/")
    assert page.status_code == 200
    _assert_no_inline_code(page.content.decode())


def test_the_code_after_the_password_logs_in_and_goes_where_asked(two_factor_organiser):
    client = Client()
    _password_step(client, next_url="/arrangor/teman/")

    wrong = client.post("/arrangor/logga-in/kod/", {"code": "000000"})
    assert wrong.status_code == 400
    assert "_auth_user_id" not in client.session
    wait_out_throttle()

    response = client.post("/arrangor/logga-in/kod/", {"code": app_code(totp_device(two_factor_organiser))})

    assert response.status_code == 302 and response["Location"] == "/arrangor/teman/"
    assert client.get("/arrangor/").status_code == 200
    assert PENDING_KEY not in client.session


def test_right_after_a_wrong_code_the_device_asks_to_wait(two_factor_organiser):
    # django-otp's own throttle, per device whatever the address: 1, 2, 4 ... s after each
    # wrong code. Meanwhile codes are not checked at all, so guessing gains nothing.
    client = Client()
    _password_step(client)
    client.post("/arrangor/logga-in/kod/", {"code": "000000"})

    response = client.post("/arrangor/logga-in/kod/", {"code": app_code(totp_device(two_factor_organiser))})

    assert response.status_code == 400
    assert "Wait 1 second" in response.content.decode() or "Vänta" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_code_is_accepted_once(two_factor_organiser):
    device = totp_device(two_factor_organiser)
    first = Client()
    _password_step(first)
    code = app_code(device)
    assert first.post("/arrangor/logga-in/kod/", {"code": code}).status_code == 302

    second = Client()
    _password_step(second)
    assert second.post("/arrangor/logga-in/kod/", {"code": code}).status_code == 400


def test_a_backup_code_works_once_instead_of_the_app(two_factor_organiser):
    code = two_factor_organiser.backup_codes[0]
    first = Client()
    _password_step(first)
    assert first.post("/arrangor/logga-in/kod/", {"code": code.upper()[:4] + " " + code[4:]}).status_code == 302

    second = Client()
    _password_step(second)
    assert second.post("/arrangor/logga-in/kod/", {"code": code}).status_code == 400
    assert StaticToken.objects.filter(device__user=two_factor_organiser).count() == 9


def test_the_code_step_expires(two_factor_organiser):
    client = Client()
    _password_step(client)
    session = client.session
    session[PENDING_KEY] = {**session[PENDING_KEY], "since": session[PENDING_KEY]["since"] - 301}
    session.save()

    response = client.post("/arrangor/logga-in/kod/", {"code": app_code(totp_device(two_factor_organiser))})

    assert response.status_code == 302 and response["Location"] == "/arrangor/logga-in/"
    assert "_auth_user_id" not in client.session


def test_the_code_step_without_a_password_goes_back_to_the_login(client):
    assert client.get("/arrangor/logga-in/kod/")["Location"] == "/arrangor/logga-in/"
    assert client.post("/arrangor/logga-in/kod/", {"code": "123456"})["Location"] == "/arrangor/logga-in/"


def test_wrong_codes_count_towards_the_lockout(two_factor_organiser):
    client = Client(REMOTE_ADDR="192.0.2.10")
    _password_step(client)

    statuses = []
    for _ in range(5):
        statuses.append(client.post("/arrangor/logga-in/kod/", {"code": "000000"}).status_code)
        wait_out_throttle()

    assert statuses == [400, 400, 400, 400, 429]
    # Locked: neither the right code nor the password gets in from here now.
    assert (
        client.post("/arrangor/logga-in/kod/", {"code": app_code(totp_device(two_factor_organiser))})["Location"]
        == "/arrangor/logga-in/"
    )
    assert _password_step(client).status_code == 429
    assert "_auth_user_id" not in client.session


def test_users_without_two_factor_log_in_with_the_password_alone(organiser):
    client = Client()
    response = _password_step(client)

    assert response.status_code == 302 and response["Location"] == "/arrangor/"
    assert client.get("/arrangor/").status_code == 200


def test_a_session_without_the_code_is_logged_out(two_factor_organiser):
    # E.g. a browser that was logged in before two-factor login was turned on elsewhere.
    client = Client()
    client.force_login(two_factor_organiser)

    assert client.get("/arrangor/").status_code == 302
    assert "_auth_user_id" not in client.session
    client.force_login(two_factor_organiser)
    assert client.get("/api/organiser/events").status_code == 401


# ---- Django admin ----


def _admin_login(client, **extra):
    return client.post("/admin/login/?next=/admin/", {"username": "organiser", "password": PASSWORD, **extra})


def test_the_admin_login_asks_users_with_two_factor_for_the_code(two_factor_organiser):
    client = Client()

    without = _admin_login(client)
    assert without.status_code == 200 and "_auth_user_id" not in client.session
    wrong = _admin_login(client, otp_token="000000")
    assert wrong.status_code == 200 and "_auth_user_id" not in client.session
    wait_out_throttle()

    response = _admin_login(client, otp_token=app_code(totp_device(two_factor_organiser)))
    assert response.status_code == 302 and response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_the_admin_login_works_as_before_without_two_factor(organiser):
    client = Client()
    page = client.get("/admin/login/")
    assert b'name="otp_token"' in page.content

    response = _admin_login(client)

    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200


def test_wrong_admin_codes_count_towards_the_lockout(two_factor_organiser):
    client = Client(REMOTE_ADDR="192.0.2.10")
    statuses = []
    for _ in range(5):
        statuses.append(_admin_login(client, otp_token="000000").status_code)
        wait_out_throttle()
    assert statuses == [200, 200, 200, 200, 429]


# ---- REQUIRE_ORGANISER_2FA ----


def test_when_required_organisers_must_turn_it_on_first(settings, organiser_client, helper_client):
    settings.REQUIRE_ORGANISER_2FA = True

    assert organiser_client.get("/arrangor/")["Location"] == "/arrangor/sakerhet/"
    assert organiser_client.get("/admin/")["Location"] == "/arrangor/sakerhet/"
    assert organiser_client.get("/arrangor/sakerhet/").status_code == 200
    assert organiser_client.post("/arrangor/sakerhet/tvastegsinloggning/starta/").status_code == 302
    assert organiser_client.get("/arrangor/sakerhet/tvastegsinloggning/").status_code == 200
    # Helpers at the door are not organisers: unaffected.
    assert helper_client.get("/arrangor/").status_code == 200


def test_when_required_a_verified_organiser_gets_in(settings, two_factor_organiser):
    settings.REQUIRE_ORGANISER_2FA = True
    client = Client()
    _password_step(client)
    client.post("/arrangor/logga-in/kod/", {"code": app_code(totp_device(two_factor_organiser))})

    assert client.get("/arrangor/").status_code == 200


def test_the_pending_device_is_not_a_second_factor_until_confirmed(organiser_client, organiser):
    organiser_client.post("/arrangor/sakerhet/tvastegsinloggning/starta/")
    assert TOTPDevice.objects.filter(user=organiser, confirmed=False).exists()

    # Still password only: an unconfirmed app does not lock the organiser out.
    assert _password_step(Client())["Location"] == "/arrangor/"
