"""What the benchmarks share: a fresh PostgreSQL database, local ports for their servers, and
the CPU their processes use."""

import os
import signal
import socket
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def recreate_database(url: str) -> None:
    """Drops and creates the database in `url`, then migrates it (DATABASE_URL must name it)."""
    import dj_database_url
    import psycopg

    name = dj_database_url.parse(url)["NAME"]
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, check=True, env=os.environ)


def theme_meeting(title: str, *, capacity: int | None, starts_at: datetime) -> int:
    """A published two-hour theme meeting in Nyköping (Django must be set up); returns its id."""
    from events.services import event_create

    return event_create(
        title=title,
        kind="theme_meeting",
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=2),
        capacity=capacity,
        location="Nyköping",
        municipality="Nyköping",
    ).id


def signup_body(email: str, event_id: int) -> dict:
    """A valid POST /api/signups body for one meeting."""
    return {
        "name": "Deltagare",
        "email": email,
        "organisation": "Bench AB",
        "organisation_type": "social_enterprise",
        "municipality": "Nyköping",
        "event_ids": [event_id],
        "consent": True,
    }


def flush_redis(url: str) -> None:
    """Empties the one Redis database in `url` (a benchmark's own, never the default 0)."""
    import redis

    redis.Redis.from_url(url).flushdb()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, process: subprocess.Popen, *, seconds: float = 15) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"{process.args[:3]} exited with {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    process.kill()
    raise SystemExit(f"nothing listened on port {port} within {seconds} s")


def start(args: list[str], **kwargs) -> subprocess.Popen:
    """A child in its own process group, so stop() can also end the children it forks.

    Its own group also keeps it from a SIGTERM sent to the bench (by `timeout`, say), so a
    SIGTERM then ends the bench through its `finally` blocks, which stop the children."""
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    return subprocess.Popen(args, cwd=ROOT, start_new_session=True, **kwargs)


def _exit_on_sigterm(signum, frame) -> None:
    raise SystemExit(128 + signum)


def stop(process: subprocess.Popen | None, *, seconds: float = 20) -> None:
    """Asks a process started by start() to stop (SIGTERM: a warm shutdown for Celery and
    gunicorn), then kills its whole group if it has not stopped in time."""
    if process is None or process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def start_gunicorn(port: int, *, workers: int) -> subprocess.Popen:
    """gunicorn with `workers` sync workers, set up by the environment; returns once it listens."""
    server = start(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "config.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--worker-class",
            "sync",
            "--workers",
            str(workers),
            "--backlog",
            "2048",
            "--log-level",
            "warning",
        ]
    )
    wait_for_port(port, server)
    return server


class CpuMeter:
    """Cores' worth of CPU used while it runs: by the whole machine, by the workers (the process
    groups they were started in) and by the load generator (one process). None without /proc."""

    def __init__(self, *, worker_groups: list[int], generator_pid: int) -> None:
        self.groups, self.generator = set(worker_groups), generator_pid
        self.started, self.clock = self._ticks(), time.perf_counter()

    def _ticks(self) -> tuple[int, int, int] | None:
        try:
            fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
        except (OSError, ValueError):
            return None
        machine = sum(fields[:8]) - fields[3] - fields[4]  # all but idle and iowait (guest is in user)
        workers = generator = 0
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                pid, rest = stat.read_text().split(" ", 1)
            except OSError:  # ended meanwhile
                continue
            fields = rest.rsplit(")", 1)[1].split()
            used = int(fields[11]) + int(fields[12])  # utime + stime, all threads
            workers += used if int(fields[2]) in self.groups else 0
            generator += used if int(pid) == self.generator else 0
        return machine, workers, generator

    def stop(self) -> tuple[float, float, float] | None:
        """(machine, workers, generator) in cores."""
        ended, seconds = self._ticks(), time.perf_counter() - self.clock
        if self.started is None or ended is None:
            return None
        tick = os.sysconf("SC_CLK_TCK")
        return tuple((b - a) / tick / seconds for a, b in zip(self.started, ended, strict=True))
