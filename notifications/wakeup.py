"""Waking the sender: one publish after a transaction that wrote messages commits.

The publish is best effort. The rows are committed already, and the minute's sweep
(tasks.sweep_outbox) sends whatever a lost wake-up left behind, so a publish that fails is
logged and not retried: the broker's timeouts are short, and a request never waits on a dead
or hung Redis for more than one of them.
"""

import threading

from django.db import transaction

_asked = threading.local()


def wake_sender_on_commit() -> None:
    """Publishes a wake-up once the current transaction commits; asked several times in one
    transaction, it publishes once."""
    _asked.pending = True
    transaction.on_commit(_publish_once, robust=True)


def _publish_once() -> None:
    # Every callback of a transaction runs after its commit; the first one covers them all.
    if getattr(_asked, "pending", False):
        _asked.pending = False
        publish_wake_up()


def publish_wake_up() -> None:
    """Queues a deliver_pending task. Broker errors propagate to the caller."""
    from .tasks import deliver_pending  # the tasks import the sender, which imports this module

    deliver_pending.delay()  # tried once: CELERY_TASK_PUBLISH_RETRY is off
