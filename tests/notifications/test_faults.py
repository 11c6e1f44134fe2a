"""Faults injected for real: an SMTP server that answers 451 or 550, drops the connection or
is not there at all; a Redis broker that is stopped while people sign up; two Celery
workers racing for the same outbox. Each message must arrive exactly once, or be marked
failed for organisers to see when the server refuses it for good.
"""

import socket
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
from tests.support.broker import REDIS_TRANSPORT_OPTIONS
from tests.support.smtp import DROP
from tests.support.waiting import wait_until

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


@pytest.mark.django_db
def test_an_smtp_server_that_never_answers_holds_the_batch_up_once_not_per_message(settings):
    """A server that takes the TCP connection but never greets (hung, or a firewall that
    swallows packets): the first message waits out the timeout; the others of the batch go
    back for later instead of each waiting the same timeout in turn."""
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(16)  # connections complete in the kernel's backlog; nobody ever answers
        settings.MAILERS = {
            "default": {
                "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                "OPTIONS": {"host": "127.0.0.1", "port": silent.getsockname()[1], "timeout": 1},
            }
        }
        event = EventFactory(capacity=None)
        for i in range(8):
            sign_up(event, f"person{i}@example.org")

        started = time.monotonic()
        assert delivery.deliver_due() == 0
        elapsed = time.monotonic() - started

    assert elapsed < 3, f"deliver_due took {elapsed:.1f}s for 8 messages to a silent server"
    assert set(Message.objects.values_list("state", "attempts")) == {(State.PENDING, 1)}
    assert not Message.objects.filter(next_attempt_at__lte=timezone.now()).exists()
    assert all("timed out" in error for error in Message.objects.values_list("last_error", flat=True))


@pytest.mark.django_db
def test_a_refused_login_fails_nothing_for_good_and_mail_flows_once_the_password_is_fixed(settings, smtp_servers):
    """535 is a 5xx, but it says our settings are wrong, not the address: a wrong password
    in a deployment must not turn every confirmation into a permanent failure."""
    server = smtp_servers(password="right")
    wrong = server.mailer()
    wrong["default"]["OPTIONS"].update(username="traffpunkt", password="wrong")
    settings.MAILERS = wrong
    event = EventFactory()
    for i in range(3):
        sign_up(event, f"person{i}@example.org")

    assert delivery.deliver_due() == 0

    assert set(Message.objects.values_list("state", "attempts")) == {(State.PENDING, 1)}
    assert all("535" in error for error in Message.objects.values_list("last_error", flat=True))

    wrong["default"]["OPTIONS"]["password"] = "right"
    settings.MAILERS = wrong
    make_due()
    assert delivery.deliver_due() == 3
    assert server.handler.recipients() == Counter({f"person{i}@example.org": 1 for i in range(3)})


# Each label is under 63 characters as typed, but IDNA (what SMTP is given) makes the first
# one longer than 63, so no mail server can carry it.
UNSENDABLE = "anna@" + "ä" * 40 + "b" * 20 + ".org"


@pytest.mark.django_db
def test_the_signup_refuses_an_address_smtp_cannot_carry(client):
    event = EventFactory(capacity=None)
    response = client.post(
        "/api/signups", signup_payload([event.id], email=UNSENDABLE), content_type="application/json"
    )
    assert response.status_code == 422
    assert "email" in response.json()["detail"]


@pytest.mark.django_db
def test_an_address_smtp_cannot_carry_fails_its_message_and_holds_up_nothing_else(mailbox, client):
    # Such a row can still exist (written before the sign-up refused such addresses, or by
    # hand in the admin): it must fail alone.
    event = EventFactory(capacity=None)
    for email in ("first@example.org", UNSENDABLE, "last@example.org"):
        registration = RegistrationFactory(event=event, email=email)
        outbox.queue_signup(registration)

    assert delivery.deliver_due() == 2

    assert mailbox.recipients() == Counter({"first@example.org": 1, "last@example.org": 1})
    unsendable = Message.objects.get(recipient__startswith="anna@")
    assert (unsendable.state, unsendable.attempts) == (State.FAILED, 1)
    assert "too long" in unsendable.last_error
    assert not Message.objects.filter(state__in=[State.PENDING, State.SENDING]).exists()


@pytest.mark.django_db
def test_a_message_that_keeps_failing_temporarily_is_failed_in_the_end(mailbox):
    mailbox.reject["anna@example.org"] = "451 4.3.0 Try again later"
    sign_up(EventFactory(), "anna@example.org")

    for _ in range(delivery.MAX_ATTEMPTS):
        make_due()
        delivery.deliver_due()

    message = Message.objects.get()
    assert (message.state, message.attempts) == (State.FAILED, delivery.MAX_ATTEMPTS)
    assert "451" in message.last_error
    assert len(mailbox.rcpt_attempts) == delivery.MAX_ATTEMPTS


@pytest.mark.django_db
def test_a_claim_left_by_a_crashed_worker_is_sent_once_it_is_stale(mailbox):
    """A worker that died between claiming and sending leaves rows in SENDING; the sweep
    hands them out again after STALE_CLAIM, not before (a live worker may still send them)."""
    event = EventFactory(capacity=None)
    sign_up(event, "crashed@example.org")
    sign_up(event, "busy@example.org")
    claimed = delivery.claim_batch(now=timezone.now())
    assert len(claimed) == 2  # ... and the worker that claimed them dies here
    long_ago = timezone.now() - delivery.STALE_CLAIM - timedelta(minutes=1)
    Message.objects.filter(recipient="crashed@example.org").update(claimed_at=long_ago)

    assert sweep_outbox() == 1

    assert mailbox.recipients() == Counter({"crashed@example.org": 1})
    assert Message.objects.get(recipient="busy@example.org").state == State.SENDING


# Redis -----------------------------------------------------------------------------------


def _post_signup(client, event, email, *, limit: float = 5) -> None:
    started = time.monotonic()
    response = client.post("/api/signups", signup_payload([event.id], email=email), content_type="application/json")
    elapsed = time.monotonic() - started
    assert response.status_code == 201, response.content
    # A hang on the dead broker would show here (the publish must time out fast).
    assert elapsed < limit, f"sign-up took {elapsed:.1f}s with Redis down"


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
    wait_until(lambda: redis_server.queue_length("celery") == 0, timeout=10, message="the mail queue to drain")
    time.sleep(0.5)
    celery_processes.assert_running()
    assert mailbox.recipients() == Counter({f"person{i}@example.org": 1 for i in range(3)})


@pytest.mark.django_db(transaction=True)
def test_one_transaction_wakes_the_sender_once_however_many_messages_it_writes(broker, redis_server):
    """A sign-up for several meetings writes a message per meeting; publishing a wake-up per
    message would make the request pay a broker round trip (or, with Redis hung, a socket
    timeout) for each of them. One task, sent after commit, sends them all."""
    events = EventFactory.create_batch(4, capacity=None)
    response = Client().post(
        "/api/signups", signup_payload([event.id for event in events]), content_type="application/json"
    )
    assert response.status_code == 201
    assert Message.objects.count() == 4

    assert redis_server.queue_length("celery") == 1


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_signups_while_redis_hangs_wait_for_one_broker_timeout_at_most(broker, redis_server, mailbox):
    """A hung Redis (the process stopped with SIGSTOP, like a frozen VM or a network that
    drops packets) accepts connections and never answers, so only the socket timeout ends
    the wake-up after commit. It must end it once, not once per retry."""
    limit = REDIS_TRANSPORT_OPTIONS["socket_timeout"] + 1.5
    event = EventFactory(capacity=5)
    client = Client()
    _post_signup(client, event, "before@example.org")  # the web process now holds a broker connection
    redis_server.freeze()
    try:
        for i in range(2):
            _post_signup(client, event, f"person{i}@example.org", limit=limit)
    finally:
        redis_server.thaw()

    assert set(Message.objects.values_list("state", flat=True)) == {State.PENDING}
    assert delivery.deliver_due() == 3
    assert mailbox.recipients() == Counter(
        {"before@example.org": 1, "person0@example.org": 1, "person1@example.org": 1}
    )


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
    wait_until(lambda: redis_server.queue_length("celery") == 0, timeout=20, message="the mail queue to drain")
    time.sleep(0.5)
    celery_processes.assert_running()
    counts = mailbox.recipients()
    assert len(counts) == 200
    assert set(counts.values()) == {1}, [address for address, n in counts.items() if n > 1]
    assert Message.objects.filter(attempts=1).count() == 200
    # Both workers did some of the work.
    for name in ("worker1", "worker2"):
        assert "succeeded" in celery_processes.log(name), celery_processes.log(name)
