"""10,000 due reminders with calendar invites, through Celery on Redis, to a local SMTP sink.

20 meetings x 500 confirmed registrations whose 24-hour reminder is due. The reminder rows
are written by `notifications.services.reminders_due`, whose commit wakes the Celery workers
(`celery -A config worker -Q celery,mail`, real processes), and the workers send them to an
SMTP sink running in its own process. Prints delivered, duplicates and missing (both must be
0) and the rate as a ratio to raw smtplib sending the same number of pre-rendered reminders
(one real e-mail per recipient) to the same sink over one connection, in the same run (before
the workers and again after them; their mean).

Needs PostgreSQL (BENCH_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/traffpunkt_bench_fanout,
recreated) and Redis (BENCH_REDIS_URL, default redis://127.0.0.1:6379/5; only that DB is flushed).
"""

import email.policy
import os
import smtplib
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.support import flush_redis, free_port, recreate_database, start, stop, wait_for_port  # noqa: E402

DATABASE_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/traffpunkt_bench_fanout")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/5")
MEETINGS = int(os.environ.get("BENCH_MEETINGS", "20"))
PER_MEETING = int(os.environ.get("BENCH_PER_MEETING", "500"))
# Unset: the worker's own setting (CELERY_WORKER_CONCURRENCY, two processes a core), as deployed.
WORKERS = int(os.environ["BENCH_CELERY_CONCURRENCY"]) if os.environ.get("BENCH_CELERY_CONCURRENCY") else None
DEADLINE_SECONDS = 300
EXPECTED = 0.2
SINK_PORT = free_port()


def create_meetings(now, *, meetings: int = MEETINGS, per_meeting: int = PER_MEETING) -> list:
    """Meetings starting within a day, so their 24-hour reminders fell due 10 to 30 minutes ago."""
    import secrets

    from events.services import event_create
    from notifications.feeds import feed_urls
    from registrations.models import Registration

    starts = now + timedelta(days=1, minutes=-30)
    registrations = []
    for m in range(meetings):
        event = event_create(
            title=f"Nätverksträff {m + 1}: hållbara inköp",
            kind="network_meeting",
            starts_at=starts + timedelta(minutes=m),
            ends_at=starts + timedelta(minutes=m, hours=2),
            capacity=per_meeting,
            location="Stadshuset, Nyköping",
            municipality="Nyköping",
            # Half the meetings are hybrid, so half the reminders carry a link only the confirmed see.
            online_url=f"https://meet.example.org/traff-{m}" if m % 2 else "",
            reminder_minutes_before=[24 * 60],
        )
        registrations += [
            Registration(
                event=event,
                status="confirmed",
                name=f"Deltagare {m}-{i}",
                email=f"person-{m}-{i}@example.org",
                municipality="Nyköping",
                language="en" if i % 4 == 0 else "sv",
                token_hash=secrets.token_hex(32),
                confirmed_at=now - timedelta(days=3),
            )
            for i in range(per_meeting)
        ]
    Registration.objects.bulk_create(registrations, batch_size=2000)
    # Their confirmations, sent three days ago, made their calendar feeds known.
    feed_urls(registration.email for registration in registrations)
    return list(Registration.objects.select_related("event").order_by("id"))


def render_all(registrations) -> list[tuple[str, bytes]]:
    """One real reminder per recipient, as the workers would build it, rendered to bytes as
    Django's SMTP backend renders it (the SMTP policy: CRLF line ends, which smtplib does not add to bytes)."""
    from notifications import emails
    from notifications.models import Message

    messages = [
        Message(
            kind=Message.Kind.REMINDER,
            registration=registration,
            event=registration.event,
            recipient=registration.email,
            language=registration.language,
        )
        for registration in registrations
    ]
    rendered = []
    for at in range(0, len(messages), 500):
        batch = messages[at : at + 500]
        links = emails.links_for(batch)
        rendered += [
            (m.recipient, emails.build(m, links=links).message(policy=email.policy.SMTP).as_bytes()) for m in batch
        ]
    return rendered


def send_raw(rendered: list[tuple[str, bytes]]) -> None:
    from django.conf import settings

    with smtplib.SMTP("127.0.0.1", SINK_PORT) as smtp:
        for recipient, data in rendered:
            smtp.sendmail(settings.DEFAULT_FROM_EMAIL, [recipient], data)


def timed(function, *args) -> float:
    started = time.perf_counter()
    function(*args)
    return time.perf_counter() - started


def sink_lines(path: Path) -> list[tuple[float, str]]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return [(float(stamp), recipient) for stamp, recipient in (line.split("\t") for line in lines)]


def start_workers(log: Path, *, instances: int = 1, concurrency: int | None = WORKERS) -> list[subprocess.Popen]:
    """`instances` separate Celery workers (as separate containers would be), each with
    `concurrency` pool processes (None: as configured), all logging to `log`; returns once
    every one answers a ping."""
    pool = ["--concurrency", str(concurrency)] if concurrency else []
    workers = [
        start(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "config",
                "worker",
                "-n",
                f"bench{i}@%h",
                "-Q",
                "celery,mail",
                *pool,
                "--without-gossip",
                "--without-mingle",
                "--loglevel",
                "warning",
            ],
            stdout=log.open("a"),
            stderr=subprocess.STDOUT,
        )
        for i in range(instances)
    ]
    from config.celery import app

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if any(worker.poll() is not None for worker in workers):
            break
        if len(app.control.ping(timeout=0.5)) >= instances:
            return workers
    for worker in workers:
        stop(worker)
    raise SystemExit(f"not all {instances} Celery workers answered within 60 s (log: {log})")


def wait_until_delivered(expected: int) -> bool:
    from notifications.models import Message

    deadline = time.monotonic() + DEADLINE_SECONDS
    while time.monotonic() < deadline:
        open_rows = Message.objects.filter(state__in=(Message.State.PENDING, Message.State.SENDING)).count()
        if open_rows == 0 and Message.objects.count() >= expected:
            return True
        # Not more often: these counts run on the machine being measured.
        time.sleep(0.25)
    return False


def rate(lines: list[tuple[float, str]]) -> float:
    """Messages per second as the sink saw them, first to last."""
    stamps = [stamp for stamp, _ in lines]
    return (len(stamps) - 1) / (max(stamps) - min(stamps)) if len(stamps) > 1 else 0.0


def main() -> int:
    os.environ.update(
        DJANGO_SETTINGS_MODULE="bench.settings",
        DATABASE_URL=DATABASE_URL,
        REDIS_URL=REDIS_URL,
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=str(SINK_PORT),
    )
    recreate_database(DATABASE_URL)
    flush_redis(REDIS_URL)
    import django

    django.setup()
    from django.utils import timezone

    from notifications.models import Message
    from notifications.services import reminders_due

    expected = MEETINGS * PER_MEETING
    log = Path(tempfile.mkdtemp(prefix="traffpunkt-sink-")) / "received.tsv"
    sink = None
    workers = []
    try:
        sink = start([sys.executable, "bench/smtp_sink.py", str(SINK_PORT), str(log)])
        wait_for_port(SINK_PORT, sink)

        now = timezone.now()
        registrations = create_meetings(now)
        started = time.perf_counter()
        rendered = render_all(registrations)
        render_seconds = time.perf_counter() - started
        raw_seconds = [timed(send_raw, rendered)]
        baseline_lines = len(sink_lines(log))

        workers = start_workers(log.with_name("worker.log"))
        started = time.perf_counter()
        # The commit of each meeting's reminders wakes the workers (deliver_pending on the mail queue).
        written = reminders_due(now=timezone.now())
        write_seconds = time.perf_counter() - started
        finished = wait_until_delivered(expected)
        end_to_end_seconds = time.perf_counter() - started
        # The baseline again after the workers are done, and the mean of both: a neighbour's
        # load on a shared machine that moves one measurement tends to move the other.
        celery_lines = len(sink_lines(log)) - baseline_lines
        raw_seconds.append(timed(send_raw, rendered))
        del rendered
    finally:
        for worker in workers:
            stop(worker)
        stop(sink)
        flush_redis(REDIS_URL)

    lines = sink_lines(log)[baseline_lines : baseline_lines + celery_lines]
    received = Counter(recipient for _, recipient in lines)
    wanted = {registration.email for registration in registrations}
    duplicates = sum(count - 1 for count in received.values() if count > 1)
    missing = len(wanted - received.keys())
    strangers = len(received.keys() - wanted)
    states = dict(Counter(Message.objects.values_list("state", flat=True)))
    raw_rates = [expected / seconds for seconds in raw_seconds]
    raw_rate = sum(raw_rates) / len(raw_rates)
    celery_rate = rate(lines)
    ratio = celery_rate / raw_rate
    ok = (
        finished
        and written == expected
        and baseline_lines == expected
        and len(lines) == expected
        and duplicates == 0
        and missing == 0
        and strangers == 0
        and states == {Message.State.SENT: expected}
    )

    print(f"reminder_fanout: {MEETINGS} meetings x {PER_MEETING} reminders with invites, PostgreSQL + Redis")
    from config.celery import app

    concurrency = WORKERS or app.conf.worker_concurrency
    print(f"  one Celery worker, {concurrency} processes on {os.cpu_count()} cores; SMTP sink (aiosmtpd) alone")
    print(f"  written={written} delivered={len(lines)} duplicates={duplicates} missing={missing} rows={states}")
    print(f"  rendering one reminder (single process, outside timing): {render_seconds / expected * 1000:6.2f} ms")
    print(
        f"  baseline raw smtplib, pre-rendered, one connection: {raw_rate:7.1f} msg/s "
        f"(mean of {raw_rates[0]:.1f} before and {raw_rates[1]:.1f} after)"
    )
    print(f"  Celery workers, first to last message at the sink:  {celery_rate:7.1f} msg/s")
    print(
        f"  end to end (write {write_seconds:.1f} s + deliver): {end_to_end_seconds:.1f} s = "
        f"{expected / end_to_end_seconds:.1f} msg/s"
    )
    print(f"  ratio Celery / raw smtplib: {ratio:.2f} (expected about {EXPECTED})")
    print(f"  correctness: {'OK' if ok else 'FAILED'}")
    if not ok:
        print(f"  worker log: {log.with_name('worker.log')}; sink log: {log}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
