"""Workspace pages: login and permissions, CSRF, check-in actions, search, query counts."""

from datetime import timedelta
from io import BytesIO

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook

from registrations.models import Registration
from tests.factories import EventFactory, RegistrationFactory, ThemeFactory

pytestmark = pytest.mark.django_db


def _pages(event, registration):
    """Every workspace page as (method, path, data)."""
    base = f"/arrangor/traffar/{event.id}"
    return [
        ("get", "/arrangor/", None),
        ("get", "/arrangor/?visa=tidigare", None),
        ("get", "/arrangor/teman/", None),
        ("get", f"{base}/", None),
        ("get", f"{base}/incheckning/", None),
        ("post", f"{base}/incheckning/{registration.id}/", {"mark": "attended"}),
        ("post", f"{base}/incheckning/ny/", {"name": "Walk In", "municipality": "Flen"}),
        ("post", f"{base}/incheckning/uteblivna/", {}),
    ]


def _call(client, method, path, data):
    return client.get(path) if method == "get" else client.post(path, data)


def test_every_page_redirects_anonymous_visitors_to_login(client):
    event = EventFactory(past=True)
    registration = RegistrationFactory(event=event)

    for method, path, data in _pages(event, registration):
        response = _call(client, method, path, data)
        assert response.status_code == 302, path
        assert response["Location"].startswith("/arrangor/logga-in/?next="), path
    registration.refresh_from_db()
    assert registration.attended is None
    assert Registration.objects.count() == 1


def test_a_user_without_a_role_gets_403():
    event = EventFactory(past=True)
    registration = RegistrationFactory(event=event)
    client = Client()
    client.force_login(get_user_model().objects.create_user("someone", password="x"))

    for method, path, data in _pages(event, registration):
        assert _call(client, method, path, data).status_code == 403, path
    assert Registration.objects.count() == 1


def test_helper_sees_lists_and_checks_in_but_not_theme_demand(helper_client):
    event = EventFactory(past=True)
    registration = RegistrationFactory(event=event)

    assert helper_client.get("/arrangor/").status_code == 200
    assert helper_client.get(f"/arrangor/traffar/{event.id}/").status_code == 200
    assert helper_client.get("/arrangor/teman/").status_code == 403
    response = helper_client.post(f"/arrangor/traffar/{event.id}/incheckning/{registration.id}/", {"mark": "attended"})

    assert response.status_code == 302
    registration.refresh_from_db()
    assert registration.attended is True


def test_login_page_logs_an_organiser_in_and_back_to_the_page(organiser):
    client = Client()
    page = client.get("/arrangor/logga-in/?next=/arrangor/teman/")
    response = client.post(
        "/arrangor/logga-in/",
        {"username": "organiser", "password": "not-a-real-password", "next": "/arrangor/teman/"},
    )

    assert page.status_code == 200
    assert "Logga in" in page.content.decode()
    assert response.status_code == 302
    assert response["Location"] == "/arrangor/teman/"
    assert client.post("/arrangor/logga-ut/").status_code == 302
    assert client.get("/arrangor/").status_code == 302


def test_workspace_posts_without_csrf_token_are_refused(organiser):
    event = EventFactory(past=True)
    registration = RegistrationFactory(event=event)
    client = Client(enforce_csrf_checks=True)
    client.force_login(organiser)

    for method, path, data in _pages(event, registration):
        if method == "post":
            assert client.post(path, data).status_code == 403, path
    registration.refresh_from_db()
    assert registration.attended is None
    assert Registration.objects.count() == 1


def test_checkin_marks_are_what_the_api_reports(organiser_client, auth_client):
    event = EventFactory(past=True)
    came, stayed_away, undone = RegistrationFactory.create_batch(3, event=event)
    url = f"/arrangor/traffar/{event.id}/incheckning"

    organiser_client.post(f"{url}/{came.id}/", {"mark": "attended"})
    organiser_client.post(f"{url}/{stayed_away.id}/", {"mark": "no_show"})
    organiser_client.post(f"{url}/{undone.id}/", {"mark": "attended"})
    response = organiser_client.post(f"{url}/{undone.id}/", {"mark": "undo"})

    assert response.status_code == 302
    assert response["Location"] == f"{url}/#r-{undone.id}"
    api = {r["id"]: r["attended"] for r in auth_client.get(f"/api/organiser/events/{event.id}/registrations").json()}
    assert api == {came.id: True, stayed_away.id: False, undone.id: None}


def test_checkin_mark_by_script_answers_with_the_row(organiser_client):
    registration = RegistrationFactory(name="Åsa Öberg")
    url = f"/arrangor/traffar/{registration.event_id}/incheckning/{registration.id}/"

    response = organiser_client.post(url, {"mark": "attended"}, headers={"X-Requested-With": "fetch"})

    assert response.status_code == 200
    assert f'id="r-{registration.id}"' in response.content.decode()
    assert "ws-row--attended" in response.content.decode()


def test_checkin_mark_of_another_meetings_registration_is_404(organiser_client):
    event = EventFactory()
    registration = RegistrationFactory()

    response = organiser_client.post(
        f"/arrangor/traffar/{event.id}/incheckning/{registration.id}/", {"mark": "attended"}
    )

    assert response.status_code == 404


def test_walk_in_is_counted_as_attended(organiser_client, auth_client):
    event = EventFactory(past=True, capacity=1)
    RegistrationFactory(event=event)

    response = organiser_client.post(
        f"/arrangor/traffar/{event.id}/incheckning/ny/",
        {
            "name": "Walk In",
            "email": "",
            "organisation": "Kaffekooperativet",
            "municipality": "Flen",
            "gender": "woman",
        },
    )

    assert response.status_code == 302
    walk_in = Registration.objects.get(name="Walk In")
    assert (walk_in.attended, walk_in.status, walk_in.source, walk_in.gender) == (
        True,
        "confirmed",
        "organiser",
        "woman",
    )
    page = organiser_client.get(f"/arrangor/traffar/{event.id}/incheckning/").content.decode()
    assert "Walk In lades till" in page


def test_walk_in_form_errors_are_shown_and_nothing_is_saved(organiser_client):
    event = EventFactory(past=True)
    RegistrationFactory(event=event, email="taken@example.org")

    missing = organiser_client.post(
        f"/arrangor/traffar/{event.id}/incheckning/ny/", {"name": "", "municipality": "Flen"}
    )
    duplicate = organiser_client.post(
        f"/arrangor/traffar/{event.id}/incheckning/ny/",
        {"name": "Again", "email": "TAKEN@example.org", "municipality": "Flen"},
    )

    assert missing.status_code == 400
    assert "field--error" in missing.content.decode()
    assert duplicate.status_code == 400
    assert "taken@example.org" in duplicate.content.decode().lower()
    assert Registration.objects.count() == 1


def test_bulk_no_show_marks_everyone_unmarked(organiser_client):
    event = EventFactory(past=True)
    came = RegistrationFactory(event=event, attended=True)
    unmarked = RegistrationFactory.create_batch(3, event=event)

    response = organiser_client.post(f"/arrangor/traffar/{event.id}/incheckning/uteblivna/")

    assert response.status_code == 302
    assert Registration.objects.get(pk=came.pk).attended is True
    assert set(Registration.objects.filter(pk__in=[r.pk for r in unmarked]).values_list("attended", flat=True)) == {
        False
    }
    page = organiser_client.get(f"/arrangor/traffar/{event.id}/incheckning/").content.decode()
    assert "3 personer markerades som uteblivna" in page


def test_search_finds_by_name_email_and_organisation(organiser_client):
    event = EventFactory()
    RegistrationFactory(event=event, name="Anna Andersson", email="anna@example.org", organisation="Kaffekoop")
    RegistrationFactory(event=event, name="Bertil Berg", email="bertil@byran.se", organisation="Byrån")
    RegistrationFactory(event=event, name="Cecilia Ceder", email="cc@example.org", organisation="Snickeriet AB")
    url = f"/arrangor/traffar/{event.id}/"

    def names(query):
        page = organiser_client.get(url, {"q": query}).content.decode()
        return [n for n in ("Anna Andersson", "Bertil Berg", "Cecilia Ceder") if n in page]

    assert names("") == ["Anna Andersson", "Bertil Berg", "Cecilia Ceder"]
    assert names("bertil") == ["Bertil Berg"]
    assert names("BYRAN.SE") == ["Bertil Berg"]
    assert names("snickeri") == ["Cecilia Ceder"]
    assert names("nobody") == []


def test_overview_shows_counts_and_splits_upcoming_from_past(organiser_client):
    upcoming = EventFactory(title="Kommande träff", capacity=10)
    RegistrationFactory.create_batch(3, event=upcoming)
    RegistrationFactory(event=upcoming, status="waitlisted")
    past = EventFactory(title="Tidigare träff", past=True)
    RegistrationFactory(event=past, attended=True)
    RegistrationFactory(event=past, attended=False)

    now_page = organiser_client.get("/arrangor/")
    past_page = organiser_client.get("/arrangor/?visa=tidigare")

    listed = now_page.context["events"]
    assert [e.title for e in listed] == ["Kommande träff"]
    assert (listed[0].confirmed_count, listed[0].waitlisted_count) == (3, 1)
    assert "Platser kvar" in now_page.content.decode()
    done = past_page.context["events"]
    assert [e.title for e in done] == ["Tidigare träff"]
    assert (done[0].attended_count, done[0].no_show_count) == (1, 1)


def test_theme_demand_page(organiser_client):
    ThemeFactory(name="Finansiering")

    response = organiser_client.get("/arrangor/teman/")

    assert response.status_code == 200
    assert "Finansiering" in response.content.decode()


def _queries(client, path) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(path).status_code == 200
    return len(captured)


@pytest.mark.parametrize("page", ["event", "checkin"])
def test_meeting_pages_use_the_same_number_of_queries_for_3_and_30_registrations(organiser_client, page):
    small, large = EventFactory(), EventFactory()
    RegistrationFactory.create_batch(3, event=small)
    RegistrationFactory.create_batch(30, event=large)
    suffix = "incheckning/" if page == "checkin" else ""
    _queries(organiser_client, f"/arrangor/traffar/{small.id}/{suffix}")  # session and permissions cached alike

    assert _queries(organiser_client, f"/arrangor/traffar/{small.id}/{suffix}") == _queries(
        organiser_client, f"/arrangor/traffar/{large.id}/{suffix}"
    )


def test_overview_uses_the_same_number_of_queries_for_3_and_30_meetings(organiser_client):
    for event in EventFactory.create_batch(3):
        RegistrationFactory.create_batch(2, event=event)
    _queries(organiser_client, "/arrangor/")
    few = _queries(organiser_client, "/arrangor/")
    for event in EventFactory.create_batch(27):
        RegistrationFactory.create_batch(2, event=event)

    assert _queries(organiser_client, "/arrangor/") == few


def test_organisers_export_a_period_from_the_overview_and_helpers_do_not_see_it(organiser_client, helper_client):
    event = EventFactory(
        starts_at=timezone.now() + timedelta(days=3), ends_at=timezone.now() + timedelta(days=3, hours=2)
    )
    RegistrationFactory(event=event, name="Amina Hassan")
    day = timezone.localdate(event.starts_at).isoformat()

    page = organiser_client.get("/arrangor/").content.decode()
    assert 'action="/api/organiser/exports/registrations.xlsx"' in page
    assert "/api/organiser/exports/registrations.xlsx" not in helper_client.get("/arrangor/").content.decode()

    response = organiser_client.get(f"/api/organiser/exports/registrations.xlsx?from={day}&to={day}")
    assert response.status_code == 200
    names = [row[3] for row in load_workbook(BytesIO(response.content)).active.iter_rows(min_row=2, values_only=True)]
    assert names == ["Amina Hassan"]
