"""1,000 sign-ups, 100 at a time, for a 40-seat meeting, through gunicorn on PostgreSQL,
with Redis as broker and cache as in production.

Prints correctness (40 confirmed, no 5xx, no duplicates, waiting list in order) and the
sign-up rate as a ratio to a one-INSERT ninja endpoint served by the same gunicorn in
the same run: BENCH_ROUNDS rounds (default 5) of the baseline and then a burst for a meeting
of the round's own, and the median of the rounds' ratios. For reading that figure, each round
also bursts the same 1,000 sign-ups spread over BENCH_SPREAD_MEETINGS meetings (default 20),
which share no lock: the gap between the two ratios is what one meeting's lock costs.
Needs PostgreSQL: BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/traffpunkt_bench),
and Redis: BENCH_SIGNUP_REDIS_URL (default redis://127.0.0.1:6379/7; only that DB is flushed,
at the start and at the end: no worker runs, so the wake-ups the sign-ups queue stay there).
"""

import json
import os
import statistics
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from http.client import HTTPConnection
from pathlib import Path
from typing import NamedTuple

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.support import (  # noqa: E402
    CpuMeter,
    flush_redis,
    free_port,
    recreate_database,
    signup_body,
    start_gunicorn,
    stop,
    theme_meeting,
)

DATABASE_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/traffpunkt_bench")
REDIS_URL = os.environ.get("BENCH_SIGNUP_REDIS_URL", "redis://127.0.0.1:6379/7")
SIGNUPS = int(os.environ.get("BENCH_SIGNUPS", "1000"))
CONCURRENCY = int(os.environ.get("BENCH_CONCURRENCY", "100"))
WORKERS = int(os.environ.get("BENCH_GUNICORN_WORKERS", str(2 * (os.cpu_count() or 1) + 1)))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "5"))
SPREAD_MEETINGS = int(os.environ.get("BENCH_SPREAD_MEETINGS", "20"))
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


class Burst(NamedTuple):
    seconds: float
    results: list[tuple[int, dict]]
    # Cores busy while it ran: the whole machine, gunicorn, this process (the client); None
    # without /proc.
    cores: tuple[float, float, float] | None = None

    def cpu_ms_per_request(self) -> tuple[float, ...] | None:
        """CPU per request in ms: all, gunicorn, the client, the rest (PostgreSQL, Redis, kernel)."""
        if self.cores is None:
            return None
        machine, server, client = (cores * self.seconds * 1000 / len(self.results) for cores in self.cores)
        return machine, server, client, machine - server - client


def burst(
    port: int, path: str, bodies: list[dict], *, concurrency: int = CONCURRENCY, server_group: int | None = None
) -> Burst:
    """Sends the bodies, `concurrency` at a time; with `server_group` (the server's process
    group) also measures the CPU used meanwhile."""
    with ThreadPoolExecutor(concurrency) as pool:
        meter = CpuMeter(worker_groups=[server_group], generator_pid=os.getpid()) if server_group else None
        started = time.perf_counter()
        results = list(pool.map(lambda body: post(port, path, body), bodies))
        seconds = time.perf_counter() - started
        cores = meter.stop() if meter else None
    return Burst(seconds, results, cores)


class Round(NamedTuple):
    event_id: int
    bodies: list[dict]
    baseline: Burst
    signups: Burst
    spread_ids: list[int]
    spread_bodies: list[dict]
    spread: Burst


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

    theme_create(slug="bench", name="Bench")
    starts_at = timezone.now() + timedelta(days=30)
    warm_up_id = theme_meeting("Warm-up", capacity=None, starts_at=starts_at)
    event_ids = [theme_meeting(f"Burst {n}", capacity=CAPACITY, starts_at=starts_at) for n in range(1, ROUNDS + 1)]
    spread_ids = [
        [theme_meeting(f"Spread {n}.{k}", capacity=CAPACITY, starts_at=starts_at) for k in range(SPREAD_MEETINGS)]
        for n in range(1, ROUNDS + 1)
    ]

    port = free_port()
    server = start_gunicorn(port, workers=WORKERS)
    rounds = []
    try:
        # Warm every worker's connection and imports before measuring either endpoint: the
        # sign-up path loads more (the broker's client, the producer pool) on its first call.
        burst(port, "/bench/insert", [{"email": f"warm{i}@example.org"} for i in range(CONCURRENCY)])
        burst(port, "/api/signups", [signup_body(f"warm{i}@example.org", warm_up_id) for i in range(CONCURRENCY)])
        # Each round measures the baseline and then a burst for a meeting of its own, so a
        # neighbour's load on a shared machine moves both figures of a round together.
        for n, (event_id, spread) in enumerate(zip(event_ids, spread_ids, strict=True), start=1):
            baseline_bodies = [{"email": f"b{n}.{i}@example.org"} for i in range(SIGNUPS)]
            baseline = burst(port, "/bench/insert", baseline_bodies, server_group=server.pid)
            bodies = [signup_body(f"person{n}.{i}@example.org", event_id) for i in range(SIGNUPS)]
            signups = burst(port, "/api/signups", bodies, server_group=server.pid)
            spread_bodies = [signup_body(f"spread{n}.{i}@example.org", spread[i % len(spread)]) for i in range(SIGNUPS)]
            spread_signups = burst(port, "/api/signups", spread_bodies, server_group=server.pid)
            rounds.append(Round(event_id, bodies, baseline, signups, spread, spread_bodies, spread_signups))
    finally:
        stop(server)
        flush_redis(REDIS_URL)

    print(f"signup_burst: {SIGNUPS} sign-ups, {CONCURRENCY} at a time, gunicorn {WORKERS} workers, PostgreSQL")
    ratios, spread_ratios = [], []
    ok = True
    for n, r in enumerate(rounds, start=1):
        ok = _check(r.event_id, r.bodies, r.baseline.results, r.signups.results) and ok
        meetings = len(r.spread_ids)
        for k, spread_id in enumerate(r.spread_ids):
            mine = slice(k, None, meetings)
            ok = _check(spread_id, r.spread_bodies[mine], [], r.spread.results[mine], quiet=True) and ok
        baseline_rate = SIGNUPS / r.baseline.seconds
        signup_rate = SIGNUPS / r.signups.seconds
        spread_rate = SIGNUPS / r.spread.seconds
        ratios.append(signup_rate / baseline_rate)
        spread_ratios.append(spread_rate / baseline_rate)
        print(
            f"  round {n}: baseline one-INSERT endpoint {baseline_rate:6.1f} req/s, "
            f"sign-up endpoint {signup_rate:6.1f} req/s, ratio {ratios[-1]:.2f} "
            f"(spread over {meetings} meetings: {spread_rate:6.1f} req/s, {spread_ratios[-1]:.2f})"
        )
    _print_cpu(rounds)
    commit_seconds = commit_latency_seconds()
    print(f"  ratio sign-up / baseline:     {statistics.median(ratios):.2f} (median of {ROUNDS}; expected about 0.3)")
    print(
        f"  the same spread over {SPREAD_MEETINGS} meetings: {statistics.median(spread_ratios):.2f} "
        "(no lock shared; for reading the figure above, not the target)"
    )
    # Sign-ups for one meeting commit one after another (the seat lock is held through COMMIT),
    # so the durable commit time bounds their rate whatever the code does.
    ceiling = 1 / commit_seconds
    print(f"  commit latency (fsync):       {commit_seconds * 1000:7.2f} ms -> ceiling {ceiling:7.1f} sign-ups/s")
    print(f"  correctness: {'OK' if ok else 'FAILED'}")
    return 0 if ok else 1


def _print_cpu(rounds: list[Round]) -> None:
    """CPU per request of each kind of burst (median over the rounds), and how busy the
    machine's cores were: where they are all busy, the ratio is one of CPU per request."""
    kinds = {
        "baseline": [r.baseline for r in rounds],
        "one meeting": [r.signups for r in rounds],
        f"{SPREAD_MEETINGS} meetings": [r.spread for r in rounds],
    }
    if any(b.cores is None for bursts in kinds.values() for b in bursts):
        print("  CPU per request: n/a (needs /proc)")
        return
    print(
        f"  CPU per request, ms, median of {len(rounds)} (the rest: PostgreSQL, Redis, the kernel), "
        f"and cores busy of {os.cpu_count()}:"
    )
    print(f"    {'':<12} {'all':>5} {'gunicorn':>8} {'client':>6} {'rest':>5}")
    for kind, bursts in kinds.items():
        columns = zip(*(b.cpu_ms_per_request() for b in bursts), strict=True)
        machine, server, client, rest = (statistics.median(column) for column in columns)
        busy = statistics.median(b.cores[0] for b in bursts)
        print(f"    {kind:<12} {machine:5.2f} {server:8.2f} {client:6.2f} {rest:5.2f}   busy {busy:4.2f}")


def _check(event_id: int, bodies: list[dict], baseline: list, signups: list, *, quiet: bool = False) -> bool:
    """40 confirmed, the rest waiting in the order the API answered, no 5xx, no duplicates;
    printed unless `quiet` and all is well."""
    from registrations.models import Registration

    statuses = [status for status, _ in signups]
    server_errors = sum(status >= 500 for status in statuses)
    answered = [body["registrations"][0] for status, body in signups if status == 201]
    registrations = Registration.objects.filter(event_id=event_id)
    confirmed = registrations.filter(status="confirmed").count()
    waitlisted = registrations.filter(status="waitlisted").count()
    distinct_emails = registrations.values("email").distinct().count()
    positions = sorted(r["waitlist_position"] for r in answered if r["status"] == "waitlisted")
    in_order = list(registrations.filter(status="waitlisted").order_by("id").values_list("email", flat=True)) == [
        bodies[i]["email"] for i in _order_by_position(answered)
    ]
    count = len(bodies)
    ok = (
        confirmed == CAPACITY
        and waitlisted == count - CAPACITY
        and server_errors == 0
        and distinct_emails == count
        and positions == list(range(1, count - CAPACITY + 1))
        and in_order
        and all(status == 201 for status in statuses)
        and all(status == 201 for status, _ in baseline)
    )
    if not (quiet and ok):
        print(
            f"  meeting {event_id}: confirmed={confirmed} (capacity {CAPACITY}) waitlisted={waitlisted} "
            f"5xx={server_errors} duplicates={count - distinct_emails} waitlist_in_order={in_order}"
        )
    return ok


def _order_by_position(answered: list[dict]) -> list[int]:
    # Index of each waitlisted request in waiting-list order, from the positions the API answered.
    waitlisted = [(r["waitlist_position"], i) for i, r in enumerate(answered) if r["status"] == "waitlisted"]
    return [i for _, i in sorted(waitlisted)]


if __name__ == "__main__":
    sys.exit(main())
