"""A private redis-server (never the machine's shared one) that tests stop, freeze and start
again, and real Celery worker and beat processes that talk to it."""

import base64
import json
import os
import shutil
import signal
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection

from config.celery import app as celery_app
from config.settings.base import REDIS_BROKER_TRANSPORT_OPTIONS

from .waiting import free_port, wait_until

ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent


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
