"""The sender's wake-ups on a real (private) Redis broker: one publish after each transaction
that wrote messages, a failed publish that costs the sign-up nothing, and a long queue that
keeps itself going when a task's time budget runs out or its batches are full."""

import pytest
import redis
from django.test import Client

from notifications import delivery, outbox
from notifications.models import Message
from tests.factories import EventFactory, RegistrationFactory, signup_payload

State = Message.State
WAKE_UP = {"task": "notifications.tasks.deliver_pending", "kwargs": {}, "eta": None}


def _sign_up(client: Client, event, email: str) -> None:
    response = client.post("/api/signups", signup_payload([event.id], email=email), content_type="application/json")
    assert response.status_code == 201, response.content


@pytest.mark.django_db(transaction=True)
def test_each_committed_sign_up_publishes_one_wake_up(broker, redis_server):
    event = EventFactory(capacity=None)
    client = Client()
    for i in range(3):
        _sign_up(client, event, f"person{i}@example.org")

    assert Message.objects.filter(state=State.PENDING).count() == 3
    assert redis_server.queued_tasks("celery") == [WAKE_UP] * 3


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_sends_each_sign_ups_e_mail_without_the_sweep(
    broker, redis_server, smtp_server, celery_processes
):
    """No beat runs, so only the wake-ups can have sent the e-mails."""
    event = EventFactory(capacity=None)
    client = Client()
    celery_processes.worker()

    _sign_up(client, event, "first@example.org")
    mailbox = smtp_server.handler
    mailbox.wait_for(1, timeout=30)
    _sign_up(client, event, "second@example.org")

    mailbox.wait_for(2, timeout=10)
    assert sorted(mailbox.recipients()) == ["first@example.org", "second@example.org"]
    celery_processes.assert_running()


@pytest.mark.django_db(transaction=True)
def test_a_publish_that_fails_is_logged_and_the_row_waits_for_the_sweep(broker, redis_server, caplog):
    event = EventFactory(capacity=None)
    with redis.Redis.from_url(redis_server.url) as client:
        # The queue's key holds a string, so the broker's LPUSH fails.
        client.set("celery", "not a list")
        _sign_up(Client(), event, "person@example.org")
        client.delete("celery")

    assert "WRONGTYPE" in caplog.text
    assert Message.objects.get().state == State.PENDING
    _sign_up(Client(), event, "next@example.org")
    assert redis_server.queue_length("celery") == 1
    assert delivery.deliver_due() == 2


@pytest.mark.django_db(transaction=True)
def test_rows_left_when_the_time_budget_runs_out_get_a_fresh_wake_up(broker, redis_server, mailbox):
    """A task stops after its time budget so that it stays short; the rows it leaves are
    queued for the next task at once instead of waiting for the minute's sweep."""
    registrations = RegistrationFactory.create_batch(delivery.BATCH_SIZE + 10, event=EventFactory(capacity=None))
    outbox.queue_for_registrations(Message.Kind.CONFIRMATION, registrations)  # autocommit: woken at once
    assert redis_server.queue_length("celery") == 1

    assert delivery.deliver_due(time_budget=0) == delivery.BATCH_SIZE

    assert Message.objects.filter(state=State.PENDING).count() == 10
    # One for a helper when the first batch was full, one to carry on when the budget ran out.
    assert redis_server.queue_length("celery") == 3
    assert delivery.deliver_due() == 10
    # Nothing left: no further wake-up.
    assert redis_server.queue_length("celery") == 3


@pytest.mark.django_db(transaction=True)
def test_a_full_batch_wakes_one_more_sender_to_share_the_queue(broker, redis_server, mailbox):
    """Rows committed before any worker starts leave one wake-up in the queue; the task that
    takes it finds a full batch and queues one more, so a second worker sends beside it
    instead of idling."""
    registrations = RegistrationFactory.create_batch(3 * delivery.BATCH_SIZE + 5, event=EventFactory(capacity=None))
    outbox.queue_for_registrations(Message.Kind.CONFIRMATION, registrations)
    assert redis_server.queue_length("celery") == 1

    assert delivery.deliver_due() == 3 * delivery.BATCH_SIZE + 5
    assert redis_server.queue_length("celery") == 2
