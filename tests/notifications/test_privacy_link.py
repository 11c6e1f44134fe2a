"""The e-mail with the link to a person's data, delivered to a real SMTP server, and the
outbox never writing to, or sending about, an anonymised registration."""

import logging
import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from notifications import delivery, outbox, services
from notifications.models import Message
from registrations.models import Registration
from registrations.personal_data.services import personal_data_erase
from registrations.services import signup_create
from tests.factories import EventFactory, person

pytestmark = pytest.mark.django_db

Kind, State = Message.Kind, Message.State


@pytest.fixture(autouse=True)
def fresh_limits():
    cache.clear()
    yield
    cache.clear()


def _sign_up(email: str, **fields):
    [outcome] = signup_create(person=person(email, **fields), event_ids=[EventFactory(title="Tematräff").id])
    Message.objects.all().update(state=State.SENT)  # the confirmation is not what these tests read
    return outcome


def _texts(message) -> tuple[str, str]:
    parts = {part.get_content_type(): part.get_content() for part in message.walk() if not part.is_multipart()}
    return parts["text/plain"], parts["text/html"]


def _privacy_path(text: str) -> str:
    [url] = set(re.findall(re.escape(settings.SITE_URL) + r"/(?:en/)?mina-uppgifter/[^/\s\"]+/", text))
    return urlsplit(url).path


def test_the_link_is_e_mailed_to_the_address_and_opens_its_data(mailbox, client):
    outcome = _sign_up("anna@example.org")

    client.post(f"/anmalan/{outcome.manage_token}/mina-uppgifter/")
    assert delivery.deliver_due() == 1

    [message] = mailbox.messages()
    assert mailbox.envelopes[0][1] == ["anna@example.org"]
    assert message["Auto-Submitted"] == "auto-generated"
    text, html = _texts(message)
    path = _privacy_path(text)
    assert _privacy_path(html) == path
    assert "anna@example.org" in text and "24" in text
    assert Message.objects.get(kind=Kind.PRIVACY_LINK).state == State.SENT

    page = client.get(path)
    assert page.status_code == 200
    assert "Tematräff" in page.content.decode()
    assert client.get(path + "json/").json()["email"] == "anna@example.org"


def test_an_english_reader_gets_the_english_page(mailbox, client):
    outcome = _sign_up("anna@example.org", language="en")

    client.post(f"/en/anmalan/{outcome.manage_token}/mina-uppgifter/")
    delivery.deliver_due()

    [message] = mailbox.messages()
    text, _html = _texts(message)
    assert _privacy_path(text).startswith("/en/mina-uppgifter/")
    assert message["Subject"] == "Your details at Träffpunkt"


def test_a_link_asked_for_before_the_details_were_deleted_is_never_sent(mailbox, client):
    outcome = _sign_up("anna@example.org")
    client.post(f"/anmalan/{outcome.manage_token}/mina-uppgifter/")

    personal_data_erase(email="anna@example.org")
    delivery.deliver_due()

    assert mailbox.messages() == []
    assert Message.objects.get(kind=Kind.PRIVACY_LINK).state == State.SKIPPED


def test_a_message_whose_registration_was_anonymised_after_it_was_written_is_skipped(mailbox):
    outcome = _sign_up("anna@example.org")
    Message.objects.all().delete()
    outbox.queue_manage_link(outcome.registration, now=timezone.now())
    # Anonymised behind the outbox's back (say, by an older code path): the sender still checks.
    Registration.objects.filter(pk=outcome.registration.pk).update(anonymised_at=timezone.now())

    delivery.deliver_due()

    assert mailbox.messages() == []
    assert Message.objects.get().last_error == "personal data deleted"


def test_the_outbox_writes_nothing_for_anonymised_registrations(mailbox):
    starts = timezone.now() + timedelta(hours=23)
    event = EventFactory(starts_at=starts, ends_at=starts + timedelta(hours=2), reminder_minutes_before=[1440])
    [anna] = signup_create(person=person("anna@example.org"), event_ids=[event.id])
    [bertil] = signup_create(person=person("bertil@example.org"), event_ids=[event.id])
    Registration.objects.filter(pk=anna.registration.pk).update(anonymised_at=timezone.now())
    Message.objects.all().delete()

    services.reminders_due()
    outbox.queue_event_changed(event)
    services.announcement_send(event_id=event.id, subject="Välkomna", body="Hej!", audience="both", created_by=None)

    assert set(Message.objects.values_list("registration_id", flat=True)) == {bertil.registration.id}


def test_smtp_errors_are_logged_without_the_address(mailbox, caplog):
    _sign_up("Nobody@Example.org")
    Message.objects.all().update(state=State.PENDING)
    mailbox.reject["Nobody@Example.org"] = "550 5.1.1 <Nobody@Example.org>: no such user"

    with caplog.at_level(logging.INFO, logger="notifications.delivery"):
        delivery.deliver_due()

    failed = Message.objects.get()
    assert failed.state == State.FAILED and "nobody@example.org" in failed.last_error.lower()
    assert caplog.records and "550" in caplog.text
    assert "nobody@example.org" not in caplog.text.lower()
