"""The sender's wake-ups on a real (private) Redis broker: at most one waits in the queue, a
wake-up that has started lets the next commit publish again, and a long queue keeps
itself going when a task's time budget runs out."""

import pytest
import redis
from django.test import Client

from notifications import delivery, outbox, wakeup
from notifications.models import Message
from notifications.tasks import deliver_pending
from tests.factories import EventFactory, RegistrationFactory, signup_payload

State = Message.State


def _sign_up(client: Client, event, email: str) -> None:
    response = client.post("/api/signups", signup_payload([event.id], email=email), content_type="application/json")
    assert response.status_code == 201, response.content


def _flag_ttl(redis_server) -> int:
    with redis.Redis.from_url(redis_server.url) as client:
        return client.ttl(wakeup.FLAG)


@pytest.mark.django_db(transaction=True)
def test_commits_while_a_wake_up_waits_publish_no_more(broker, redis_server):
    """Ten sign-ups with no worker running: every one commits its message, and the queue
    holds one wake-up, not ten (each would cost its request a broker publish)."""
    event = EventFactory(capacity=None)
    client = Client()
    for i in range(10):
        _sign_up(client, event, f"person{i}@example.org")

    assert Message.objects.filter(state=State.PENDING).count() == 10
    assert redis_server.queue_length("mail") == 1
    # A flag left by a wake-up that got lost goes away by itself.
    assert 0 < _flag_ttl(redis_server) <= wakeup.FLAG_SECONDS


@pytest.mark.django_db(transaction=True)
def test_a_wake_up_that_has_started_lets_the_next_commit_publish_again(broker, redis_server, mailbox):
    event = EventFactory(capacity=None)
    client = Client()
    _sign_up(client, event, "first@example.org")
    assert redis_server.queue_length("mail") == 1

    # The task as a worker runs it: it clears the flag before it looks for rows.
    assert deliver_pending.apply().get() == 1
    assert _flag_ttl(redis_server) == -2  # no such key

    _sign_up(client, event, "second@example.org")
    assert redis_server.queue_length("mail") == 2
    assert delivery.deliver_due() == 1
    assert sorted(mailbox.recipients()) == ["first@example.org", "second@example.org"]


@pytest.mark.django_db(transaction=True)
def test_rows_left_when_the_time_budget_runs_out_get_a_fresh_wake_up(broker, redis_server, mailbox):
    """A task stops after its time budget so that it stays short; the rows it leaves are
    queued for the next task at once instead of waiting for the minute's sweep."""
    registrations = RegistrationFactory.create_batch(delivery.BATCH_SIZE + 10, event=EventFactory(capacity=None))
    outbox.queue_for_registrations(Message.Kind.CONFIRMATION, registrations)  # autocommit: woken at once
    assert redis_server.queue_length("mail") == 1
    wakeup.wake_up_received(broker)  # as the task does first

    assert delivery.deliver_due(time_budget=0) == delivery.BATCH_SIZE

    assert Message.objects.filter(state=State.PENDING).count() == 10
    assert redis_server.queue_length("mail") == 2
    assert delivery.deliver_due() == 10
    # Nothing left: no further wake-up.
    assert redis_server.queue_length("mail") == 2


@pytest.mark.django_db(transaction=True)
def test_a_publish_that_fails_leaves_no_flag_behind(broker, redis_server, caplog):
    """Had the flag stayed after a failed publish, commits would wait for it to expire."""
    event = EventFactory(capacity=None)
    with redis.Redis.from_url(redis_server.url) as client:
        # The queue's key holds a string, so the broker's LPUSH fails after the flag is set.
        client.set("mail", "not a list")
        _sign_up(Client(), event, "person@example.org")
        assert client.exists(wakeup.FLAG) == 0
        client.delete("mail")

    assert "WRONGTYPE" in caplog.text
    _sign_up(Client(), event, "next@example.org")
    assert redis_server.queue_length("mail") == 1


@pytest.mark.django_db(transaction=True)
def test_a_full_batch_wakes_another_sender_to_share_the_queue(broker, redis_server, mailbox):
    """Rows committed before any worker starts leave one wake-up in the queue; the worker
    that takes it finds a full batch and queues another, so a second worker sends beside
    it instead of idling."""
    registrations = RegistrationFactory.create_batch(2 * delivery.BATCH_SIZE + 5, event=EventFactory(capacity=None))
    outbox.queue_for_registrations(Message.Kind.CONFIRMATION, registrations)
    assert redis_server.queue_length("mail") == 1
    wakeup.wake_up_received(broker)  # as the task does first

    assert delivery.deliver_due() == 2 * delivery.BATCH_SIZE + 5
    # The first full batch queued a wake-up for another worker; later ones found it waiting.
    assert redis_server.queue_length("mail") == 2
