"""A commit that run_together() has made is on disk when the call returns, although the
transaction let go of its locks before (config.db.COMMITTING).

The test starts a PostgreSQL server of its own (never the machine's shared one), freezes the
processes that would write the log in the background, commits a row the way a sign-up does,
and kills every process of the server at once: the crash loses whatever of the log was still
in memory. After a restart the row must be there. Without the empty waiting transaction in
COMMITTING it is not: the rows' own commit does not wait for the disk.
"""

import contextlib
import os
import pwd
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

import psycopg
import pytest
from django.db import connections, transaction

from config import db
from tests.notifications.conftest import free_port, wait_until


def _server_binaries() -> Path | None:
    found = shutil.which("initdb")
    candidates = [Path(found).parent] if found else []
    candidates += sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)
    return next((path for path in candidates if (path / "initdb").exists() and (path / "postgres").exists()), None)


BINARIES = _server_binaries()
# PostgreSQL refuses to run as root.
USER = "postgres" if os.geteuid() == 0 else None


def _user_exists(name: str) -> bool:
    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True


class PostgresServer:
    """A throwaway PostgreSQL cluster in a directory of its own, on a free port."""

    def __init__(self, directory: Path):
        self.data = directory / "data"
        self.port = free_port()
        self.url = f"postgres://postgres@127.0.0.1:{self.port}/postgres"
        self.process: subprocess.Popen | None = None

    def _run(self, *args: str) -> None:
        subprocess.run(args, user=USER, check=True, capture_output=True)

    def create(self) -> "PostgresServer":
        self._run(str(BINARIES / "initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres", "--no-sync")
        return self

    def start(self) -> "PostgresServer":
        log = open(self.data.parent / "server.log", "ab")  # noqa: SIM115 - the server writes to it
        self.process = subprocess.Popen(
            [
                str(BINARIES / "postgres"), "-D", str(self.data), "-p", str(self.port),
                "-c", "listen_addresses=127.0.0.1", "-c", f"unix_socket_directories={self.data}",
            ],
            user=USER,
            stdout=log,
            stderr=subprocess.STDOUT,
        )  # fmt: skip
        log.close()
        wait_until(self._answers, timeout=30, message="the private PostgreSQL to accept connections")
        return self

    def _answers(self) -> bool:
        assert self.process.poll() is None, f"postgres exited; see {self.data.parent / 'server.log'}"
        try:
            psycopg.connect(self.url, connect_timeout=1).close()
        except psycopg.OperationalError:
            return False
        return True

    def freeze_background_writers(self) -> None:
        """Stops the processes that write the log, or pages that would force it out, on their own."""
        with psycopg.connect(self.url) as conn:
            pids = conn.execute(
                "SELECT pid FROM pg_stat_activity"
                " WHERE backend_type IN ('walwriter', 'background writer', 'checkpointer')"
            ).fetchall()
        assert len(pids) == 3
        for (pid,) in pids:
            os.kill(pid, signal.SIGSTOP)

    def crash(self) -> None:
        """Kills the server and every process it started, as a power cut would stop them."""
        os.kill(self.process.pid, signal.SIGSTOP)  # so it cannot react to its children's death
        for child in self._children():
            os.kill(child, signal.SIGKILL)
        self.process.kill()
        self.process.wait()
        wait_until(lambda: not self._children(), timeout=10, message="the server's processes to end")

    def _children(self) -> list[int]:
        children = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            with contextlib.suppress(OSError):
                # The fourth field, after the name in parentheses, is the parent's pid.
                if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == self.process.pid:
                    children.append(int(stat.parent.name))
        return children

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.process.pid, signal.SIGCONT)
            self.crash()


@pytest.fixture
def server():
    if BINARIES is None:
        pytest.skip("PostgreSQL's server programs (initdb, postgres) are not installed")
    if not Path("/proc/self/stat").exists():
        pytest.skip("finding the server's processes to kill them needs /proc (Linux)")
    if USER and not _user_exists(USER):
        pytest.skip(f"running as root, and PostgreSQL refuses root: it needs a user {USER!r}")
    directory = Path(tempfile.mkdtemp(prefix="traffpunkt-pg-"))
    if USER:
        shutil.chown(directory, USER, USER)
    server = PostgresServer(directory).create().start()
    yield server
    server.stop()
    shutil.rmtree(directory, ignore_errors=True)


@pytest.fixture
def private_alias(server, django_db_blocker):
    """The private server as a Django database, so the commit goes through run_together."""
    alias = "crash_test"
    host_port = server.url.rsplit("@", 1)[1].split("/", 1)[0]
    host, port = host_port.split(":")
    connections.settings[alias] = {
        **connections.settings["default"],  # filled in with Django's defaults
        **{"ENGINE": "django.db.backends.postgresql", "NAME": "postgres", "USER": "postgres", "PASSWORD": ""},
        **{"HOST": host, "PORT": port, "OPTIONS": {}, "CONN_MAX_AGE": 0},
    }
    with django_db_blocker.unblock():
        yield alias
        connections[alias].close()
    del connections[alias]
    del connections.settings[alias]


def _count_rows(server: PostgresServer) -> int:
    with psycopg.connect(server.url) as conn:
        return conn.execute("SELECT COUNT(*) FROM signups").fetchone()[0]


def test_a_commit_survives_a_crash_right_after_the_call_returns(server, private_alias):
    with psycopg.connect(server.url, autocommit=True) as conn:
        conn.execute("CREATE TABLE signups (email text)")
        conn.execute("CHECKPOINT")  # the table itself is on disk before anything is frozen
    server.freeze_background_writers()

    with transaction.atomic(using=private_alias, durable=True):
        db.run_together([("INSERT INTO signups VALUES (%s)", ["anna@example.org"])], using=private_alias, commit=True)
    server.crash()

    server.start()
    assert _count_rows(server) == 1
