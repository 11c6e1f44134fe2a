"""The sender's wake-ups on a real (private) Redis broker: at most one waits in the queue, a
wake-up that has started lets the next commit publish again, a process that has just seen a
wake-up leaves its next commits to it and to its follow-up, and a long queue keeps itself
going when a task's time budget runs out."""

from datetime import datetime

import pytest
import redis
from django.test import Client
from django.utils import timezone

from notifications import delivery, outbox, wakeup
from notifications.models import Message
from notifications.tasks import deliver_pending
from tests.factories import EventFactory, RegistrationFactory, signup_payload
from tests.notifications.conftest import wait_until

State = Message.State


def _sign_up(client: Client, event, email: str) -> None:
    response = client.post("/api/signups", signup_payload([event.id], email=email), content_type="application/json")
    assert response.status_code == 201, response.content


def _flag_ttl(redis_server) -> int:
    with redis.Redis.from_url(redis_server.url) as client:
        return client.ttl(wakeup.FLAG)


def _clear_flag(redis_server) -> None:
    with redis.Redis.from_url(redis_server.url) as client:
        client.delete(wakeup.FLAG)


class Clock:
    """This process's monotonic clock for the wake-up window, moved by hand."""

    def __init__(self, monkeypatch):
        self.now = 1000.0
        monkeypatch.setattr(wakeup, "monotonic", lambda: self.now)


WAKE_UP = {"task": "notifications.tasks.deliver_pending", "kwargs": {}}


@pytest.mark.django_db(transaction=True)
def test_commits_while_a_wake_up_waits_publish_no_more(broker, redis_server, every_commit_asks):
    """Ten sign-ups with no worker running, each asking the flag: every one commits its
    message, and the queue holds one wake-up, not ten (each would cost its request a broker
    publish)."""
    event = EventFactory(capacity=None)
    client = Client()
    for i in range(10):
        _sign_up(client, event, f"person{i}@example.org")

    assert Message.objects.filter(state=State.PENDING).count() == 10
    assert redis_server.queue_length("mail") == 1
    # A flag left by a wake-up that got lost goes away by itself.
    assert 0 < _flag_ttl(redis_server) <= wakeup.FLAG_SECONDS


@pytest.mark.django_db(transaction=True)
def test_a_wake_up_that_has_started_lets_the_next_commit_publish_again(
    broker, redis_server, mailbox, every_commit_asks
):
    event = EventFactory(capacity=None)
    client = Client()
    _sign_up(client, event, "first@example.org")
    assert redis_server.queued_tasks("mail") == [{**WAKE_UP, "eta": None}]

    # The task as a worker runs it: it clears the flag before it looks for rows.
    assert deliver_pending.apply().get() == 1
    assert _flag_ttl(redis_server) == -2  # no such key

    _sign_up(client, event, "second@example.org")
    wake_up, follow_up, next_wake_up = redis_server.queued_tasks("mail")
    assert follow_up["kwargs"] == {"follow_up": True}
    assert next_wake_up == {**WAKE_UP, "eta": None}
    assert delivery.deliver_due() == 1
    assert sorted(mailbox.recipients()) == ["first@example.org", "second@example.org"]


@pytest.mark.django_db(transaction=True)
def test_a_wake_up_looks_again_a_second_later_for_what_was_committed_without_asking(
    broker, redis_server, mailbox, monkeypatch
):
    """A process that has just published a wake-up asks nothing for its next commits: the
    wake-up's task, having looked, queues one follow-up that looks FOLLOW_UP_SECONDS later,
    and that follow-up sends them. It asks nothing and queues nothing itself."""
    Clock(monkeypatch)  # stands still: every commit below is inside the window
    event = EventFactory(capacity=None)
    client = Client()
    _sign_up(client, event, "first@example.org")

    looked_at = timezone.now()
    assert deliver_pending.apply().get() == 1  # clears the flag, sends, queues the follow-up
    wake_up, follow_up = redis_server.queued_tasks("mail")
    assert follow_up["kwargs"] == {"follow_up": True}
    delay = (datetime.fromisoformat(follow_up["eta"]) - looked_at).total_seconds()
    assert wakeup.FOLLOW_UP_SECONDS <= delay < wakeup.FOLLOW_UP_SECONDS + 5

    _sign_up(client, event, "second@example.org")
    _sign_up(client, event, "third@example.org")
    assert len(redis_server.queued_tasks("mail")) == 2  # nothing published
    assert _flag_ttl(redis_server) == -2  # nor the flag asked: SET NX would have set it

    assert deliver_pending.apply(kwargs={"follow_up": True}).get() == 2
    assert len(redis_server.queued_tasks("mail")) == 2  # no follow-up of a follow-up
    assert _flag_ttl(redis_server) == -2
    assert sorted(mailbox.recipients()) == ["first@example.org", "second@example.org", "third@example.org"]


@pytest.mark.django_db(transaction=True)
def test_the_window_closes_before_the_follow_up_and_the_next_commit_asks_again(broker, redis_server, monkeypatch):
    """The window lasts COVERED_SECONDS from the moment the flag was asked, less than
    FOLLOW_UP_SECONDS: a commit after it asks the flag (and here publishes, the flag being gone)."""
    clock = Clock(monkeypatch)
    assert 0 < wakeup.COVERED_SECONDS < wakeup.FOLLOW_UP_SECONDS
    event = EventFactory(capacity=None)
    client = Client()
    _sign_up(client, event, "first@example.org")
    _clear_flag(redis_server)  # as a task that has started would

    clock.now += wakeup.COVERED_SECONDS - 0.01
    _sign_up(client, event, "inside@example.org")
    assert _flag_ttl(redis_server) == -2
    assert redis_server.queue_length("mail") == 1

    clock.now += 0.01
    _sign_up(client, event, "after@example.org")
    assert 0 < _flag_ttl(redis_server) <= wakeup.FLAG_SECONDS
    assert redis_server.queue_length("mail") == 2


@pytest.mark.django_db(transaction=True)
def test_a_process_that_found_a_wake_up_waiting_trusts_it_too(broker, redis_server, monkeypatch):
    """Finding the flag set is as good as publishing: that wake-up has yet to look, and its
    follow-up looks a second after it has."""
    event = EventFactory(capacity=None)
    _sign_up(Client(), event, "elsewhere@example.org")  # a wake-up published and its flag set
    monkeypatch.setattr(wakeup, "_covered_until", 0.0)  # as in a process that has seen none
    Clock(monkeypatch)
    asked = []
    ask = wakeup.publish_wake_up
    monkeypatch.setattr(wakeup, "publish_wake_up", lambda: asked.append(1) or ask())

    _sign_up(Client(), event, "first@example.org")  # asks, finds the flag: publishes nothing
    assert len(asked) == 1
    _clear_flag(redis_server)
    _sign_up(Client(), event, "second@example.org")  # inside the window: asks nothing

    assert len(asked) == 1
    assert _flag_ttl(redis_server) == -2
    assert redis_server.queue_length("mail") == 1


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_sends_what_was_committed_inside_the_window(
    broker, redis_server, smtp_server, celery_processes, monkeypatch
):
    """With a real worker and no beat (so no sweep): the second sign-up publishes nothing,
    and its e-mail still arrives, sent by the first wake-up's follow-up."""
    Clock(monkeypatch)
    published = []
    publish = wakeup.publish_wake_up
    monkeypatch.setattr(wakeup, "publish_wake_up", lambda: published.append(1) or publish())
    event = EventFactory(capacity=None)
    client = Client()
    celery_processes.worker()

    _sign_up(client, event, "first@example.org")
    mailbox = smtp_server.handler
    mailbox.wait_for(1, timeout=30)
    # The wake-up has looked and ended (had it not, it might find the next row itself).
    wait_until(lambda: "succeeded" in celery_processes.log("worker"), timeout=10, message="the wake-up to end")
    _sign_up(client, event, "second@example.org")  # before the follow-up looks, a second later

    mailbox.wait_for(2, timeout=10)
    assert sorted(mailbox.recipients()) == ["first@example.org", "second@example.org"]
    assert len(published) == 1
    celery_processes.assert_running()


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
