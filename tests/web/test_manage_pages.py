from django.urls import reverse

from registrations.models import Registration


def _manage(token):
    return reverse("registrations:manage", args=[token])


def _cancel(token):
    return reverse("registrations:cancel", args=[token])


def test_manage_page_shows_meeting_status_and_details(client, make_meeting, register):
    event = make_meeting("Finansieringsträff")
    _, token = register(event)

    response = client.get(_manage(token))

    html = response.content.decode()
    assert response.status_code == 200
    assert "Finansieringsträff" in html
    assert "Bekräftad" in html
    assert "anna@example.org" in html
    assert f'action="{_cancel(token)}"' in html
    assert 'method="post"' in html
    assert response["Cache-Control"].startswith("max-age=0")


def test_unusual_name_is_shown_unchanged_and_escaped(client, make_meeting, register):
    name = 'Zoë "Zed" O\'Brien 😀 שלום e\u0301 <b>'
    _, token = register(make_meeting(), name=name)

    html = client.get(_manage(token)).content.decode()

    assert "Zoë &quot;Zed&quot; O&#x27;Brien 😀 שלום e\u0301 &lt;b&gt;" in html
    assert "<b>" not in html


def test_wrong_token_is_404(client, make_meeting, register):
    register(make_meeting())

    assert client.get(_manage("not-a-real-token-at-all")).status_code == 404
    assert client.post(_cancel("not-a-real-token-at-all")).status_code == 404


def test_get_on_the_cancel_url_does_not_cancel(client, make_meeting, register):
    registration, token = register(make_meeting())

    response = client.get(_cancel(token))

    assert response.status_code == 200
    assert "Ja, avboka min anmälan" in response.content.decode()
    registration.refresh_from_db()
    assert registration.status == "confirmed"


def test_post_cancels_and_promotes_the_first_waiting(client, make_meeting, register):
    event = make_meeting(capacity=1)
    confirmed, token = register(event, email="a@example.org")
    first_waiting, _ = register(event, email="b@example.org")
    second_waiting, _ = register(event, email="c@example.org")

    response = client.post(_cancel(token))

    assert response.status_code == 302
    assert response["Location"] == _manage(token)
    statuses = {r.email: r.status for r in Registration.objects.all()}
    assert statuses == {"a@example.org": "cancelled", "b@example.org": "confirmed", "c@example.org": "waitlisted"}
    followed = client.get(response["Location"])
    assert followed.status_code == 410
    assert "Din anmälan är avbokad" in followed.content.decode()


def test_cancelled_registration_is_410(client, make_meeting, register):
    _, token = register(make_meeting("Träffen"))
    client.post(_cancel(token))

    manage = client.get(_manage(token))
    cancel_again = client.post(_cancel(token))

    assert manage.status_code == 410
    assert "Den här anmälan är avbokad" in manage.content.decode()
    assert cancel_again.status_code == 410


def test_online_link_only_for_confirmed(client, make_meeting, register):
    event = make_meeting(capacity=1, online_url="https://meet.example.org/room-42")
    _, confirmed_token = register(event, email="a@example.org")
    _, waiting_token = register(event, email="b@example.org")

    confirmed_html = client.get(_manage(confirmed_token)).content.decode()
    waiting_html = client.get(_manage(waiting_token)).content.decode()

    assert "https://meet.example.org/room-42" in confirmed_html
    assert "room-42" not in waiting_html
    assert "Väntelista (plats 1)" in waiting_html


def test_cancel_needs_csrf(make_meeting, register):
    from django.test import Client

    registration, token = register(make_meeting())

    response = Client(enforce_csrf_checks=True).post(_cancel(token))

    assert response.status_code == 403
    registration.refresh_from_db()
    assert registration.status == "confirmed"


def test_manage_page_in_english(client, make_meeting, register):
    _, token = register(make_meeting())

    html = client.get(f"/en/anmalan/{token}/").content.decode()

    assert "Your registration" in html
    assert "Confirmed" in html
    assert "Cancel my registration" in html


def test_a_confirmed_registration_downloads_its_meeting_as_a_calendar_file(client, make_meeting, register):
    """For someone whose invitation went astray: the same UID as the invitation, so importing
    both leaves one entry, and the online link the manage page shows too."""
    from icalendar import Calendar

    from notifications.invites import registration_uid

    event = make_meeting("Digital träff", online_url="https://meet.example.org/room-7")
    registration, token = register(event)
    calendar_url = reverse("registrations:calendar", args=[token])
    assert f'href="{calendar_url}"' in client.get(_manage(token)).content.decode()

    response = client.get(calendar_url)

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="traffpunkt.ics"'
    [vevent] = Calendar.from_ical(response.content).walk("VEVENT")
    assert str(vevent["UID"]) == registration_uid(registration)
    assert vevent.decoded("DTSTART") == event.starts_at
    assert vevent.decoded("DTEND") == event.ends_at
    assert "meet.example.org/room-7" in str(vevent["LOCATION"])


def test_only_a_confirmed_registration_has_a_calendar_file(client, make_meeting, register):
    event = make_meeting(capacity=1)
    register(event, email="first@example.org")
    waiting, waiting_token = register(event, email="second@example.org")
    assert waiting.status == "waitlisted"

    assert "kalender.ics" not in client.get(_manage(waiting_token)).content.decode()
    assert client.get(reverse("registrations:calendar", args=[waiting_token])).status_code == 404
    assert client.get(reverse("registrations:calendar", args=["no-such-token"])).status_code == 404
