"""Real parts for the delivery tests: an SMTP server (aiosmtpd) that records what it gets and
can be told to misbehave, a private redis-server, and real Celery worker/beat processes.

Nothing here mocks SMTP or Redis: faults are injected by the servers themselves (a 451 or
550 reply, a closed socket, a stopped process), so the code under test sees what it would
see in production.
"""

import base64
import email
import email.policy
import json
import logging
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter, deque
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from django.conf import settings
from django.db import connection

from config.celery import app as celery_app
from config.settings.base import REDIS_BROKER_TRANSPORT_OPTIONS

# aiosmtpd logs every SMTP command at INFO; a failing test's report should show ours instead.
logging.getLogger("mail.log").setLevel(logging.WARNING)

ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent

# Replies a scripted handler can give instead of accepting.
DROP = "drop"  # close the socket without answering (a crashed or overloaded server)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(condition, *, timeout: float, interval: float = 0.05, message: str = "condition"):
    """Polls `condition` until it is truthy; fails the test (not hangs) after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout}s waiting for {message}")
        time.sleep(interval)


# SMTP ------------------------------------------------------------------------------------


class RecordingHandler:
    """Stores every accepted message. Replies for the next RCPT or DATA commands can be
    scripted (`None` accepts, a string is sent as the reply, DROP closes the connection);
    `reject` and `reject_data` answer a fixed reply to RCPT or DATA for given addresses, for ever."""

    def __init__(self):
        self.lock = threading.Lock()
        self.received: list[email.message.EmailMessage] = []
        self.envelopes = []
        self.rcpt_script: deque = deque()
        self.data_script: deque = deque()
        self.reject: dict[str, str] = {}
        self.reject_data: dict[str, str] = {}
        self.rcpt_attempts: list[str] = []
        self.data_attempts = 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        with self.lock:
            self.rcpt_attempts.append(address)
            reply = self.reject.get(address) or (self.rcpt_script.popleft() if self.rcpt_script else None)
        if reply == DROP:
            server.transport.close()
            return "421 4.3.0 closing"  # never reaches the client: the socket is closed
        if reply:
            return reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.data_attempts += 1
            fixed = [self.reject_data[rcpt] for rcpt in envelope.rcpt_tos if rcpt in self.reject_data]
            reply = fixed[0] if fixed else (self.data_script.popleft() if self.data_script else None)
        if reply == DROP:
            server.transport.close()
            return "421 4.3.0 closing"
        if reply:
            return reply
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.lock:
            self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
            self.received.append(parsed)
        return "250 Message accepted for delivery"

    # Reading what arrived --------------------------------------------------------------

    def messages(self) -> list[email.message.EmailMessage]:
        with self.lock:
            return list(self.received)

    def recipients(self) -> Counter:
        with self.lock:
            return Counter(rcpt for _from, rcpts in self.envelopes for rcpt in rcpts)

    def to(self, address: str) -> list[email.message.EmailMessage]:
        return [message for message in self.messages() if address in str(message["To"])]

    def wait_for(self, count: int, *, timeout: float = 10.0) -> list[email.message.EmailMessage]:
        wait_until(lambda: len(self.messages()) >= count, timeout=timeout, message=f"{count} e-mails")
        return self.messages()


class SmtpServer:
    """aiosmtpd in a thread on 127.0.0.1; can be stopped and started again on the same port."""

    def __init__(self, port: int | None = None, *, password: str | None = None):
        self.port = port or free_port()
        self.handler = RecordingHandler()
        self.password = password  # when set, clients must log in (AUTH PLAIN/LOGIN) with it
        self.controller = None

    def _authenticate(self, server, session, envelope, mechanism, auth_data) -> AuthResult:
        # handled=False: aiosmtpd then answers the failure itself (535).
        return AuthResult(success=auth_data.password.decode() == self.password, handled=False)

    def start(self) -> "SmtpServer":
        auth = {"authenticator": self._authenticate, "auth_require_tls": False} if self.password else {}
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port, ready_timeout=5, **auth)
        self.controller.start()
        return self

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    def mailer(self) -> dict:
        return {
            "default": {
                "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                "OPTIONS": {"host": "127.0.0.1", "port": self.port, "timeout": 5},
            }
        }


@pytest.fixture
def smtp_servers():
    """Makes SMTP servers (started unless asked not to); all are stopped after the test."""
    servers = []

    def make(*, port: int | None = None, start: bool = True, password: str | None = None) -> SmtpServer:
        server = SmtpServer(port, password=password)
        servers.append(server)
        return server.start() if start else server

    yield make
    for server in servers:
        server.stop()


@pytest.fixture
def smtp_server(smtp_servers) -> SmtpServer:
    return smtp_servers()


@pytest.fixture
def mailbox(settings, smtp_server) -> RecordingHandler:
    """Django's SMTP backend pointed at a fresh local SMTP server; returns what it receives."""
    settings.MAILERS = smtp_server.mailer()
    return smtp_server.handler


# Redis and Celery ------------------------------------------------------------------------

# What production uses with Redis (test.py replaces the broker with memory://):
# a dead broker must fail fast instead of hanging a web request.
REDIS_TRANSPORT_OPTIONS = REDIS_BROKER_TRANSPORT_OPTIONS


class RedisServer:
    """A private redis-server (never the shared one on 6379), without persistence, on a free port."""

    def __init__(self, binary: str, workdir: Path):
        self.binary = binary
        self.workdir = workdir
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None

    def start(self) -> "RedisServer":
        import redis

        log = open(self.workdir / "redis.log", "ab")  # noqa: SIM115 - kept open while the server runs
        self.process = subprocess.Popen(
            [
                self.binary,
                "--port", str(self.port),
                "--bind", "127.0.0.1",
                "--save", "",
                "--appendonly", "no",
                "--dir", str(self.workdir),
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
        )  # fmt: skip
        log.close()
        client = redis.Redis.from_url(self.url, socket_connect_timeout=0.5, socket_timeout=0.5)

        def ready():
            try:
                return client.ping()
            except redis.RedisError:
                assert self.process.poll() is None, "redis-server exited; see redis.log under tmp_path"
                return False

        wait_until(ready, timeout=10, message="redis-server to answer PING")
        client.close()
        return self

    def freeze(self) -> None:
        """Hangs the server (SIGSTOP): connections are accepted by the kernel, nothing answers."""
        self.process.send_signal(signal.SIGSTOP)

    def thaw(self) -> None:
        self.process.send_signal(signal.SIGCONT)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.thaw()  # a frozen process would not act on SIGTERM
            self.process.terminate()
            try:
                self.process.wait(5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        self.process = None

    def queue_length(self, queue: str) -> int:
        import redis

        with redis.Redis.from_url(self.url, socket_connect_timeout=1, socket_timeout=1) as client:
            return client.llen(queue)

    def queued_tasks(self, queue: str) -> list[dict]:
        """The task messages waiting in `queue`, oldest first: name, kwargs and eta of each."""
        import redis

        with redis.Redis.from_url(self.url, socket_connect_timeout=1, socket_timeout=1) as client:
            raw = client.lrange(queue, 0, -1)
        tasks = []
        for message in map(json.loads, reversed(raw)):  # kombu pushes left and takes from the right
            _args, kwargs, _embed = json.loads(base64.b64decode(message["body"]))
            headers = message["headers"]
            tasks.append({"task": headers["task"], "kwargs": kwargs, "eta": headers.get("eta")})
        return tasks


@pytest.fixture
def redis_server(tmp_path):
    """A private Redis, started; stop() and start() it to inject an outage."""
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("redis-server is not installed; the broker fault tests need a real Redis")
    workdir = tmp_path / "redis"
    workdir.mkdir()
    server = RedisServer(binary, workdir)
    server.start()
    yield server
    server.stop()


def _reset_broker_pools() -> None:
    # The app keeps a connection pool for the broker it first talked to; a new URL needs a new one.
    if celery_app._pool is not None:
        celery_app._pool.force_close_all()
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@contextmanager
def celery_broker(url: str):
    """Points this process's Celery app (on_commit wake-ups, .delay()) at `url`, as in production."""
    saved = (celery_app.conf.broker_url, celery_app.conf.broker_transport_options)
    _reset_broker_pools()
    celery_app.conf.broker_url = url
    celery_app.conf.broker_transport_options = REDIS_TRANSPORT_OPTIONS
    try:
        yield celery_app
    finally:
        _reset_broker_pools()
        celery_app.conf.broker_url, celery_app.conf.broker_transport_options = saved


@pytest.fixture
def broker(redis_server):
    with celery_broker(redis_server.url) as app:
        yield app


def test_database_url() -> str:
    """DATABASE_URL of the database this test runs against (the test database), for subprocesses."""
    db = connection.settings_dict
    if db["ENGINE"] == "django.db.backends.sqlite3":
        return f"sqlite:///{Path(db['NAME']).resolve()}"
    if db["ENGINE"] == "django.db.backends.postgresql":
        credentials = quote(db["USER"] or "", safe="")
        if db["PASSWORD"]:
            credentials += ":" + quote(db["PASSWORD"], safe="")
        host = db["HOST"] or "localhost"
        port = f":{db['PORT']}" if db["PORT"] else ""
        return f"postgres://{credentials}@{host}{port}/{db['NAME']}"
    raise NotImplementedError(db["ENGINE"])


test_database_url.__test__ = False  # not a test, despite its name


class CeleryProcesses:
    """Starts `celery worker` and `celery beat` as the deployment does, with the development
    settings module (config.settings.local) configured entirely by environment: the test
    database, the private Redis as broker and cache, the local SMTP server as EMAIL_HOST,
    and the test run's SECRET_KEY so links in the e-mails work against this process."""

    def __init__(self, *, tmp_path: Path, redis_url: str, smtp_port: int):
        self.tmp_path = tmp_path
        self.processes: list[tuple[subprocess.Popen, Path]] = []
        var_dir = tmp_path / "celery-var"
        var_dir.mkdir(exist_ok=True)
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.local",
            "DEBUG": "0",
            "DATABASE_URL": test_database_url(),
            "REDIS_URL": redis_url,
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(smtp_port),
            "SECRET_KEY": settings.SECRET_KEY,
            "SITE_URL": settings.SITE_URL,
            "TRAFFPUNKT_VAR_DIR": str(var_dir),
            "PYTHONDONTWRITEBYTECODE": "1",
        }

    def _start(self, name: str, args: list[str]) -> subprocess.Popen:
        log_path = self.tmp_path / f"{name}.log"
        with open(log_path, "ab") as log:
            process = subprocess.Popen(
                [str(VENV_BIN / "celery"), "-A", "config", *args],
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        self.processes.append((process, log_path))
        return process

    def worker(self, name: str = "worker") -> subprocess.Popen:
        return self._start(
            name,
            [
                "worker",
                "-Q", "celery,mail",
                "--concurrency", "1",
                "-P", "solo",
                "-n", f"{name}@%h",
                "--loglevel", "INFO",
                # Gossip and mingle only slow the start down; these workers need no peers.
                "--without-gossip",
                "--without-mingle",
                "--pidfile", str(self.tmp_path / f"{name}.pid"),
            ],
        )  # fmt: skip

    def beat(self) -> subprocess.Popen:
        return self._start(
            "beat",
            [
                "beat",
                "--loglevel", "INFO",
                "--schedule", str(self.tmp_path / "celerybeat-schedule"),
                "--pidfile", str(self.tmp_path / "beat.pid"),
            ],
        )  # fmt: skip

    def log(self, name: str) -> str:
        return (self.tmp_path / f"{name}.log").read_text(errors="replace")

    def assert_running(self) -> None:
        for process, log_path in self.processes:
            assert process.poll() is None, f"{log_path.name} exited early:\n{log_path.read_text(errors='replace')}"

    def stop_all(self) -> None:
        for process, _log in self.processes:
            if process.poll() is None:
                process.terminate()
        for process, _log in self.processes:
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(5)
        self.processes.clear()


@pytest.fixture
def celery_processes(transactional_db, tmp_path, redis_server, smtp_server):
    """Factory of Celery processes; every one is stopped before the test database is flushed
    (this fixture depends on transactional_db, so it is torn down first)."""
    processes = CeleryProcesses(tmp_path=tmp_path, redis_url=redis_server.url, smtp_port=smtp_server.port)
    yield processes
    processes.stop_all()
