"""One sign-up followed from the public form to the inbox, with every part real: the site
(pytest-django's live server), a Celery worker and beat as separate processes on a private
Redis, and an SMTP server (aiosmtpd). The confirmation's invite is read with icalendar and
its link is followed back to the site.
"""

import http.cookiejar
import re
import time
import urllib.parse
import urllib.request
from datetime import timedelta

import pytest
from django.utils import timezone
from icalendar import Calendar

from notifications.models import Message
from tests.factories import EventFactory, signup_form_data
from tests.support.waiting import wait_until

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

DELIVERY_TIMEOUT = 60


def _browser():
    """A client that keeps cookies, as a browser does (the form needs its CSRF cookie)."""
    return urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))


def _submit_signup_form(base_url: str, event_id: int, email: str) -> str:
    browser = _browser()
    with browser.open(f"{base_url}/anmalan/?event={event_id}", timeout=10) as response:
        page = response.read().decode()
    # Every form on the page (the language switcher too) carries a valid token.
    csrf = re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)[0]
    form = signup_form_data([event_id], csrfmiddlewaretoken=csrf, email=email)
    request = urllib.request.Request(
        f"{base_url}/anmalan/", data=urllib.parse.urlencode(form, doseq=True).encode(), headers={"Referer": base_url}
    )
    with browser.open(request, timeout=10) as response:
        # A valid form redirects to the confirmation page; an invalid one renders the form again.
        assert response.url.endswith("/anmalan/klar/"), response.read().decode()[:2000]
        return response.read().decode()


def test_a_signup_on_the_site_reaches_the_inbox_with_an_invite_at_the_meetings_time(
    live_server, broker, redis_server, smtp_server, celery_processes
):
    starts = timezone.now().replace(second=0, microsecond=0) + timedelta(days=21)
    event = EventFactory(
        title="Tematräff: offentlig upphandling", capacity=10, starts_at=starts, ends_at=starts + timedelta(hours=2)
    )
    # Links in the e-mail point at this live server, so the manage link can be followed.
    celery_processes.env["SITE_URL"] = live_server.url
    celery_processes.worker()
    celery_processes.beat()

    started = time.monotonic()
    done_page = _submit_signup_form(live_server.url, event.id, "anna@example.org")
    assert event.title in done_page

    [message] = smtp_server.handler.wait_for(1, timeout=DELIVERY_TIMEOUT)
    elapsed = time.monotonic() - started
    celery_processes.assert_running()

    assert message["To"] == "anna@example.org"
    assert message["Subject"] == f"Bekräftad: {event.title}"
    calendar_part = next(part for part in message.walk() if part.get_content_type() == "text/calendar")
    assert calendar_part.get_param("method") == "REQUEST"
    calendar = Calendar.from_ical(calendar_part.get_payload(decode=True))
    assert str(calendar["METHOD"]) == "REQUEST"
    [vevent] = calendar.walk("VEVENT")
    assert vevent.decoded("DTSTART") == event.starts_at
    assert vevent.decoded("DTEND") == event.ends_at
    assert str(vevent["ATTENDEE"]) == "mailto:anna@example.org"
    assert any(part.get_filename() == "invite.ics" for part in message.walk())

    text = next(part for part in message.walk() if part.get_content_type() == "text/plain").get_content()
    [manage_url] = re.findall(re.escape(live_server.url) + r"/anmalan/[\w-]+/", text)
    with _browser().open(manage_url, timeout=10) as response:
        assert response.status == 200
        assert event.title in response.read().decode()

    assert Message.objects.get().state == Message.State.SENT
    # Beat starts alongside (the mail may well be faster than its start-up); it must come up.
    wait_until(lambda: "beat: Starting" in celery_processes.log("beat"), timeout=15, message="beat to start")
    celery_processes.assert_running()
    print(f"sign-up to inbox: {elapsed:.1f}s")
