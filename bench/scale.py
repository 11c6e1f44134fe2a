"""How sign-ups and reminders scale with workers on this one machine.

Sign-ups: gunicorn with 1, 2 and 4 sync workers on PostgreSQL (and Redis, where the sign-ups
queue their e-mail wake-up), 2,000 sign-ups spread over 200 meetings (10 each, 20 seats)
from 32 client threads (a connection per request: sync workers close each one after the
answer). Sign-ups for one meeting take turns on its row lock by design, so what more workers
can speed up is sign-ups for different meetings. The database is created afresh for each
worker count, so every run does the same work.

Reminders: 4,000 due reminders with calendar invites (8 meetings x 500) sent by 1, then 2,
separate Celery workers with one pool process each (`celery worker --concurrency 1`), to an
SMTP sink in its own process, counted at the sink. Separate workers rather than one worker's
pool grown from 1 to 2: that is what another worker container adds, its own broker
connection and prefetch, with nothing shared with the first but the outbox rows it claims
(SELECT ... FOR UPDATE SKIP LOCKED), which is the part that must hold when hosts are added.

Each figure is printed as a ratio to the one-worker figure of the same run; the target is
2 workers >= 1.6 x one worker. Everything shares the machine's cores: PostgreSQL, Redis, the
client threads (this process) or the SMTP sink, so the output shows the load average and how
many cores were busy while timed: in all, in the workers, in the load generator, and the rest
(PostgreSQL, Redis, the kernel, other jobs on the machine). Exits 1 on a correctness
failure (a sign-up not answered 201, a registration too many or too few, a reminder missing
or sent twice), not on a missed target.

Needs PostgreSQL (BENCH_DATABASE_URL, default
postgres://postgres@127.0.0.1:5432/traffpunkt_bench_scale, recreated) and Redis
(BENCH_REDIS_URL, default redis://127.0.0.1:6379/6; only that DB is flushed).
"""

import os
import sys
import tempfile
from collections import Counter
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.reminder_fanout import (  # noqa: E402
    create_meetings,
    rate,
    sink_lines,
    start_workers,
    wait_until_delivered,
)
from bench.signup_burst import burst, commit_latency_seconds  # noqa: E402
from bench.support import (  # noqa: E402
    CpuMeter,
    flush_redis,
    free_port,
    recreate_database,
    signup_body,
    start,
    start_gunicorn,
    stop,
    theme_meeting,
    wait_for_port,
)

DATABASE_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/traffpunkt_bench_scale")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/6")
WEB_WORKERS = (1, 2, 4)
MAIL_WORKERS = (1, 2)
SIGNUPS = 2000
SIGNUP_MEETINGS = 200
SEATS = 20
CLIENTS = 32
REMINDER_MEETINGS = 8
REMINDERS_PER_MEETING = 500
TARGET = 1.6
SINK_PORT = free_port()


@dataclass
class Run:
    workers: int
    per_second: float
    cores: tuple[float, float, float] | None  # busy during the timing: all, the workers, the load generator
    load: float
    problems: list[str]


def signup_run(workers: int) -> Run:
    from django.db import connections
    from django.utils import timezone

    from registrations.models import Registration

    connections.close_all()  # the database is dropped under them
    recreate_database(DATABASE_URL)
    flush_redis(REDIS_URL)
    start_at = timezone.now() + timedelta(days=30)
    meetings = [theme_meeting(f"Tematräff {m}", capacity=SEATS, starts_at=start_at) for m in range(SIGNUP_MEETINGS)]
    warmup = theme_meeting("Uppvärmning", capacity=1000, starts_at=start_at)

    # Consecutive requests go to different meetings, so the 32 in flight never share a lock.
    bodies = [signup_body(f"person{i}@example.org", meetings[i % SIGNUP_MEETINGS]) for i in range(SIGNUPS)]
    load = os.getloadavg()[0]
    port = free_port()
    server = start_gunicorn(port, workers=workers)
    try:
        # Every worker's imports and database connection, before the clock starts.
        warm = burst(
            port,
            "/api/signups",
            [signup_body(f"warm{i}@example.org", warmup) for i in range(16 * workers)],
            concurrency=CLIENTS,
        ).results
        seconds, answers, cores = burst(port, "/api/signups", bodies, concurrency=CLIENTS, server_group=server.pid)
    finally:
        stop(server)

    statuses = Counter(status for status, _ in answers + warm)
    registered = Registration.objects.filter(event_id__in=meetings)
    per_meeting = Counter(registered.values_list("event_id", flat=True))
    problems = []
    if statuses != {201: SIGNUPS + len(warm)}:
        problems.append(f"answers {dict(statuses)}")
    if registered.filter(status="confirmed").count() != SIGNUPS or registered.count() != SIGNUPS:
        problems.append(f"{registered.count()} registrations, expected {SIGNUPS} confirmed")
    if set(per_meeting.values()) != {SIGNUPS // SIGNUP_MEETINGS}:
        problems.append(f"per meeting {sorted(set(per_meeting.values()))}")
    if registered.values("email").distinct().count() != SIGNUPS:
        problems.append("duplicate addresses")
    return Run(workers, SIGNUPS / seconds, cores, load, problems)


def reminder_run(workers: int, *, sink_pid: int, sink_log: Path) -> Run:
    from django.db import connections
    from django.utils import timezone

    from notifications.models import Message
    from notifications.services import reminders_due

    connections.close_all()
    recreate_database(DATABASE_URL)
    flush_redis(REDIS_URL)
    expected = REMINDER_MEETINGS * REMINDERS_PER_MEETING
    registrations = create_meetings(timezone.now(), meetings=REMINDER_MEETINGS, per_meeting=REMINDERS_PER_MEETING)
    wanted = {registration.email for registration in registrations}
    already = len(sink_lines(sink_log))
    load = os.getloadavg()[0]
    started = []
    try:
        started = start_workers(sink_log.with_name("worker.log"), instances=workers, concurrency=1)
        meter = CpuMeter(worker_groups=[worker.pid for worker in started], generator_pid=sink_pid)
        # Each meeting's commit wakes the workers (deliver_pending on the mail queue).
        written = reminders_due(now=timezone.now())
        finished = wait_until_delivered(expected)
        cores = meter.stop()
    finally:
        for worker in started:
            stop(worker)
        flush_redis(REDIS_URL)

    lines = sink_lines(sink_log)[already:]
    received = Counter(recipient for _, recipient in lines)
    states = dict(Counter(Message.objects.values_list("state", flat=True)))
    problems = []
    if not finished or written != expected:
        problems.append(f"written {written}, finished {finished}")
    if missing := len(wanted - received.keys()):
        problems.append(f"{missing} missing")
    if twice := sum(count - 1 for count in received.values() if count > 1):
        problems.append(f"{twice} sent twice")
    if strangers := len(received.keys() - wanted):
        problems.append(f"{strangers} unknown recipients")
    if states != {Message.State.SENT: expected}:
        problems.append(f"rows {states}")
    return Run(workers, rate(lines), cores, load, problems)


def report(runs: list[Run], unit: str, generator: str) -> bool:
    """Prints one curve and whether its 2-worker point meets the target; True if it does."""
    one = runs[0].per_second
    print(f"  cores busy while timed, of {os.cpu_count()}: all; the workers; {generator}; the rest")
    print("  (the rest: PostgreSQL, Redis, the kernel and anything else running on the machine)")
    print(f"  {'workers':>7}  {unit:>10}  ratio  {'cores busy':>25}  load 1 min  correctness")
    for run in runs:
        if run.cores:
            machine, workers, load_generator = run.cores
            cores = f"{machine:.2f}; {workers:.2f}; {load_generator:.2f}; {machine - workers - load_generator:.2f}"
        else:
            cores = "n/a"
        check = "OK" if not run.problems else "FAILED: " + "; ".join(run.problems)
        print(
            f"  {run.workers:>7}  {run.per_second:>10.1f}  {run.per_second / one:>5.2f}  {cores:>25}  "
            f"{run.load:>10.2f}  {check}"
        )
    two = next(run.per_second / one for run in runs if run.workers == 2)
    met = two >= TARGET
    print(f"  target 2 workers >= {TARGET}x one worker: {two:.2f}x, {'met' if met else 'NOT met'}")
    return met


def main() -> int:
    os.environ.update(
        DJANGO_SETTINGS_MODULE="bench.settings",
        DATABASE_URL=DATABASE_URL,
        REDIS_URL=REDIS_URL,
        SIGNUP_RATE_LIMIT="off",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=str(SINK_PORT),
    )
    load_at_start = os.getloadavg()
    recreate_database(DATABASE_URL)
    import django

    django.setup()

    cores = os.cpu_count()
    print(f"scale: throughput as workers are added, on one machine of {cores} cores")
    print(
        f"  sharing the cores: PostgreSQL, Redis, and the load generator ({CLIENTS} client threads in this "
        "process for sign-ups, the SMTP sink process for reminders)"
    )
    print(
        f"  load average at start: {' '.join(f'{x:.2f}' for x in load_at_start)} "
        "(1, 5, 15 min; other work on the machine shows here)"
    )
    print(f"  PostgreSQL commit (fsync): {commit_latency_seconds(url=DATABASE_URL) * 1000:.2f} ms")

    print(
        f"sign-ups: {SIGNUPS} over {SIGNUP_MEETINGS} meetings ({SIGNUPS // SIGNUP_MEETINGS} each, "
        f"{SEATS} seats), {CLIENTS} client threads, gunicorn sync workers, PostgreSQL + Redis"
    )
    signups = [signup_run(workers) for workers in WEB_WORKERS]
    signups_met = report(signups, "sign-ups/s", "the client threads")

    print(
        f"reminders: {REMINDER_MEETINGS * REMINDERS_PER_MEETING} with invites ({REMINDER_MEETINGS} meetings x "
        f"{REMINDERS_PER_MEETING}), separate Celery workers of 1 process each, Redis, SMTP sink in its own process"
    )
    sink_log = Path(tempfile.mkdtemp(prefix="traffpunkt-scale-")) / "received.tsv"
    sink = start([sys.executable, "bench/smtp_sink.py", str(SINK_PORT), str(sink_log)])
    try:
        wait_for_port(SINK_PORT, sink)
        reminders = [reminder_run(workers, sink_pid=sink.pid, sink_log=sink_log) for workers in MAIL_WORKERS]
    finally:
        stop(sink)
    reminders_met = report(reminders, "msg/s", "the SMTP sink")

    ok = not any(run.problems for run in signups + reminders)
    print(f"  load average at end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(
        f"target met: sign-ups {'yes' if signups_met else 'no'}, reminders {'yes' if reminders_met else 'no'}; "
        f"correctness: {'OK' if ok else 'FAILED'}"
    )
    if not ok:
        print(f"  worker log: {sink_log.with_name('worker.log')}; sink log: {sink_log}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
