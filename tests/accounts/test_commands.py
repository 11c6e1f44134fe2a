from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.test import Client

from accounts.auth import is_organiser
from accounts.services import organiser_create
from tests.factories import EventFactory

pytestmark = pytest.mark.django_db


def _create_token(*args) -> str:
    out = StringIO()
    call_command("create_api_token", *args, stdout=out)
    return out.getvalue().strip().splitlines()[-1]


def _authenticates(token: str) -> bool:
    client = Client(headers={"Authorization": f"Bearer {token}"})
    return client.get("/api/organiser/events").status_code == 200


def test_create_api_token_with_create_makes_an_organiser_and_prints_a_working_token():
    token = _create_token("projektledare", "--create")

    assert len(token) == 43 and " " not in token
    assert is_organiser(get_user_model().objects.get(username="projektledare"))
    assert _authenticates(token)


def test_create_api_token_for_an_existing_organiser_adds_a_second_token():
    organiser_create(username="coach")

    first, second = _create_token("coach"), _create_token("coach")

    assert first != second
    assert _authenticates(first) and _authenticates(second)


def test_create_api_token_for_an_unknown_user_without_create_fails():
    with pytest.raises(CommandError, match="--create"):
        call_command("create_api_token", "nobody", stdout=StringIO())

    assert not get_user_model().objects.filter(username="nobody").exists()


def test_create_api_token_for_a_non_organiser_needs_create():
    get_user_model().objects.create_user("plain")

    with pytest.raises(CommandError):
        call_command("create_api_token", "plain", stdout=StringIO())
    token = _create_token("plain", "--create")

    assert _authenticates(token)


def test_create_api_token_for_a_helper_marks_attendance_but_cannot_create_meetings():
    token = _create_token("dorrvakt", "--create", "--helper")
    helper = get_user_model().objects.get(username="dorrvakt")
    client = Client(headers={"Authorization": f"Bearer {token}"})

    assert not is_organiser(helper)
    assert not helper.is_staff
    assert client.post("/api/organiser/events", {}, content_type="application/json").status_code == 403
    event = EventFactory()
    assert client.get(f"/api/organiser/events/{event.id}/registrations").status_code == 200
