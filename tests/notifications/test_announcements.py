"""Organisers' messages to a meeting's registrants: who gets one, once each, through a real
SMTP server; only organisers may send them, from the workspace or the API."""

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.test import Client

from accounts.services import api_token_create
from notifications import delivery, outbox, services
from notifications.models import Announcement, Message
from registrations.choices import Status
from registrations.services import registration_cancel
from tests.factories import EventFactory, RegistrationFactory

pytestmark = pytest.mark.django_db

Kind, State = Message.Kind, Message.State


@pytest.fixture
def meeting():
    """A meeting with two confirmed, one waitlisted, one cancelled and one without an address."""
    event = EventFactory(title="Tematräff om upphandling")
    people = {
        "anna": RegistrationFactory(event=event, email="anna@example.org"),
        "bo": RegistrationFactory(event=event, email="bo@example.org"),
        "cecilia": RegistrationFactory(event=event, email="cecilia@example.org", status=Status.WAITLISTED),
        "dan": RegistrationFactory(event=event, email="dan@example.org", status=Status.CANCELLED),
        "walk_in": RegistrationFactory(event=event, email=""),
    }
    return event, people


def _send(event, *, audience="both", subject="Ändrad lokal", body="Vi ses i sal 2.\nVälkomna!", created_by=None):
    return services.announcement_send(
        event_id=event.id, subject=subject, body=body, audience=audience, created_by=created_by
    )


def _page(event) -> str:
    return f"/arrangor/traffar/{event.id}/meddelande/"


def _api(event) -> str:
    return f"/api/organiser/events/{event.id}/messages"


MESSAGE = {"audience": "both", "subject": "Ändrad lokal", "body": "Vi ses i sal 2."}


# The service ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("audience", "recipients"),
    [
        ("confirmed", {"anna@example.org", "bo@example.org"}),
        ("waitlisted", {"cecilia@example.org"}),
        ("both", {"anna@example.org", "bo@example.org", "cecilia@example.org"}),
    ],
)
def test_one_row_per_active_registration_of_the_audience(meeting, organiser, audience, recipients):
    event, people = meeting

    announcement = _send(event, audience=audience, created_by=organiser)

    rows = Message.objects.filter(announcement=announcement)
    assert {row.recipient for row in rows} == recipients
    assert announcement.recipient_count == len(recipients)
    assert announcement.created_by == organiser
    assert all(row.kind == Kind.ORGANISER_MESSAGE and row.state == State.PENDING for row in rows)
    assert {row.key for row in rows} == {f"organiser_message:{announcement.id}:{row.registration_id}" for row in rows}


def test_queueing_an_announcement_again_adds_no_rows(meeting):
    event, _people = meeting
    announcement = _send(event)

    assert outbox.queue_announcement(announcement) == 3  # tried again: the keys are taken

    assert Message.objects.filter(announcement=announcement).count() == 3


def test_two_sends_are_two_messages(meeting):
    event, _people = meeting

    _send(event, subject="Första")
    _send(event, subject="Andra")

    assert Announcement.objects.count() == 2
    assert Message.objects.filter(kind=Kind.ORGANISER_MESSAGE).count() == 6


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"subject": "Rad ett\r\nBcc: x@example.org"}, "subject"),
        ({"subject": "Rad ett\nrad två"}, "subject"),
        ({"subject": "x" * 201}, "subject"),
        ({"subject": "   "}, "subject"),
        ({"body": "  \n "}, "body"),
        ({"body": "x" * 5001}, "body"),
        ({"audience": "everyone"}, "audience"),
    ],
)
def test_invalid_messages_are_refused_and_nothing_is_stored(meeting, fields, field):
    event, _people = meeting

    with pytest.raises(ValidationError) as error:
        _send(event, **fields)

    assert field in error.value.message_dict
    assert not Announcement.objects.exists()
    assert not Message.objects.exists()


def test_a_message_to_nobody_is_refused(meeting):
    event = EventFactory()

    with pytest.raises(ValidationError):
        _send(event)

    assert not Announcement.objects.exists()


# Delivery ----------------------------------------------------------------------------------


def test_delivered_once_each_through_smtp_with_text_time_place_and_manage_link(meeting, mailbox, settings):
    event, people = meeting
    announcement = _send(event)

    assert delivery.deliver_due() == 3
    assert delivery.deliver_due() == 0  # a second run finds nothing to send

    assert mailbox.recipients() == {"anna@example.org": 1, "bo@example.org": 1, "cecilia@example.org": 1}
    email = mailbox.to("anna@example.org")[0]
    assert email["Subject"] == "Ändrad lokal"
    text = email.get_body(("plain",)).get_content().replace("\r\n", "\n")
    assert "Vi ses i sal 2.\nVälkomna!" in text
    assert "Tematräff om upphandling" in text
    assert "Kulturhuset, Nyköping" in text
    assert f"{settings.SITE_URL}/anmalan/" in text
    html = email.get_body(("html",)).get_content()
    assert "Vi ses i sal 2.<br>Välkomna!" in html
    assert not any(part.get_content_type() == "text/calendar" for part in email.walk())
    assert Message.objects.filter(announcement=announcement, state=State.SENT).count() == 3


def test_manage_link_in_the_message_opens_the_registration(meeting, mailbox, settings):
    event, _people = meeting
    _send(event, audience="waitlisted")

    delivery.deliver_due()

    text = mailbox.to("cecilia@example.org")[0].get_body(("plain",)).get_content().replace("\r\n", "\n")
    [url] = [word for word in text.split() if "/anmalan/" in word]
    assert url.startswith(settings.SITE_URL)
    page = Client().get(url.removeprefix(settings.SITE_URL))
    assert page.status_code == 200
    assert "Tematräff om upphandling" in page.content.decode()


def test_a_registration_cancelled_after_the_message_was_written_is_skipped(meeting, mailbox):
    event, people = meeting
    _send(event, audience="confirmed")
    registration_cancel(registration_id=people["bo"].id)

    delivery.deliver_due()

    assert [email["Subject"] for email in mailbox.to("anna@example.org")] == ["Ändrad lokal"]
    assert "Ändrad lokal" not in [email["Subject"] for email in mailbox.to("bo@example.org")]
    skipped = Message.objects.get(kind=Kind.ORGANISER_MESSAGE, registration=people["bo"])
    assert skipped.state == State.SKIPPED


def test_html_in_the_organisers_text_is_escaped(meeting, mailbox):
    event, _people = meeting
    _send(event, audience="waitlisted", body='<script>alert("x")</script>\n<b>fet</b>')

    delivery.deliver_due()

    email = mailbox.to("cecilia@example.org")[0]
    html = email.get_body(("html",)).get_content()
    assert "<script>" not in html and "<b>fet</b>" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;<br>&lt;b&gt;fet&lt;/b&gt;" in html
    assert '<script>alert("x")</script>\n<b>fet</b>' in email.get_body(("plain",)).get_content().replace("\r\n", "\n")


def test_each_row_is_in_the_admin_message_list(meeting, admin_client):
    event, _people = meeting
    _send(event, audience="waitlisted")

    page = admin_client.get("/admin/notifications/message/", {"kind__exact": "organiser_message"})

    assert page.status_code == 200
    assert "cecilia@example.org" in page.content.decode()
    assert "anna@example.org" not in page.content.decode()


# The workspace page ------------------------------------------------------------------------


def test_page_shows_how_many_each_choice_reaches(meeting, organiser_client):
    event, _people = meeting

    page = organiser_client.get(_page(event))

    assert page.status_code == 200
    content = page.content.decode()
    assert "(2)" in content and "(1)" in content and "(3)" in content


def test_posting_the_form_sends_and_lists_the_message_with_its_states(meeting, organiser_client, organiser, mailbox):
    event, _people = meeting

    response = organiser_client.post(_page(event), {**MESSAGE, "audience": "confirmed"}, follow=True)

    assert response.redirect_chain[-1][0] == _page(event)
    announcement = Announcement.objects.get()
    assert (announcement.subject, announcement.audience, announcement.created_by) == (
        "Ändrad lokal",
        "confirmed",
        organiser,
    )
    assert Message.objects.filter(announcement=announcement).count() == 2
    states = response.context["announcements"][0]
    assert (states.recipients, states.sent, states.pending, states.failed) == (2, 0, 2, 0)

    delivery.deliver_due()
    states = organiser_client.get(_page(event)).context["announcements"][0]
    assert (states.sent, states.pending, states.failed) == (2, 0, 0)


def test_page_refuses_a_subject_with_a_line_break(meeting, organiser_client):
    event, _people = meeting

    response = organiser_client.post(_page(event), {**MESSAGE, "subject": "Hej\r\nBcc: x@example.org"})

    assert response.status_code == 400
    assert "subject" in response.context["form"].errors
    assert not Announcement.objects.exists()


def test_page_refuses_a_message_to_nobody(organiser_client):
    event = EventFactory()

    response = organiser_client.post(_page(event), MESSAGE)

    assert response.status_code == 400
    assert not Announcement.objects.exists()


def test_the_meetings_page_links_to_the_message_page(meeting, organiser_client):
    event, _people = meeting

    assert _page(event) in organiser_client.get(f"/arrangor/traffar/{event.id}/").content.decode()


def test_the_meetings_page_shows_a_helper_no_message_link(meeting, helper):
    event, _people = meeting
    client = Client()
    client.force_login(helper)

    assert _page(event) not in client.get(f"/arrangor/traffar/{event.id}/").content.decode()


def test_helper_gets_403_on_the_page(meeting, helper):
    event, _people = meeting
    client = Client()
    client.force_login(helper)

    assert client.get(_page(event)).status_code == 403
    assert client.post(_page(event), MESSAGE).status_code == 403
    assert not Announcement.objects.exists()


def test_anonymous_visitors_are_sent_to_login(meeting, client):
    event, _people = meeting

    for response in (client.get(_page(event)), client.post(_page(event), MESSAGE)):
        assert response.status_code == 302
        assert response["Location"].startswith("/arrangor/logga-in/?next=")
    assert not Announcement.objects.exists()


def test_page_post_without_csrf_token_is_refused(meeting, organiser):
    event, _people = meeting
    client = Client(enforce_csrf_checks=True)
    client.force_login(organiser)

    assert client.post(_page(event), MESSAGE).status_code == 403
    assert not Announcement.objects.exists()


# The API -----------------------------------------------------------------------------------


def test_api_sends_and_lists_with_states(meeting, auth_client, organiser):
    event, _people = meeting

    created = auth_client.post(_api(event), MESSAGE, content_type="application/json")

    assert created.status_code == 201
    announcement = Announcement.objects.get()
    assert created.json() == {"id": announcement.id, "recipients": 3}
    assert announcement.created_by == organiser

    listed = auth_client.get(_api(event))

    assert listed.status_code == 200
    [item] = listed.json()
    assert item["subject"] == "Ändrad lokal"
    assert item["audience"] == "both"
    assert item["created_by"] == "organiser"
    assert (item["recipients"], item["sent"], item["pending"], item["failed"], item["skipped"]) == (3, 0, 3, 0, 0)


@pytest.mark.parametrize(
    "payload",
    [
        {**MESSAGE, "subject": "Hej\r\nBcc: x@example.org"},
        {**MESSAGE, "audience": "everyone"},
        {**MESSAGE, "body": ""},
        {**MESSAGE, "subject": "x" * 201},
    ],
)
def test_api_refuses_invalid_messages_with_422(meeting, auth_client, payload):
    event, _people = meeting

    response = auth_client.post(_api(event), payload, content_type="application/json")

    assert response.status_code == 422
    assert not Announcement.objects.exists()


def test_api_answers_404_for_an_unknown_meeting(auth_client):
    assert auth_client.get("/api/organiser/events/999999/messages").status_code == 404
    assert (
        auth_client.post("/api/organiser/events/999999/messages", MESSAGE, content_type="application/json").status_code
        == 404
    )


def test_api_refuses_a_helper_with_403_and_anonymous_with_401(meeting, helper, client):
    event, _people = meeting
    helper_api = Client(headers={"Authorization": f"Bearer {api_token_create(user=helper)}"})
    helper_session = Client()
    helper_session.force_login(helper)

    for api_client in (helper_api, helper_session):
        assert api_client.get(_api(event)).status_code == 403
        assert api_client.post(_api(event), MESSAGE, content_type="application/json").status_code == 403
    assert client.get(_api(event)).status_code == 401
    assert client.post(_api(event), MESSAGE, content_type="application/json").status_code == 401
    assert not Announcement.objects.exists()


def test_api_session_post_without_csrf_token_is_refused(meeting, organiser):
    event, _people = meeting
    client = Client(enforce_csrf_checks=True)
    client.force_login(organiser)

    response = client.post(_api(event), MESSAGE, content_type="application/json")

    assert response.status_code in (401, 403)
    assert not Announcement.objects.exists()


def test_a_user_without_a_role_is_refused(meeting):
    event, _people = meeting
    client = Client()
    client.force_login(get_user_model().objects.create_user("someone", password="x"))

    assert client.get(_page(event)).status_code == 403
    assert client.post(_api(event), MESSAGE, content_type="application/json").status_code in (401, 403)


def test_openapi_documents_the_endpoints(client):
    paths = client.get("/api/openapi.json").json()["paths"]

    assert set(paths["/api/organiser/events/{event_id}/messages"]) == {"get", "post"}
