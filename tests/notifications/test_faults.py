"""Faults injected for real: an SMTP server that answers 451 or 550, drops the connection or
is not there at all; a Redis broker that is stopped while people sign up; two Celery
workers racing for the same outbox. Each message must arrive exactly once, or be marked
failed for organisers to see when the server refuses it for good.
"""

import time
from collections import Counter
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from notifications import delivery, outbox
from notifications.models import Message
from notifications.tasks import deliver_pending, sweep_outbox
from registrations.services import signup_create
from tests.factories import EventFactory, RegistrationFactory, person, signup_payload

from .conftest import DROP, wait_until

Kind, State = Message.Kind, Message.State


def sign_up(event, email):
    [outcome] = signup_create(person=person(email), event_ids=[event.id])
    return outcome.registration


def make_due(**filters) -> None:
    """Travels in time: whatever waits for a retry is due now."""
    Message.objects.filter(state=State.PENDING, **filters).update(next_attempt_at=timezone.now() - timedelta(seconds=1))


# SMTP ------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("command", ["RCPT", "DATA"])
def test_a_temporary_smtp_refusal_is_retried_with_back_off_and_then_delivered_once(mailbox, command):
    script = mailbox.rcpt_script if command == "RCPT" else mailbox.data_script
    script.append("451 4.3.0 Try again later")
    sign_up(EventFactory(), "anna@example.org")

    before = timezone.now()
    assert delivery.deliver_due() == 0

    message = Message.objects.get()
    assert message.state == State.PENDING
    assert message.attempts == 1
    assert "451" in message.last_error and "Try again later" in message.last_error
    assert message.next_attempt_at >= before + timedelta(minutes=1)
    assert mailbox.messages() == []
    # Not due yet: running the sender again does not hammer the server.
    assert delivery.deliver_due() == 0
    assert Message.objects.get().attempts == 1

    make_due()
    assert delivery.deliver_due() == 1
    assert delivery.deliver_due() == 0

    message.refresh_from_db()
    assert (message.state, message.attempts, message.last_error) == (State.SENT, 2, "")
    assert mailbox.recipients() == Counter({"anna@example.org": 1})


@pytest.mark.django_db
def test_back_off_grows_with_each_temporary_failure(mailbox):
    mailbox.data_script.extend(["451 4.3.0 Try again later"] * 3)
    sign_up(EventFactory(), "anna@example.org")
    delays = []

    for _ in range(3):
        make_due()
        now = timezone.now()
        delivery.deliver_due()
        delays.append(Message.objects.get().next_attempt_at - now)

    assert [round(delay / timedelta(minutes=1)) for delay in delays] == [1, 2, 4]
    make_due()
    assert delivery.deliver_due() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("command", ["RCPT", "DATA"])
def test_a_permanent_smtp_refusal_fails_the_message_for_good(mailbox, command, admin_client):
    if command == "RCPT":
        mailbox.reject["nobody@example.org"] = "550 5.1.1 No such user"
    else:
        mailbox.reject_data["nobody@example.org"] = "550 5.1.1 No such user"
    event = EventFactory()
    sign_up(event, "nobody@example.org")
    sign_up(event, "anna@example.org")

    assert delivery.deliver_due() == 1

    failed = Message.objects.get(recipient="nobody@example.org")
    assert (failed.state, failed.attempts) == (State.FAILED, 1)
    assert "550" in failed.last_error
    assert mailbox.recipients() == Counter({"anna@example.org": 1})  # the rest of the batch went out

    attempts = (len(mailbox.rcpt_attempts), mailbox.data_attempts)
    Message.objects.filter(pk=failed.pk).update(next_attempt_at=timezone.now() - timedelta(hours=1))
    assert delivery.deliver_due() == 0
    assert (len(mailbox.rcpt_attempts), mailbox.data_attempts) == attempts  # never tried again
    failed.refresh_from_db()
    assert (failed.state, failed.attempts) == (State.FAILED, 1)

    # Organisers see it in the admin list of messages, with its error.
    page = admin_client.get("/admin/notifications/message/", {"state__exact": "failed"})
    assert page.status_code == 200
    assert "nobody@example.org" in page.text and "550" in page.text
    assert "anna@example.org" not in page.text


@pytest.mark.django_db
def test_an_smtp_server_that_is_down_leaves_messages_pending_until_it_is_up(settings, smtp_servers):
    server = smtp_servers(start=False)  # a free port with nothing listening
    settings.MAILERS = server.mailer()
    event = EventFactory()
    for i in range(3):
        sign_up(event, f"person{i}@example.org")

    assert delivery.deliver_due() == 0

    assert set(Message.objects.values_list("state", "attempts")) == {(State.PENDING, 1)}
    assert all("Connection refused" in error for error in Message.objects.values_list("last_error", flat=True))
    assert not Message.objects.filter(next_attempt_at__lte=timezone.now()).exists()

    server.start()
    assert delivery.deliver_due() == 0  # still backing off
    make_due()
    assert delivery.deliver_due() == 3

    assert server.handler.recipients() == Counter({f"person{i}@example.org": 1 for i in range(3)})
    assert set(Message.objects.values_list("state", "attempts")) == {(State.SENT, 2)}


@pytest.mark.django_db
@pytest.mark.parametrize("command", ["RCPT", "DATA"])
def test_a_connection_dropped_mid_batch_loses_nothing_and_doubles_nothing(mailbox, command):
    """The server accepts two messages, then closes the socket instead of answering the
    third (it has not taken it). The rest of the batch goes out on a new connection; the
    dropped one is retried."""
    script = mailbox.rcpt_script if command == "RCPT" else mailbox.data_script
    script.extend([None, None, DROP])
    event = EventFactory(capacity=None)
    for i in range(6):
        sign_up(event, f"person{i}@example.org")

    sent = delivery.deliver_due()

    assert sent == 5
    dropped = Message.objects.get(state=State.PENDING)
    assert dropped.recipient == "person2@example.org"
    assert dropped.attempts == 1 and dropped.last_error.startswith("SMTPServerDisconnected")
    assert dropped.next_attempt_at > timezone.now()

    make_due()
    assert delivery.deliver_due() == 1

    assert mailbox.recipients() == Counter({f"person{i}@example.org": 1 for i in range(6)})
    assert Message.objects.filter(state=State.SENT).count() == 6


# Redis -----------------------------------------------------------------------------------


def _post_signup(client, event, email) -> None:
    started = time.monotonic()
    response = client.post("/api/signups", signup_payload([event.id], email=email), content_type="application/json")
    elapsed = time.monotonic() - started
    assert response.status_code == 201, response.content
    # A hang on the dead broker would show here (the publish must time out fast).
    assert elapsed < 5, f"sign-up took {elapsed:.1f}s with Redis down"


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_signups_while_redis_is_down_succeed_and_every_message_is_sent_once_it_is_back(
    broker, redis_server, smtp_server, celery_processes
):
    """Redis is stopped while three people sign up through the API: each request commits
    quickly (the wake-up fails fast and is only logged) and leaves a PENDING message.

    Then Redis comes back, a real worker starts (`celery -A config worker`, the development
    settings module configured by environment: this test database, the private Redis,
    the local SMTP server) and the periodic sweep is published as beat would publish it.
    Every message arrives once."""
    event = EventFactory(capacity=2)
    redis_server.stop()

    client = Client()
    for i in range(3):
        _post_signup(client, event, f"person{i}@example.org")

    assert sorted(Message.objects.values_list("kind", "state")) == [
        (Kind.CONFIRMATION, State.PENDING),
        (Kind.CONFIRMATION, State.PENDING),
        (Kind.WAITLISTED, State.PENDING),
    ]

    redis_server.start()
    celery_processes.worker()
    sweep_outbox.delay()

    mailbox = smtp_server.handler
    mailbox.wait_for(3, timeout=30)
    wait_until(
        lambda: not Message.objects.exclude(state=State.SENT).exists(), timeout=10, message="all rows marked sent"
    )
    # Wake-ups and sweeps after the fact find nothing more to send.
    deliver_pending.delay()
    sweep_outbox.delay()
    wait_until(lambda: redis_server.queue_length("mail") == 0, timeout=10, message="the mail queue to drain")
    time.sleep(0.5)
    celery_processes.assert_running()
    assert mailbox.recipients() == Counter({f"person{i}@example.org": 1 for i in range(3)})


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_two_workers_on_redis_deliver_200_messages_each_exactly_once(
    broker, redis_server, smtp_server, celery_processes
):
    """200 messages are written in ten transactions, each of which wakes the sender after
    commit; two workers take those tasks plus duplicated sweeps and wake-ups from Redis and
    race for the rows. Every recipient gets one e-mail."""
    event = EventFactory(capacity=None)
    registrations = RegistrationFactory.create_batch(200, event=event)
    celery_processes.worker("worker1")
    celery_processes.worker("worker2")

    from django.db import transaction

    for start in range(0, 200, 20):
        with transaction.atomic():
            outbox.queue_for_registrations(Kind.CONFIRMATION, registrations[start : start + 20])
    for _ in range(4):
        sweep_outbox.delay()
        deliver_pending.delay()

    mailbox = smtp_server.handler
    mailbox.wait_for(200, timeout=60)
    wait_until(lambda: Message.objects.filter(state=State.SENT).count() == 200, timeout=10, message="200 rows sent")
    wait_until(lambda: redis_server.queue_length("mail") == 0, timeout=20, message="the mail queue to drain")
    time.sleep(0.5)
    celery_processes.assert_running()
    counts = mailbox.recipients()
    assert len(counts) == 200
    assert set(counts.values()) == {1}, [address for address, n in counts.items() if n > 1]
    assert Message.objects.filter(attempts=1).count() == 200
    # Both workers did some of the work.
    for name in ("worker1", "worker2"):
        assert "succeeded" in celery_processes.log(name), celery_processes.log(name)
