"""Redis killed under a running worker and beat, then started again: sign-ups keep answering
while it is gone, the worker and beat carry on once it is back, and every confirmation
arrives exactly once.

With kombu's ack emulation on, a Celery 5.7.0 worker that lost the broker while a task was
unacknowledged crashed ("Unrecoverable error: AttributeError: 'NoneType' object has no
attribute 'hostname'", from kombu's restore_unacked) and sent nothing again; see
REDIS_BROKER_TRANSPORT_OPTIONS in config/settings/base.py.
"""

import asyncio
import threading
import time
from collections import Counter

import pytest
from django.test import Client

from notifications.models import Message
from tests.factories import EventFactory, signup_payload
from tests.support.waiting import wait_until

State = Message.State


def sign_up(client: Client, event, email: str, *, limit: float) -> None:
    started = time.monotonic()
    response = client.post("/api/signups", signup_payload([event.id], email=email), content_type="application/json")
    elapsed = time.monotonic() - started
    assert response.status_code == 201, response.content
    assert elapsed < limit, f"the sign-up of {email} took {elapsed:.1f}s"


class HeldDeliveries:
    """Makes the SMTP server keep every message waiting for its final reply until release(),
    so that a worker's task is in the middle of sending (and unacknowledged) at a chosen moment."""

    def __init__(self, handler):
        self.arrived = threading.Event()
        self.released = threading.Event()
        accept = handler.handle_DATA

        async def handle_DATA(server, session, envelope):
            self.arrived.set()
            while not self.released.is_set():
                await asyncio.sleep(0.05)
            return await accept(server, session, envelope)

        handler.handle_DATA = handle_DATA  # aiosmtpd looks the hook up on each new connection

    def release(self) -> None:
        self.released.set()


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_every_confirmation_arrives_once_when_redis_is_killed_under_a_running_worker_and_beat(
    broker, redis_server, smtp_server, celery_processes
):
    event = EventFactory(capacity=None)
    mailbox = smtp_server.handler
    held = HeldDeliveries(mailbox)
    # The worker as `make run` and compose start it, with the prefork pool: its main process
    # waits on the broker while a child sends. (The fixture's worker() uses the solo pool.)
    celery_processes._start("worker", ["worker", "--loglevel", "INFO", "--concurrency", "2"])
    celery_processes.beat()
    client = Client()

    before = [f"before{i}@example.org" for i in range(3)]
    for email in before:
        sign_up(client, event, email, limit=5)
    assert held.arrived.wait(30), "the worker never started sending:\n" + celery_processes.log("worker")

    # SIGKILL while the worker's task is sending; then the task finishes without a broker.
    redis_server.process.kill()
    redis_server.process.wait(5)
    held.release()
    wait_until(
        lambda: not Message.objects.filter(state=State.SENDING).exists(),
        timeout=30,
        message="the worker's task to finish sending",
    )
    wait_until(
        lambda: "Connection to broker lost" in celery_processes.log("worker"),
        timeout=30,
        message="the worker to notice that the broker is gone",
    )

    # With the broker gone a sign-up still answers at once; its wake-up is lost, the row waits.
    during = [f"during{i}@example.org" for i in range(3)]
    for email in during:
        sign_up(client, event, email, limit=2)
    assert set(Message.objects.filter(recipient__in=during).values_list("state", flat=True)) == {State.PENDING}

    redis_server.start()
    wait_until(
        lambda: (
            celery_processes.log("worker").count("Connected to redis") >= 2
            or any(process.poll() is not None for process, _log in celery_processes.processes)
        ),
        timeout=60,
        message="the worker to reconnect",
    )
    celery_processes.assert_running()

    # Nothing woke the sender for these three: beat's sweep, published after the outage, sends them.
    mailbox.wait_for(len(before) + len(during), timeout=90)
    # And wake-ups work again: a new sign-up is sent without waiting for the sweep.
    sign_up(client, event, "after@example.org", limit=5)
    mailbox.wait_for(len(before) + len(during) + 1, timeout=20)

    time.sleep(1)  # a duplicate would arrive now
    assert mailbox.recipients() == Counter(dict.fromkeys([*before, *during, "after@example.org"], 1))
    assert set(Message.objects.values_list("state", flat=True)) == {State.SENT}
    celery_processes.assert_running()
