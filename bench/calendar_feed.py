"""Calendar feeds against the JSON list of the same meetings, through gunicorn on PostgreSQL.

A personal feed of 50 meetings (/kalender/<token>.ics) against /api/events?municipality=Trosa
(the same 50), and the public feed of 1,000 (/api/events/calendar.ics) against /api/events.
Prints µs per meeting and the feed/JSON ratio (target <= 3), and that a repeated request
with the feed's ETag answers 304. Needs PostgreSQL: BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/traffpunkt_bench_feed,
recreated).
"""

import os
import statistics
import sys
import time
from datetime import timedelta
from http.client import HTTPConnection
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.support import free_port, recreate_database, start, stop, wait_for_port  # noqa: E402

DATABASE_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/traffpunkt_bench_feed")
PUBLIC = 1000
PERSONAL = 50
# Timed requests per endpoint; the median is reported, so one slow request does not count.
ROUNDS = {PUBLIC: 15, PERSONAL: 60}
TARGET = 3.0
EMAIL = "kim@example.org"

os.environ.update(DJANGO_SETTINGS_MODULE="bench.settings", DATABASE_URL=DATABASE_URL)
os.environ.pop("REDIS_URL", None)


def create_meetings() -> str:
    """1,000 upcoming meetings; Kim is confirmed for the 50 in Trosa. Returns Kim's feed path."""
    import secrets

    from django.utils import timezone

    from events.models import Event
    from notifications.feeds import feed_url
    from registrations.models import Registration

    start_at = timezone.now().replace(second=0, microsecond=0) + timedelta(days=2)
    events = Event.objects.bulk_create(
        [
            Event(
                title=f"Tematräff {i}: socialt företagande i Sörmland",
                description="Vi pratar om upphandling, finansiering och nätverk.",
                kind="theme_meeting",
                starts_at=start_at + timedelta(hours=6 * i),
                ends_at=start_at + timedelta(hours=6 * i + 2),
                capacity=30,
                location=f"Folkets hus, sal {i % 7 + 1}",
                online_url=f"https://meet.example.org/t-{i}" if i % 3 == 0 else "",
                municipality="Trosa" if i % (PUBLIC // PERSONAL) == 0 else "Eskilstuna",
            )
            for i in range(PUBLIC)
        ]
    )
    Registration.objects.bulk_create(
        [
            Registration(
                event=event,
                status="confirmed",
                name="Kim Berg",
                email=EMAIL,
                municipality="Trosa",
                token_hash=secrets.token_hex(32),
                confirmed_at=timezone.now(),
            )
            for event in events
            if event.municipality == "Trosa"
        ]
    )
    return "/" + feed_url(EMAIL).split("/", 3)[3]


def get(port: int, path: str, headers: dict | None = None) -> tuple[int, dict, bytes]:
    conn = HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.request("GET", path, headers=headers or {})
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        conn.close()


def median_seconds(port: int, path: str, rounds: int) -> float:
    get(port, path)  # warm the worker's imports, templates and connection
    timings = []
    for _ in range(rounds):
        started = time.perf_counter()
        status, _, _ = get(port, path)
        timings.append(time.perf_counter() - started)
        if status != 200:
            raise SystemExit(f"GET {path} answered {status}")
    return statistics.median(timings)


def main() -> int:
    recreate_database(DATABASE_URL)
    import django

    django.setup()
    personal_path = create_meetings()
    pairs = {
        "personal": (personal_path, "/api/events?municipality=Trosa", PERSONAL),
        "public": ("/api/events/calendar.ics", "/api/events", PUBLIC),
    }

    port = free_port()
    # One sync worker: requests go one at a time, so each timing is one request's own work.
    server = start(
        [sys.executable, "-m", "gunicorn", "config.wsgi:application", "--bind", f"127.0.0.1:{port}", "--workers", "1"]
        + ["--log-level", "warning"]
    )
    results, checks = {}, []
    try:
        wait_for_port(port, server)
        for name, (feed_path, json_path, meetings) in pairs.items():
            status, headers, body = get(port, feed_path)
            json_status, _, json_body = get(port, json_path)
            counts = (body.count(b"BEGIN:VEVENT"), json_body.count(b'"registration_closes_at"'))
            checks.append((f"{name} feed and JSON list {meetings} meetings each", counts == (meetings, meetings)))
            etag = headers.get("ETag", "")
            again, _, again_body = get(port, feed_path, {"If-None-Match": etag})
            checks.append(
                (f"{name} feed repeated with its ETag answers 304", (status, again, again_body) == (200, 304, b""))
            )
            checks.append((f"{name} JSON answers 200", json_status == 200))
            rounds = ROUNDS[meetings]
            results[name] = (
                meetings,
                median_seconds(port, feed_path, rounds),
                median_seconds(port, json_path, rounds),
                again,
            )
    finally:
        stop(server)

    print("calendar_feed: gunicorn (1 sync worker, sequential requests) on PostgreSQL")
    print(f"  median of {ROUNDS[PERSONAL]} (personal) and {ROUNDS[PUBLIC]} (public) requests per endpoint")
    ok = all(passed for _, passed in checks)
    for name, (meetings, feed_seconds, json_seconds, again) in results.items():
        print(
            f"  {name:8} feed of {meetings:4}: {feed_seconds / meetings * 1e6:6.1f} µs/meeting; "
            f"JSON {json_seconds / meetings * 1e6:6.1f}; ratio {feed_seconds / json_seconds:.2f} (target <= {TARGET}); "
            f"repeated with If-None-Match: {again}"
        )
    for label, passed in checks:
        print(f"  {'ok    ' if passed else 'FAILED'} {label}")
    print(f"  correctness: {'OK' if ok else 'FAILED'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
