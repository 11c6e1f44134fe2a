"""Sign-ups, duplicates and cancellations racing each other on real database connections.

Each worker thread has its own connection (Django's connections are per thread), so the
locking under test is the database's own: row locks on PostgreSQL, IMMEDIATE transactions
on the SQLite file. Every worker closes its connection when done, so none leak.
"""

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from queue import Empty, SimpleQueue

import pytest
from django.db import connection
from django.test import Client

from registrations.choices import Status
from registrations.models import Registration
from registrations.services import registration_cancel, signup_create
from tests.factories import EventFactory, person, signup_payload

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

WORKERS = 48


def _in_parallel(work, items, workers=WORKERS):
    """Runs work(item) for every item on `workers` threads that start together and share
    one queue; returns the results in completion order. Exceptions are re-raised here."""
    queue = SimpleQueue()
    for item in items:
        queue.put(item)
    start = threading.Barrier(workers)

    def worker():
        results = []
        try:
            start.wait()
            while True:
                try:
                    item = queue.get_nowait()
                except Empty:
                    return results
                results.append(work(item))
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=workers) as pool:
        futures = [pool.submit(worker) for _ in range(workers)]
        return [result for future in futures for result in future.result()]


def _signup(event_id, email):
    [outcome] = signup_create(person=person(email), event_ids=[event_id])
    return outcome.registration.id, outcome.status, outcome.waitlist_position


def _assert_fair_queue(results, *, capacity):
    """Exactly `capacity` confirmed, the rest waiting in arrival (id) order at positions 1..n."""
    by_id = sorted(results)
    statuses = [status for _id, status, _pos in by_id]
    assert statuses == ["confirmed"] * capacity + ["waitlisted"] * (len(results) - capacity)
    positions = [pos for _id, status, pos in by_id if status == "waitlisted"]
    assert positions == list(range(1, len(results) - capacity + 1))


def test_1000_concurrent_signups_fill_40_seats_and_queue_the_rest_in_order():
    event = EventFactory(capacity=40)

    results = _in_parallel(lambda i: _signup(event.id, f"person{i}@example.org"), range(1000))

    _assert_fair_queue(results, capacity=40)
    assert Registration.objects.filter(event=event, status=Status.CONFIRMED).count() == 40
    assert Registration.objects.filter(event=event, status=Status.WAITLISTED).count() == 960


def test_1000_concurrent_signups_through_the_api_never_overbook_or_fail():
    event = EventFactory(capacity=40)

    def post(i):
        response = Client().post(
            "/api/signups", signup_payload([event.id], email=f"api{i}@example.org"), content_type="application/json"
        )
        assert response.status_code == 201, response.content
        [entry] = response.json()["registrations"]
        registration_id = Registration.objects.values_list("id", flat=True).get(
            event=event, email=f"api{i}@example.org"
        )
        return registration_id, entry["status"], entry["waitlist_position"]

    results = _in_parallel(post, range(1000))

    _assert_fair_queue(results, capacity=40)


def test_50_parallel_identical_signups_make_one_registration():
    event = EventFactory(capacity=40)
    # The same person submitting again and again, the address typed in varying case.
    emails = [("anna@example.org", "Anna@Example.org", "ANNA@EXAMPLE.ORG")[i % 3] for i in range(50)]

    outcomes = _in_parallel(lambda email: signup_create(person=person(email), event_ids=[event.id])[0], emails)

    statuses = sorted(o.status for o in outcomes)
    assert statuses == ["already_registered"] * 49 + ["confirmed"]
    assert sum(1 for o in outcomes if o.manage_token) == 1
    assert Registration.objects.filter(event=event).count() == 1


def test_50_parallel_identical_signups_through_the_api_make_one_registration():
    event = EventFactory(capacity=40)

    def post(i):
        payload = signup_payload([event.id], email="Bo@Example.org" if i % 2 else "bo@example.org")
        response = Client().post("/api/signups", payload, content_type="application/json")
        assert response.status_code == 201, response.content
        return response.json()["registrations"][0]

    entries = _in_parallel(post, range(50))

    assert sorted(e["status"] for e in entries) == ["already_registered"] * 49 + ["confirmed"]
    assert [e["manage_token"] for e in entries if e["status"] == "already_registered"] == [None] * 49
    assert Registration.objects.filter(event=event).count() == 1


def test_parallel_multi_meeting_signups_in_opposite_order_do_not_deadlock():
    first, second = EventFactory(capacity=10), EventFactory(capacity=10)

    def signup_both(i):
        ids = [first.id, second.id] if i % 2 else [second.id, first.id]
        return signup_create(person=person(f"both{i}@example.org"), event_ids=ids)

    _in_parallel(signup_both, range(200))

    for event in (first, second):
        assert Registration.objects.filter(event=event, status=Status.CONFIRMED).count() == 10
        assert Registration.objects.filter(event=event, status=Status.WAITLISTED).count() == 190


def test_concurrent_cancellations_and_signups_keep_capacity_and_promote_in_order():
    capacity = 10
    event = EventFactory(capacity=capacity)
    existing = [_signup(event.id, f"early{i}@example.org")[0] for i in range(30)]
    # 8 of the 10 confirmed and 6 of the 20 waiting cancel while 40 newcomers sign up.
    to_cancel = existing[:8] + existing[10:16]
    jobs = [("cancel", registration_id) for registration_id in to_cancel]
    jobs += [("signup", f"late{i}@example.org") for i in range(40)]
    jobs = jobs[::2] + jobs[1::2]  # interleave cancellations with sign-ups

    most_confirmed = 0
    done = threading.Event()

    def watch():
        # Looks from outside the transactions: capacity must hold at every commit.
        nonlocal most_confirmed
        try:
            while not done.is_set():
                count = Registration.objects.filter(event=event, status=Status.CONFIRMED).count()
                most_confirmed = max(most_confirmed, count)
                # Lets the other threads run between looks (still thousands of looks a run): a
                # loop that never sleeps could keep the thread holding SQLite's write lock from
                # the GIL for seconds, and the others then timed out waiting for that lock.
                time.sleep(0)
        finally:
            connection.close()

    def run(job):
        kind, arg = job
        if kind == "cancel":
            registration_cancel(registration_id=arg)
        else:
            _signup(event.id, arg)

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        _in_parallel(run, jobs, workers=16)
    finally:
        done.set()
        watcher.join()

    assert most_confirmed <= capacity
    active = list(Registration.objects.filter(event=event).exclude(status=Status.CANCELLED).order_by("id"))
    assert len(active) == 30 - 14 + 40
    # Whatever the interleaving, the seats end with the earliest active registrations.
    assert [r.status for r in active] == [Status.CONFIRMED] * capacity + [Status.WAITLISTED] * (len(active) - capacity)
    assert Registration.objects.filter(pk__in=to_cancel, status=Status.CANCELLED).count() == 14
