"""Guessing passwords: the workspace and admin logins lock a user name at a client address
after LOGIN_FAILURE_LIMIT failures for LOGIN_LOCKOUT_MINUTES, without trusting a forged
X-Forwarded-For; a successful login clears the count."""

import re
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.test import Client
from django.utils import timezone

pytestmark = pytest.mark.django_db

WORKSPACE_LOGIN = "/arrangor/logga-in/"
ADMIN_LOGIN = "/admin/login/"
PASSWORD = "not-a-real-password"


def _login(client, password, *, url=WORKSPACE_LOGIN, username="organiser", **extra):
    return client.post(url, {"username": username, "password": password}, **extra)


def _fail(client, times, **kwargs):
    return [_login(client, "wrong", **kwargs).status_code for _ in range(times)]


def test_the_policy_is_five_failures_for_fifteen_minutes_per_user_name_and_address():
    assert settings.AXES_FAILURE_LIMIT == 5
    assert settings.AXES_COOLOFF_TIME == timedelta(minutes=15)
    assert settings.AXES_LOCKOUT_PARAMETERS == [["username", "ip_address"]]
    assert settings.AXES_RESET_ON_SUCCESS is True


def test_the_fifth_wrong_password_locks_the_workspace_login(organiser):
    client = Client(REMOTE_ADDR="192.0.2.10")

    assert _fail(client, 4) == [200] * 4
    locked = _login(client, "wrong")

    assert locked.status_code == 429
    assert int(locked["Retry-After"]) == pytest.approx(15 * 60, abs=5)
    html = locked.content.decode()
    until = timezone.localtime(timezone.now() + timedelta(minutes=15))
    assert until.strftime("%H:") in html  # "try again after HH:MM"
    assert "<script" not in html and not re.search(r"\sstyle\s*=", html)
    assert "Content-Security-Policy" in locked
    # Now even the right password is refused from here, and nobody is logged in.
    assert _login(client, PASSWORD).status_code == 429
    assert client.get("/arrangor/").status_code == 302


def test_the_lock_holds_the_pair_only_and_ends_after_the_cool_off(organiser):
    attacker = Client(REMOTE_ADDR="192.0.2.10")
    _fail(attacker, 5)

    # The organiser at the office is not locked out by someone typing their name elsewhere.
    assert _login(Client(REMOTE_ADDR="198.51.100.7"), PASSWORD).status_code == 302
    # Nor is another user name from the attacker's address.
    assert _login(attacker, "wrong", username="someone-else").status_code == 200

    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=16))
    assert _login(attacker, PASSWORD).status_code == 302


def test_a_successful_login_clears_the_count(organiser):
    client = Client(REMOTE_ADDR="192.0.2.10")
    _fail(client, 4)
    assert _login(client, PASSWORD).status_code == 302
    client.post("/arrangor/logga-ut/")

    assert _fail(client, 4) == [200] * 4
    assert _login(client, PASSWORD).status_code == 302


def test_a_forged_x_forwarded_for_does_not_reset_the_count(organiser):
    client = Client(REMOTE_ADDR="192.0.2.10")
    statuses = [
        _login(client, "wrong", HTTP_X_FORWARDED_FOR=f"203.0.113.{i}", HTTP_X_REAL_IP=f"203.0.113.{i}").status_code
        for i in range(5)
    ]

    assert statuses == [200, 200, 200, 200, 429]
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"192.0.2.10"}


def test_behind_a_trusted_proxy_its_header_names_the_client(organiser, settings):
    settings.CLIENT_IP_META_KEY = "HTTP_X_FORWARDED_FOR"
    proxy = Client(REMOTE_ADDR="10.0.0.2")
    # The proxy appends the address it saw; what the client put before it counts for nothing.
    for i in range(5):
        _login(proxy, "wrong", HTTP_X_FORWARDED_FOR=f"1.1.1.{i}, 192.0.2.10")

    assert _login(proxy, PASSWORD, HTTP_X_FORWARDED_FOR="192.0.2.10").status_code == 429
    assert _login(proxy, PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.7").status_code == 302
    # A malformed header falls back to the proxy's address instead of failing the request.
    assert _login(Client(REMOTE_ADDR="10.0.0.3"), "wrong", HTTP_X_FORWARDED_FOR="junk").status_code == 200
    assert AccessAttempt.objects.filter(ip_address="10.0.0.3").exists()


def test_the_admin_login_is_locked_the_same_way(organiser):
    client = Client(REMOTE_ADDR="192.0.2.10")

    assert _fail(client, 4, url=ADMIN_LOGIN) == [200] * 4
    assert _login(client, "wrong", url=ADMIN_LOGIN).status_code == 429
    assert _login(client, PASSWORD, url=ADMIN_LOGIN).status_code == 429
    # Failures at either login count together: the workspace login is locked as well.
    assert _login(client, PASSWORD).status_code == 429


def test_the_lockout_page_speaks_swedish_first_and_english_under_en(organiser):
    client = Client(REMOTE_ADDR="192.0.2.10")
    _fail(client, 5)

    swedish = _login(client, "wrong")
    english = _login(client, "wrong", url="/en" + WORKSPACE_LOGIN)

    assert swedish.status_code == english.status_code == 429
    assert '<html lang="sv">' in swedish.content.decode()
    assert '<html lang="en">' in english.content.decode()
    assert "Try again after" in english.content.decode()
