"""Waking the sender after a commit, with at most one wake-up waiting in the queue.

A wake-up (the deliver_pending task) sends every due row, so while one waits in the queue a
second adds nothing but a broker publish, which is the dearest step of a sign-up. On Redis a
flag beside the queue says a wake-up is waiting: a commit that finds the flag set publishes
nothing, and the task clears the flag *before* it looks for rows, so whatever committed while
the flag stood is seen by that task. Either a commit sets the flag and publishes, or it finds
the flag of a wake-up that has yet to look.

Every wake-up looks once more FOLLOW_UP_SECONDS after it has looked (queue_follow_up). So a
process that has just published a wake-up, or found the flag of one, knows that a look comes
after anything it commits in the next FOLLOW_UP_SECONDS: the wake-up's own, or else its
follow-up. For that long its commits ask nothing (wake_after_commit), and in a burst of
sign-ups each process asks Redis about once a second instead of once a sign-up.

A flag left behind by a wake-up that was lost (the broker restarted between flag and publish)
expires after FLAG_SECONDS; the minute's sweep sends those rows meanwhile, as it does those of
a lost follow-up. Brokers without a key-value store (the filesystem transport that `make run`
uses without Redis) publish a wake-up for every commit outside that window.
"""

import logging
from functools import lru_cache
from time import monotonic

import redis
from django.db import transaction
from redis.backoff import NoBackoff
from redis.retry import Retry

logger = logging.getLogger(__name__)

FLAG = "traffpunkt:outbox:wake-up-queued"
FLAG_SECONDS = 30
FOLLOW_UP_SECONDS = 1.0
# The part of FOLLOW_UP_SECONDS a process trusts, leaving a margin for clocks on other hosts.
COVERED_SECONDS = 0.8 * FOLLOW_UP_SECONDS

# monotonic() until which this process's commits are seen without a wake-up of their own.
_covered_until = 0.0


def wake_sender_on_commit() -> None:
    """Wakes the sender once the current transaction commits (once, however often asked)."""
    # A wake-up registered at this savepoint level or outside it commits with ours or not at all.
    connection = transaction.get_connection()
    current = set(connection.savepoint_ids)
    if any(func is wake_after_commit and sids <= current for sids, func, _robust in connection.run_on_commit):
        return
    transaction.on_commit(wake_after_commit, robust=True)


def wake_after_commit() -> None:
    """publish_wake_up(), unless this process published a wake-up or found one waiting less
    than COVERED_SECONDS ago: that wake-up's look or its follow-up's comes after this commit."""
    global _covered_until
    asked_at = monotonic()  # before the flag is asked: the window may only start earlier
    if asked_at < _covered_until:
        return
    publish_wake_up()
    _covered_until = asked_at + COVERED_SECONDS


def _flag_client(app) -> redis.Redis | None:
    """A client of the broker's Redis, with the broker's timeouts; None on other brokers.

    A plain client rather than the broker connection's own: every committed sign-up asks it,
    and going through the producer pool cost twice the CPU (0.2 ms against 0.1)."""
    url = app.conf.broker_url or ""
    if not url.startswith(("redis://", "rediss://", "unix://")):
        return None
    options = app.conf.broker_transport_options or {}
    return _redis_client(url, options.get("socket_connect_timeout"), options.get("socket_timeout"))


@lru_cache(maxsize=8)
def _redis_client(url: str, connect_timeout: float | None, timeout: float | None) -> redis.Redis:
    # No retries: a request must not wait on a dead or hung broker more than once.
    return redis.Redis.from_url(
        url, socket_connect_timeout=connect_timeout, socket_timeout=timeout, retry=Retry(NoBackoff(), 0)
    )


def publish_wake_up() -> None:
    """Queues a deliver_pending task unless one is already waiting.

    Broker errors propagate (on_commit logs them): the rows are committed, and the sweep is
    the retry. One try only, since every retry against a hung broker costs the web request
    another socket timeout.
    """
    from .tasks import deliver_pending

    client = _flag_client(deliver_pending.app)
    if client is not None and not client.set(FLAG, 1, nx=True, ex=FLAG_SECONDS):
        return
    try:
        deliver_pending.apply_async(retry_policy={"max_retries": 0})
    except Exception:
        _clear(client)
        raise


def wake_up_received(app) -> None:
    """Called by the task before it looks for rows: commits from now on publish again."""
    _clear(_flag_client(app))


def queue_follow_up() -> None:
    """Called by a wake-up's task after it has looked: one more look FOLLOW_UP_SECONDS later,
    for the rows of processes that trusted this wake-up instead of publishing their own."""
    from .tasks import deliver_pending

    try:
        deliver_pending.apply_async(
            kwargs={"follow_up": True}, countdown=FOLLOW_UP_SECONDS, retry_policy={"max_retries": 0}
        )
    except Exception:
        logger.warning("could not queue a follow-up look at the outbox; the minute's sweep stands in", exc_info=True)


def _clear(client) -> None:
    if client is not None:
        try:
            client.delete(FLAG)
        except Exception:
            logger.warning("could not clear the outbox wake-up flag", exc_info=True)
