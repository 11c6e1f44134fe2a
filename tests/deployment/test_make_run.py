"""`make run` as a one-machine install: scripts/run.py against a temporary SQLite database and
the embedded broker, as a fresh clone would run it. The site is served by gunicorn with debug
off (static files and the site's own 404 included) and takes bursts of page loads and
sign-ups, the plain worker sends a sign-up's confirmation, a worker that dies is started
again, and Ctrl-C stops every process it started."""

import http.client
import json
import os
import re
import signal
import stat
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.factories import signup_payload
from tests.support.waiting import free_port, wait_until

ROOT = Path(__file__).resolve().parents[2]
# Variables that would point `make run` at real services or other settings.
SERVICE_VARIABLES = (
    "DJANGO_SETTINGS_MODULE", "DATABASE_URL", "REDIS_URL", "EMAIL_HOST", "EMAIL_PORT", "SECRET_KEY",
    "ALLOWED_HOSTS", "SITE_URL", "STATIC_ROOT", "DJANGO_DEBUG", "CELERY_MAIL_QUEUE",
)  # fmt: skip


class Run:
    """scripts/run.py in the background, its output collected line by line."""

    def __init__(self, var_dir: Path, port: int, **extra: str):
        env = {key: value for key, value in os.environ.items() if key not in SERVICE_VARIABLES}
        env |= extra | {
            "TRAFFPUNKT_VAR_DIR": str(var_dir),
            "PORT": str(port),
            "WEB_CONCURRENCY": "2",
            "CELERY_WORKER_CONCURRENCY": "1",
        }
        self.port = port
        self.lines: list[str] = []
        self.process = subprocess.Popen(
            [sys.executable, "scripts/run.py"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.process.stdout:
            self.lines.append(line)

    def output(self) -> str:
        return "".join(self.lines)

    def started(self, name: str) -> list[int]:
        """Process ids of every `name` started so far; each leads its own process group."""
        return [int(pid) for pid in re.findall(rf"\] {name} started \(pid (\d+)\)", self.output())]

    def get(self, path: str):
        return self.request("GET", path)

    def request(self, method: str, path: str, body: dict | None = None):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            if body is None:
                connection.request(method, path)
            else:
                connection.request(method, path, json.dumps(body), {"Content-Type": "application/json"})
            response = connection.getresponse()
            response.text = response.read().decode()
            return response
        finally:
            connection.close()

    def answers(self) -> bool:
        assert self.process.poll() is None, f"scripts/run.py exited:\n{self.output()}"
        try:
            return self.get("/").status == 200
        except OSError:
            return False


def living_members(groups: list[int]) -> list[int]:
    """Processes, not yet dead, in any of these process groups (zombies count as dead)."""
    living = []
    for stat_file in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat_file.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # gone while we looked
        state, pgid = fields[0], int(fields[2])
        if pgid in groups and state != "Z":
            living.append(int(stat_file.parent.name))
    return living


def _local_settings(var_dir: Path, **env: str) -> dict:
    code = (
        "import json, django; django.setup(); from django.conf import settings as s; "
        "print(json.dumps({'debug': s.DEBUG, 'secret_key': s.SECRET_KEY, 'allowed_hosts': s.ALLOWED_HOSTS}))"
    )
    clean = {key: value for key, value in os.environ.items() if key not in SERVICE_VARIABLES}
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "config.settings.local", "TRAFFPUNKT_VAR_DIR": str(var_dir), **env},
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout)


def test_local_settings_run_with_debug_off_and_a_secret_key_of_their_own(tmp_path):
    first = _local_settings(tmp_path)
    again = _local_settings(tmp_path, DJANGO_DEBUG="1")
    elsewhere = _local_settings(tmp_path / "other")

    assert first["debug"] is False and again["debug"] is True
    assert {"127.0.0.1", "localhost"} <= set(first["allowed_hosts"])
    # Made on first start, kept for the machine's owner only, and reused.
    key_file = tmp_path / "secret_key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert first["secret_key"] == again["secret_key"] == key_file.read_text().strip()
    assert len(first["secret_key"]) >= 50 and elsewhere["secret_key"] != first["secret_key"]
    assert _local_settings(tmp_path, SECRET_KEY="from-the-environment")["secret_key"] == "from-the-environment"


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc to see the processes")
def test_make_run_serves_with_debug_off_restarts_a_dead_worker_and_stops_everything_on_ctrl_c(tmp_path):
    var_dir = tmp_path / "var"
    # As outside checks that race hundreds of sign-ups from one address run it.
    run = Run(var_dir, free_port(), SIGNUP_RATE_LIMIT="off")
    try:
        # Migrating a new database and loading the demo data come first.
        wait_until(run.answers, timeout=120, interval=0.5, message="the site to answer")

        missing = run.get("/finns-inte/")
        assert missing.status == 404
        assert "<h1>Sidan finns inte</h1>" in missing.text and 'class="site-header"' in missing.text
        assert "URLconf" not in missing.text, "Django's debug page: DEBUG is on"
        stylesheet = re.search(r'href="(/static/css/site[^"]*\.css)"', missing.text).group(1)
        assert run.get(stylesheet).status == 200, "WhiteNoise serves the collected static files"
        key_file = var_dir / "secret_key"
        assert stat.S_IMODE(key_file.stat().st_mode) == 0o600 and len(key_file.read_text().strip()) >= 50

        event = next(event for event in json.loads(run.get("/api/events").text) if event["registration_open"])
        signup = run.request("POST", "/api/signups", signup_payload([event["id"]], email="ny@example.org"))
        assert signup.status == 201, signup.text
        wait_until(
            lambda: any("ny@example.org" in mail.read_text(errors="replace") for mail in (var_dir / "mail").glob("*")),
            timeout=60,
            interval=0.5,
            message="the confirmation to be written to var/mail/",
        )

        # A newsletter goes out and people click: every page load and sign-up is answered.
        with ThreadPoolExecutor(64) as pool:
            pages = list(pool.map(lambda n: run.get("/" if n % 2 else f"/traffar/{event['id']}/").status, range(400)))
        assert pages == [200] * 400
        bodies = [signup_payload([event["id"]], email=f"p{n}@example.org") for n in range(300)]
        with ThreadPoolExecutor(48) as pool:
            signups = list(pool.map(lambda body: run.request("POST", "/api/signups", body).status, bodies))
        assert signups == [201] * 300

        [worker] = run.started("worker")
        os.kill(worker, signal.SIGKILL)
        wait_until(lambda: len(run.started("worker")) == 2, timeout=20, message="the worker to be started again")
        assert run.get("/").status == 200

        groups = [pid for name in ("web", "worker", "beat") for pid in run.started(name)]
        assert living_members(groups)
        started = time.monotonic()
        run.process.send_signal(signal.SIGINT)
        assert run.process.wait(timeout=15) == 0, run.output()
        assert time.monotonic() - started < 10, "Ctrl-C took too long"
        assert living_members(groups) == [], "a process outlived Ctrl-C"
    finally:
        if run.process.poll() is None:
            run.process.kill()
            run.process.wait()
        for pid in living_members([pid for name in ("web", "worker", "beat") for pid in run.started(name)]):
            os.kill(pid, signal.SIGKILL)
