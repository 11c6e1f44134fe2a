"""1,000 sign-ups, 100 at a time, for a 40-seat meeting, through gunicorn on PostgreSQL,
with Redis as broker and cache as in production.

Prints correctness (40 confirmed, no 5xx, no duplicates, waiting list in order) and the
sign-up rate as a ratio to a one-INSERT ninja endpoint served by the same gunicorn in
the same run. Needs PostgreSQL: BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/traffpunkt_bench),
and Redis: BENCH_SIGNUP_REDIS_URL (default redis://127.0.0.1:6379/7; only that DB is flushed,
at the start and at the end: no worker runs, so the wake-ups the sign-ups queue stay there).
"""

import json
import os
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from http.client import HTTPConnection
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.support import flush_redis, free_port, recreate_database, start_gunicorn, stop, theme_meeting  # noqa: E402

DATABASE_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/traffpunkt_bench")
REDIS_URL = os.environ.get("BENCH_SIGNUP_REDIS_URL", "redis://127.0.0.1:6379/7")
SIGNUPS = int(os.environ.get("BENCH_SIGNUPS", "1000"))
CONCURRENCY = int(os.environ.get("BENCH_CONCURRENCY", "100"))
WORKERS = int(os.environ.get("BENCH_GUNICORN_WORKERS", str(2 * (os.cpu_count() or 1) + 1)))
CAPACITY = 40


def commit_latency_seconds(*, url: str = DATABASE_URL, samples: int = 200) -> float:
    """One INSERT + COMMIT at a time: the floor on how long a meeting's lock is held."""
    import psycopg

    with psycopg.connect(url) as conn:
        # A logged table: a temporary one writes no WAL and would hide the fsync.
        conn.execute("CREATE TABLE IF NOT EXISTS commit_probe (x int)")
        conn.commit()
        started = time.perf_counter()
        for _ in range(samples):
            conn.execute("INSERT INTO commit_probe VALUES (1)")
            conn.commit()
        elapsed = time.perf_counter() - started
        conn.execute("DROP TABLE commit_probe")
        conn.commit()
        return elapsed / samples


def post(port: int, path: str, body: dict) -> tuple[int, dict]:
    conn = HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.request("POST", path, json.dumps(body), {"Content-Type": "application/json"})
        response = conn.getresponse()
        data = response.read()
        return response.status, (json.loads(data) if data[:1] == b"{" else {})
    finally:
        conn.close()


def burst(
    port: int, path: str, bodies: list[dict], *, concurrency: int = CONCURRENCY
) -> tuple[float, list[tuple[int, dict]]]:
    with ThreadPoolExecutor(concurrency) as pool:
        started = time.perf_counter()
        results = list(pool.map(lambda body: post(port, path, body), bodies))
        return time.perf_counter() - started, results


def main() -> int:
    os.environ.update(
        DJANGO_SETTINGS_MODULE="bench.settings", DATABASE_URL=DATABASE_URL, REDIS_URL=REDIS_URL, SIGNUP_RATE_LIMIT="off"
    )
    recreate_database(DATABASE_URL)
    flush_redis(REDIS_URL)
    import django

    django.setup()
    from django.utils import timezone

    from events.services import theme_create
    from registrations.models import Registration

    theme_create(slug="bench", name="Bench")
    event_id = theme_meeting("Burst", capacity=CAPACITY, starts_at=timezone.now() + timedelta(days=30))

    port = free_port()
    server = start_gunicorn(port, workers=WORKERS)
    try:
        # Warm every worker's connection and imports before measuring either endpoint.
        burst(port, "/bench/insert", [{"email": f"warm{i}@example.org"} for i in range(CONCURRENCY)])
        baseline_seconds, baseline = burst(
            port, "/bench/insert", [{"email": f"b{i}@example.org"} for i in range(SIGNUPS)]
        )
        signup_bodies = [
            {
                "name": f"Deltagare {i}",
                "email": f"person{i}@example.org",
                "organisation": "Bench AB",
                "organisation_type": "social_enterprise",
                "municipality": "Nyköping",
                "event_ids": [event_id],
                "consent": True,
            }
            for i in range(SIGNUPS)
        ]
        signup_seconds, signups = burst(port, "/api/signups", signup_bodies)
    finally:
        stop(server)
        flush_redis(REDIS_URL)

    statuses = [status for status, _ in signups]
    server_errors = sum(status >= 500 for status in statuses)
    answered = [body["registrations"][0] for status, body in signups if status == 201]
    confirmed = Registration.objects.filter(event_id=event_id, status="confirmed").count()
    waitlisted = Registration.objects.filter(event_id=event_id, status="waitlisted").count()
    distinct_emails = Registration.objects.filter(event_id=event_id).values("email").distinct().count()
    positions = sorted(r["waitlist_position"] for r in answered if r["status"] == "waitlisted")
    in_order = list(
        Registration.objects.filter(event_id=event_id, status="waitlisted")
        .order_by("id")
        .values_list("email", flat=True)
    ) == [signup_bodies[i]["email"] for i in _order_by_position(answered, signup_bodies)]

    commit_seconds = commit_latency_seconds()
    baseline_rate = SIGNUPS / baseline_seconds
    signup_rate = SIGNUPS / signup_seconds
    ratio = signup_rate / baseline_rate
    ok = (
        confirmed == CAPACITY
        and waitlisted == SIGNUPS - CAPACITY
        and server_errors == 0
        and distinct_emails == SIGNUPS
        and positions == list(range(1, SIGNUPS - CAPACITY + 1))
        and in_order
        and all(status == 201 for status in statuses)
        and all(status == 201 for status, _ in baseline)
    )
    print(f"signup_burst: {SIGNUPS} sign-ups, {CONCURRENCY} at a time, gunicorn {WORKERS} workers, PostgreSQL")
    print(
        f"  confirmed={confirmed} (capacity {CAPACITY}) waitlisted={waitlisted} 5xx={server_errors} "
        f"duplicates={SIGNUPS - distinct_emails} waitlist_in_order={in_order}"
    )
    print(f"  baseline one-INSERT endpoint: {baseline_rate:7.1f} req/s")
    print(f"  sign-up endpoint:             {signup_rate:7.1f} req/s")
    print(f"  ratio sign-up / baseline:     {ratio:.2f} (target >= 0.60)")
    # Sign-ups for one meeting commit one after another (the seat lock is held through COMMIT),
    # so the durable commit time bounds their rate whatever the code does.
    print(
        f"  commit latency (fsync):       {commit_seconds * 1000:7.2f} ms -> ceiling {1 / commit_seconds:7.1f} "
        f"sign-ups/s for one meeting, ratio ceiling {1 / commit_seconds / baseline_rate:.2f}"
    )
    print(f"  correctness: {'OK' if ok else 'FAILED'}")
    return 0 if ok else 1


def _order_by_position(answered: list[dict], bodies: list[dict]) -> list[int]:
    # Index of each waitlisted request in waiting-list order, from the positions the API answered.
    waitlisted = [(r["waitlist_position"], i) for i, r in enumerate(answered) if r["status"] == "waitlisted"]
    return [i for _, i in sorted(waitlisted)]


if __name__ == "__main__":
    sys.exit(main())
