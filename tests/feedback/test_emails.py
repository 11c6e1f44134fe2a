"""The survey e-mail, built from its outbox row by notifications.emails.build as the sender
builds it: in the recipient's language, with a personal link whose token is kept only as a
hash and opens the survey; no calendar invitation and no manage link."""

import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.utils import timezone, translation

from accounts.models import hash_secret
from feedback.models import OPEN_FOR, Feedback, FeedbackLink
from feedback.services import feedback_requests_due
from notifications import delivery
from notifications.emails import build
from notifications.models import Message
from tests.factories import EventFactory, RegistrationFactory

pytestmark = pytest.mark.django_db

Kind, State = Message.Kind, Message.State
SWEDISH_MONTHS = "januari februari mars april maj juni juli augusti september oktober november december".split()


@pytest.fixture(autouse=True)
def swedish():
    """A request under /en/ leaves English active in the thread; the next test must not inherit it."""
    with translation.override("sv"):
        yield


def asked(*, title: str = "Tematräff: Finansiering", **fields) -> Message:
    """The outbox row of an attendee's survey e-mail, as beat writes it after the meeting."""
    ends_at = timezone.now().replace(second=0, microsecond=0) - timedelta(hours=3)
    event = EventFactory(title=title, starts_at=ends_at - timedelta(hours=2), ends_at=ends_at)
    registration = RegistrationFactory(event=event, attended=True, **fields)
    feedback_requests_due(now=ends_at + timedelta(hours=3))
    return Message.objects.get(registration=registration, kind=Kind.FEEDBACK_REQUEST)


def html_of(email) -> str:
    [(html, mimetype)] = email.alternatives
    assert mimetype == "text/html"
    return html


def survey_urls(text: str) -> set[str]:
    return set(re.findall(re.escape(settings.SITE_URL) + r"/(?:en/)?omdome/[^/\s\"<]+/", text))


@pytest.mark.parametrize(("language", "prefix"), [("sv", ""), ("en", "/en")])
def test_the_link_opens_the_survey_in_the_recipients_language(client, language, prefix):
    message = asked(language=language)

    email = build(message)

    [url] = survey_urls(email.body)
    assert survey_urls(html_of(email)) == {url}
    path = urlsplit(url).path
    assert url == settings.SITE_URL + path
    assert re.fullmatch(rf"{prefix}/omdome/[\w-]{{40,}}/", path)
    page = client.get(path)
    assert page.status_code == 200
    assert f'<html lang="{language}">' in page.content.decode()
    assert "Tematräff: Finansiering" in page.content.decode()


def test_the_english_email_is_in_english(client):
    message = asked(language="en", name="Bo Ström", title="Träff & fika")

    email = build(message)

    closes = timezone.localtime(message.event.ends_at + OPEN_FOR)
    assert email.subject == "How was it? Träff & fika"
    assert email.to == [message.recipient]
    assert email.body.startswith("Hello Bo Ström,\n")
    assert "Träff & fika" in email.body  # plain text: nothing escaped
    assert f"until {closes:%-d %B %Y} at {closes:%H:%M}" in email.body
    html = html_of(email)
    assert '<html lang="en">' in html
    assert "Träff &amp; fika" in html and "Träff & fika" not in html
    assert ">Answer the survey</a>" in html


def test_the_swedish_email_has_swedish_dates_and_greeting():
    message = asked(language="sv", name="Anna Andersson")

    email = build(message)

    closes = timezone.localtime(message.event.ends_at + OPEN_FOR)
    assert email.body.startswith("Hej Anna Andersson!\n")
    assert f"{closes.day} {SWEDISH_MONTHS[closes.month - 1]} {closes.year}" in email.body
    assert '<html lang="sv">' in html_of(email)


def test_the_token_is_kept_only_as_a_hash():
    message = asked()

    email = build(message)

    [url] = survey_urls(email.body)
    token = urlsplit(url).path.split("/")[-2]
    feedback = Feedback.objects.get(registration=message.registration)
    [link] = FeedbackLink.objects.all()
    assert link.feedback == feedback
    assert link.token_hash == hash_secret(token) != token
    stored = [str(value) for row in FeedbackLink.objects.values_list() for value in row]
    stored += [str(value) for row in Message.objects.values_list() for value in row]
    assert not [value for value in stored if token in value]


def test_each_email_carries_a_new_link_and_every_link_opens_the_survey(client):
    """A resent e-mail (say, after a bounce) has its own token; the first still works."""
    message = asked()

    first, second = (survey_urls(build(message).body).pop() for _ in range(2))

    assert first != second
    assert FeedbackLink.objects.count() == 2
    for url in (first, second):
        assert client.get(urlsplit(url).path).status_code == 200


def test_no_calendar_invitation_and_no_manage_link():
    message = asked(language="en")

    email = build(message)

    assert email.attachments == []
    assert [mimetype for _, mimetype in email.alternatives] == ["text/html"]
    assert not getattr(email, "calendar", b"")
    html = html_of(email)
    for text in (email.body, html):
        assert "/anmalan/" not in text and "webcal:" not in text and "BEGIN:VCALENDAR" not in text
    message_text = email.message().as_string()
    assert "text/calendar" not in message_text and "invite.ics" not in message_text


def test_the_survey_email_is_delivered_to_the_attendee(mailbox, client):
    message = asked(email="anna@example.org", language="en")

    assert delivery.deliver_due() == 1

    [received] = mailbox.messages()
    assert mailbox.envelopes[0][1] == ["anna@example.org"]
    assert received["Subject"] == "How was it? Tematräff: Finansiering"
    assert received["Auto-Submitted"] == "auto-generated"
    parts = {part.get_content_type(): part.get_content() for part in received.walk() if not part.is_multipart()}
    assert set(parts) == {"text/plain", "text/html"}
    [url] = survey_urls(parts["text/plain"])
    assert client.get(urlsplit(url).path).status_code == 200
    message.refresh_from_db()
    assert message.state == State.SENT


# The Swedish wording needs the Swedish catalogue (locale/sv), which the lead completes.


def test_the_swedish_email_is_in_swedish():
    message = asked(language="sv", title="Tematräff")
    with translation.override("sv"):
        subject = translation.gettext("How was it? %(title)s") % {"title": "Tematräff"}
        button = translation.gettext("Answer the survey")

    email = build(message)

    assert subject != "How was it? Tematräff", "no Swedish in locale/sv for the subject"
    assert email.subject == subject
    assert f">{button}</a>" in html_of(email)
