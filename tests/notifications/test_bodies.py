"""A batch's e-mail bodies are rendered once and completed per person (emails._bodies): each
person's e-mail must be exactly the one rendered for them alone, and hold only their details."""

from datetime import timedelta

import pytest
from django.template.loader import render_to_string
from django.utils import timezone

from notifications import emails
from notifications.feeds import feed_urls
from notifications.models import Message
from tests.factories import EventFactory, RegistrationFactory

pytestmark = pytest.mark.django_db

# Looks like a stand-in: must come out as written, not as someone's link. No database stores it
# (PostgreSQL refuses NUL), so it is given to the loaded registration only.
STAND_IN_LOOKALIKE = "\x00manage_url\x00"

NAMES = [
    'Åsa "Ö" <b>Öberg</b> & co',
    "مرحبا سلمى",
    "Zoë e\u0301 👩‍💻",
    STAND_IN_LOOKALIKE,
    "",
]


def _reminders(event, *, statuses=("confirmed",)) -> list[Message]:
    messages = []
    for index, name in enumerate(NAMES):
        registration = RegistrationFactory(
            event=event,
            name=name.replace("\x00", ""),
            email=f"person{index}@example.org",
            status=statuses[index % len(statuses)],
            language="en" if index % 2 else "sv",
        )
        messages.append(
            Message.objects.create(
                key=f"test:{registration.id}",
                kind=Message.Kind.REMINDER,
                registration=registration,
                event=event,
                recipient=registration.email,
                language=registration.language,
            )
        )
    # Some have a calendar feed, some not: the e-mail says so, or does not.
    feed_urls([message.recipient for message in messages[::2]])
    loaded = list(
        Message.objects.filter(pk__in=[m.pk for m in messages]).select_related("registration", "event").order_by("id")
    )
    for message, name in zip(loaded, NAMES, strict=True):
        message.registration.name = name
    return loaded


def _bodies(email) -> tuple[str, str]:
    [html] = [content for content, mimetype in email.alternatives if mimetype == "text/html"]
    return email.body, html


def _rendered_alone(context: dict, cache: dict) -> tuple[str, str]:
    # The templates rendered with this person's own values, as Django renders them.
    return (
        render_to_string("notifications/email/message.txt", context),
        render_to_string("notifications/email/message.html", context),
    )


def test_each_persons_bodies_are_what_rendering_for_them_alone_gives(monkeypatch):
    event = EventFactory(online_url="https://meet.example.org/x?a=1&b=2", starts_at=timezone.now() + timedelta(days=1))
    messages = _reminders(event)
    batch = emails.links_for(messages)

    together = [_bodies(emails.build(message, links=batch)) for message in messages]
    monkeypatch.setattr(emails, "_bodies", _rendered_alone)
    alone = [_bodies(emails.build(message, links=batch)) for message in messages]

    assert together == alone
    # Rendered once for each language, with or without a feed and a name; not once per person.
    variants = {(m.language, m.recipient.lower() in batch.feeds, bool(m.registration.name)) for m in messages}
    assert len(batch.bodies) == len(variants) < len(messages)


def test_no_one_gets_anothers_name_or_links():
    event = EventFactory(starts_at=timezone.now() + timedelta(days=1))
    messages = _reminders(event, statuses=("confirmed", "waitlisted"))
    batch = emails.links_for(messages)

    for message in messages:
        text, html = _bodies(emails.build(message, links=batch))
        mine = batch.manage_tokens[message.registration_id]
        for other in messages:
            if other is message:
                continue
            theirs = batch.manage_tokens[other.registration_id]
            assert theirs not in text and theirs not in html
        assert mine in text and mine in html
        assert "\x00" not in text.replace(message.registration.name, "")
        if message.registration.name:
            assert message.registration.name in text
