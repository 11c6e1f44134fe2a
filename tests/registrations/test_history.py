"""A registration's history: every service writes its lines in its own transaction, the
acting user is recorded from the API and the check-in page, and only workspace users read it."""

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from django.utils.translation import gettext

from accounts.services import api_token_create
from registrations.models import Registration, RegistrationChange
from registrations.selectors import registration_history
from registrations.services import (
    SignupRejected,
    attendance_mark_no_shows,
    registration_add_by_organiser,
    registration_cancel,
    registration_set_attendance,
    signup_create,
)
from tests.factories import EventFactory, RegistrationFactory, person

pytestmark = pytest.mark.django_db

Action = RegistrationChange.Action


def _actions(registration) -> list[tuple[str, object]]:
    return [(change.action, change.by) for change in registration_history(registration_id=registration.id)]


# ---- The services ----


def test_signup_writes_signed_up_or_waitlisted():
    roomy, full = EventFactory(capacity=5), EventFactory(capacity=1)
    RegistrationFactory(event=full)

    outcomes = signup_create(person=person(), event_ids=[roomy.id, full.id])

    assert [_actions(o.registration) for o in outcomes] == [[(Action.SIGNED_UP, None)], [(Action.WAITLISTED, None)]]


def test_signup_takes_the_lock_once_and_five_statements_per_meeting():
    """The lock, then per meeting: the address's registration, the seats taken, the new
    registration, its history line and its e-mail."""
    events = EventFactory.create_batch(3, capacity=5)

    with CaptureQueriesContext(connection) as one:
        signup_create(person=person(email="one@example.org"), event_ids=[events[0].id])
    with CaptureQueriesContext(connection) as three:
        signup_create(person=person(email="three@example.org"), event_ids=[event.id for event in events])

    assert Registration.objects.filter(email="three@example.org").count() == 3
    assert (_statements(one), _statements(three)) == (1 + 5, 1 + 3 * 5)


def _statements(queries: CaptureQueriesContext) -> int:
    return sum(not query["sql"].startswith(("SAVEPOINT", "RELEASE SAVEPOINT")) for query in queries)


def test_signup_already_registered_writes_nothing_new():
    event = EventFactory()
    signup_create(person=person(), event_ids=[event.id])

    signup_create(person=person(), event_ids=[event.id])

    assert RegistrationChange.objects.count() == 1


def test_rejected_signup_writes_no_history():
    open_event, cancelled = EventFactory(), EventFactory(status="cancelled")

    with pytest.raises(SignupRejected):
        signup_create(person=person(), event_ids=[open_event.id, cancelled.id])

    assert not RegistrationChange.objects.exists()


def test_rolled_back_signup_writes_no_history(monkeypatch):
    event = EventFactory()

    def broken(*args, **kwargs):
        raise RuntimeError("theme interests failed")

    monkeypatch.setattr("registrations.services.signups._themes_interest_add", broken)
    with pytest.raises(RuntimeError):
        signup_create(person=person(), event_ids=[event.id], theme_slugs=["iop"])

    assert not RegistrationChange.objects.exists()


def test_cancel_writes_cancelled_and_promotes_the_first_waiting(organiser):
    event = EventFactory(capacity=1)
    seated = signup_create(person=person("a@example.org"), event_ids=[event.id])[0].registration
    waiting = signup_create(person=person("b@example.org"), event_ids=[event.id])[0].registration

    registration_cancel(registration_id=seated.id, by=organiser)

    assert _actions(seated) == [(Action.SIGNED_UP, None), (Action.CANCELLED, organiser)]
    assert _actions(waiting) == [(Action.WAITLISTED, None), (Action.PROMOTED, organiser)]
    cancelled = RegistrationChange.objects.get(action=Action.CANCELLED)
    assert cancelled.detail == {"was_confirmed": True}


def test_self_service_cancel_and_promotion_have_no_user():
    event = EventFactory(capacity=1)
    seated = signup_create(person=person("a@example.org"), event_ids=[event.id])[0].registration
    waiting = signup_create(person=person("b@example.org"), event_ids=[event.id])[0].registration

    registration_cancel(registration_id=seated.id)

    [cancelled] = [c for c in registration_history(registration_id=seated.id) if c.action == Action.CANCELLED]
    [promoted] = [c for c in registration_history(registration_id=waiting.id) if c.action == Action.PROMOTED]
    with translation.override("sv"):  # the labels are compared in the users' language
        assert (cancelled.by, cancelled.by_label) == (None, gettext("the person themself"))
        assert (promoted.by, promoted.by_label) == (None, gettext("the system"))


def test_add_by_organiser_writes_added_and_attended(organiser):
    event = EventFactory(past=True)

    walk_in, _token = registration_add_by_organiser(event_id=event.id, person=person(), attended=True, by=organiser)
    phoned, _token = registration_add_by_organiser(event_id=event.id, person=person("p@example.org"), by=organiser)

    assert _actions(walk_in) == [(Action.ADDED_BY_ORGANISER, organiser), (Action.ATTENDED, organiser)]
    assert _actions(phoned) == [(Action.ADDED_BY_ORGANISER, organiser)]


def test_set_attendance_writes_each_mark_and_skips_repeats(helper):
    registration = RegistrationFactory(event=EventFactory(past=True))

    for attended in (True, True, None, False):
        registration_set_attendance(registration_id=registration.id, attended=attended, by=helper)

    assert _actions(registration) == [
        (Action.ATTENDED, helper),
        (Action.ATTENDANCE_UNDONE, helper),
        (Action.NO_SHOW, helper),
    ]


def test_attending_from_the_waiting_list_is_noted():
    registration = RegistrationFactory(event=EventFactory(past=True), status="waitlisted")

    registration_set_attendance(registration_id=registration.id, attended=True)

    change = RegistrationChange.objects.get()
    assert (change.action, change.detail) == (Action.ATTENDED, {"confirmed_from_waitlist": True})


def test_mark_no_shows_writes_one_line_for_each_marked(organiser):
    event = EventFactory(past=True)
    unmarked = RegistrationFactory.create_batch(3, event=event)
    came = RegistrationFactory(event=event, attended=True)
    RegistrationFactory(event=event, status="waitlisted")

    assert attendance_mark_no_shows(event_id=event.id, by=organiser) == 3
    assert attendance_mark_no_shows(event_id=event.id, by=organiser) == 0

    changes = RegistrationChange.objects.all()
    assert sorted(c.registration_id for c in changes) == sorted(r.id for r in unmarked)
    assert {(c.action, c.by) for c in changes} == {(Action.NO_SHOW, organiser)}
    assert _actions(came) == []


# ---- `by` from the API and the check-in page ----


def test_api_records_the_acting_user(auth_client, organiser):
    event = EventFactory(past=True)
    registration = RegistrationFactory(event=event)
    other = RegistrationFactory(event=event)

    auth_client.post(
        f"/api/organiser/registrations/{registration.id}/attendance",
        {"attended": True},
        content_type="application/json",
    )
    auth_client.post(f"/api/organiser/events/{event.id}/no-shows")
    auth_client.post(f"/api/organiser/registrations/{registration.id}/cancel")
    auth_client.post(
        f"/api/organiser/events/{event.id}/registrations",
        {"name": "Walk In", "attended": True},
        content_type="application/json",
    )

    assert _actions(registration) == [(Action.ATTENDED, organiser), (Action.CANCELLED, organiser)]
    assert _actions(other) == [(Action.NO_SHOW, organiser)]
    walk_in = RegistrationChange.objects.filter(action=Action.ADDED_BY_ORGANISER).get()
    assert walk_in.by == organiser


def test_checkin_page_records_the_helper(helper):
    event = EventFactory(past=True)
    registration = RegistrationFactory(event=event)
    client = Client()
    client.force_login(helper)
    base = f"/arrangor/traffar/{event.id}/incheckning"

    client.post(f"{base}/{registration.id}/", {"mark": "attended"})
    client.post(f"{base}/{registration.id}/", {"mark": "undo"})
    client.post(f"{base}/ny/", {"name": "Walk In", "municipality": "Flen"})
    client.post(f"{base}/uteblivna/", {})

    assert _actions(registration) == [
        (Action.ATTENDED, helper),
        (Action.ATTENDANCE_UNDONE, helper),
        (Action.NO_SHOW, helper),
    ]
    assert set(RegistrationChange.objects.values_list("by", flat=True)) == {helper.id}


# ---- Reading the history: page and API ----


def _history_page(registration) -> str:
    return f"/arrangor/anmalan/{registration.id}/historik/"


def test_history_page_shows_when_what_and_who(organiser):
    event = EventFactory(capacity=1)
    seated = signup_create(person=person("a@example.org"), event_ids=[event.id])[0].registration
    waiting = signup_create(person=person("b@example.org"), event_ids=[event.id])[0].registration
    registration_cancel(registration_id=seated.id)
    registration_set_attendance(registration_id=waiting.id, attended=True, by=organiser)
    client = Client()
    client.force_login(organiser)

    page = client.get(_history_page(waiting))
    meeting = client.get(f"/arrangor/traffar/{event.id}/")

    assert page.status_code == 200
    with translation.override("sv"):
        rows = [(str(c.get_action_display()), c.by_label) for c in page.context["changes"]]
        assert rows == [
            (str(Action.WAITLISTED.label), gettext("the person themself")),
            (str(Action.PROMOTED.label), gettext("the system")),
            (str(Action.ATTENDED.label), "organiser"),
        ]
        assert gettext("the system") in page.content.decode()
    assert _history_page(waiting) in meeting.content.decode()


def test_history_page_redirects_anonymous_and_refuses_users_without_a_role(client):
    registration = RegistrationFactory()
    nobody = Client()
    nobody.force_login(get_user_model().objects.create_user("someone", password="x"))

    anonymous = client.get(_history_page(registration))

    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith("/arrangor/logga-in/?next=")
    assert nobody.get(_history_page(registration)).status_code == 403


def test_helper_sees_the_history_page(helper):
    registration = RegistrationFactory()
    client = Client()
    client.force_login(helper)

    assert client.get(_history_page(registration)).status_code == 200
    assert client.get("/arrangor/anmalan/999999/historik/").status_code == 404


def test_history_page_queries_do_not_grow_with_the_history(organiser, helper):
    registration = RegistrationFactory(event=EventFactory(past=True))
    client = Client()
    client.force_login(organiser)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(_history_page(registration)).status_code == 200
        return len(queries)

    registration_set_attendance(registration_id=registration.id, attended=True, by=organiser)
    few = count()
    for attended in (None, False, True, None) * 5:
        registration_set_attendance(registration_id=registration.id, attended=attended, by=helper)

    assert count() == few


def test_history_api_for_organisers_and_helpers(auth_client, organiser, helper):
    registration = RegistrationFactory(event=EventFactory(past=True))
    registration_set_attendance(registration_id=registration.id, attended=False, by=organiser)
    helper_api = Client(headers={"Authorization": f"Bearer {api_token_create(user=helper)}"})
    path = f"/api/organiser/registrations/{registration.id}/history"

    response = auth_client.get(path)

    assert response.status_code == 200
    [change] = response.json()
    assert change["action"] == "no_show"
    assert change["by"]["username"] == "organiser"
    assert change["by_label"] == "organiser"
    assert change["at"].endswith(("+01:00", "+02:00"))
    assert helper_api.get(path).json() == response.json()
    assert auth_client.get("/api/organiser/registrations/999999/history").status_code == 404


def test_history_api_refuses_anonymous_and_users_without_a_role(client):
    registration = RegistrationFactory()
    path = f"/api/organiser/registrations/{registration.id}/history"
    nobody = Client()
    nobody.force_login(get_user_model().objects.create_user("someone", password="x"))

    assert client.get(path).status_code == 401
    assert nobody.get(path).status_code == 401


def test_history_api_is_documented(client):
    schema = client.get("/api/openapi.json").json()

    operation = schema["paths"]["/api/organiser/registrations/{registration_id}/history"]["get"]
    assert operation["security"]
    assert "RegistrationChangeOut" in schema["components"]["schemas"]
