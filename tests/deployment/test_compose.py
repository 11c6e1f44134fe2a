"""The production shape in docker-compose.yml, and the settings it runs with."""

import http.client
import json
import os
import re
import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest
import yaml

from tests.support.waiting import free_port

ROOT = Path(__file__).resolve().parents[2]


def production_env(**overrides: str) -> dict:
    """This process's environment with what config.settings.production refuses to start without."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "SECRET_KEY": "a-long-random-production-secret-" + "k" * 40,
        "ALLOWED_HOSTS": "traffpunkt.example.org",
        "EMAIL_HOST": "smtp.example.org",
        **overrides,
    }


def _compose_config(**extra: str) -> str:
    """`docker-compose config`: the file as compose reads it, with the environment filled in."""
    env = {**os.environ, "SECRET_KEY": "x" * 50, "ALLOWED_HOSTS": "traffpunkt.example.org", **extra}
    return subprocess.run(
        ["docker-compose", "--file", str(ROOT / "docker-compose.yml"), "config"],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    ).stdout


@pytest.mark.skipif(shutil.which("docker-compose") is None, reason="docker-compose is not installed")
def test_docker_compose_is_valid_with_one_beat():
    config = _compose_config()
    for service in ("db:", "redis:", "web:", "worker:", "beat:"):
        assert f"\n  {service}" in config
    beats = [line for line in config.splitlines() if "- beat" in line or "'beat'" in line or line.strip() == "- beat"]
    assert len(beats) == 1, "exactly one service runs celery beat"


@pytest.mark.skipif(shutil.which("docker-compose") is None, reason="docker-compose is not installed")
def test_docker_compose_takes_the_web_port_and_workers_from_the_environment():
    default, chosen = _compose_config(), _compose_config(WEB_PORT="8080", WEB_CONCURRENCY="5")
    assert re.search(r"published: \"?8000\"?\n", default) and 'WEB_CONCURRENCY: "3"' in default.replace("'", '"')
    assert re.search(r"published: \"?8080\"?\n", chosen) and 'WEB_CONCURRENCY: "5"' in chosen.replace("'", '"')


@pytest.mark.skipif(shutil.which("docker-compose") is None, reason="docker-compose is not installed")
def test_docker_compose_restarts_worker_and_beat_and_starts_the_worker_the_plain_way():
    """A worker or beat that exits is started again; the worker needs no --queues to send mail."""
    services = yaml.safe_load(_compose_config())["services"]

    for name in ("worker", "beat"):
        assert services[name]["restart"] in ("always", "unless-stopped"), name
    worker_command = services["worker"]["command"]
    assert worker_command[:4] == ["celery", "-A", "config", "worker"]
    assert not {"-Q", "--queues"} & set(worker_command)
    assert "-B" not in worker_command and "--beat" not in worker_command, "beat runs as a service of its own"


def _mail_task_queue(mail_queue: str | None) -> str:
    """The queue the mail sender's task is published to, under production settings with
    CELERY_MAIL_QUEUE set to `mail_queue` (None: unset)."""
    env = {k: v for k, v in production_env().items() if k != "CELERY_MAIL_QUEUE"}
    if mail_queue is not None:
        env["CELERY_MAIL_QUEUE"] = mail_queue
    code = (
        "import django; django.setup(); from config.celery import app; "
        "print(app.amqp.router.route({}, 'notifications.tasks.deliver_pending')['queue'].name)"
    )
    result = subprocess.run(
        [str(ROOT / ".venv/bin/python"), "-c", code], capture_output=True, text=True, env=env, cwd=ROOT, check=True
    )
    return result.stdout.strip()


def test_mail_goes_to_the_default_queue_unless_a_deployment_names_one():
    assert _mail_task_queue(None) == "celery"  # the queue `celery -A config worker` serves
    assert _mail_task_queue("mail") == "mail"


@pytest.mark.skipif(shutil.which("docker-compose") is None, reason="docker-compose is not installed")
def test_docker_compose_refuses_to_start_without_secret_key():
    env = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "ALLOWED_HOSTS")}
    result = subprocess.run(
        ["docker-compose", "--file", str(ROOT / "docker-compose.yml"), "config"],
        capture_output=True,
        text=True,
        env=env,
    )
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_settings_refuse_to_start_without_secret_key():
    env = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "ALLOWED_HOSTS")}
    env["DJANGO_SETTINGS_MODULE"] = "config.settings.production"
    result = subprocess.run(
        [str(ROOT / ".venv/bin/python"), "-c", "import django; django.setup()"],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
    )
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_settings_pass_the_deploy_check():
    env = production_env()
    result = subprocess.run(
        [str(ROOT / ".venv/bin/python"), "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def _redis_answers() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=0.5):
            return True
    except OSError:
        return False


@pytest.mark.skipif(not _redis_answers(), reason="no Redis on 127.0.0.1:6379 (the production settings need a broker)")
def test_the_images_steps_serve_the_site_under_production_settings(tmp_path):
    """What the Dockerfile does, without Docker: collectstatic, then gunicorn with the
    production settings; /health, a page and a hashed static file are served."""
    port = free_port()
    env = production_env(
        ALLOWED_HOSTS="127.0.0.1",
        EMAIL_HOST="127.0.0.1",
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        REDIS_URL="redis://127.0.0.1:6379/9",
        STATIC_ROOT=str(tmp_path / "static"),
        TRAFFPUNKT_VAR_DIR=str(tmp_path / "var"),
        # Plain HTTP here; in production a TLS proxy is in front.
        SECURE_SSL_REDIRECT="0",
    )
    python = str(ROOT / ".venv/bin/python")
    for command in (["collectstatic", "--noinput"], ["migrate", "--noinput"]):
        subprocess.run([python, "manage.py", *command], env=env, cwd=ROOT, check=True, capture_output=True)
    # The image's own command, bound to a free local port; its workers as an operator sets them.
    command = _dockerfile_command()
    command[0] = str(ROOT / ".venv/bin" / command[0])
    command[command.index("0.0.0.0:8000")] = f"127.0.0.1:{port}"
    server = subprocess.Popen(command, env={**env, "WEB_CONCURRENCY": "2"}, cwd=ROOT, stderr=subprocess.PIPE)
    try:
        _wait_for(port, server)
        health = _get(port, "/health")
        page = _get(port, "/")
        stylesheet = re.search(r'href="(/static/css/site\.[0-9a-f]{12}\.css)"', page.text)
        static = _get(port, stylesheet.group(1)) if stylesheet else None
        workers = _children(server.pid, expected=2)
    finally:
        server.terminate()
        server.wait(timeout=10)

    if workers is not None:  # None: no /proc to count them in
        assert len(workers) == 2, "WEB_CONCURRENCY sets the number of gunicorn workers"

    assert (health.status, json.loads(health.text)) == (200, {"status": "ok", "database": "ok", "broker": "ok"})
    assert page.status == 200 and "Content-Security-Policy" in page.headers
    assert stylesheet, "the page links the hashed stylesheet that collectstatic wrote"
    assert static.status == 200
    assert "immutable" in static.headers["Cache-Control"]


def _dockerfile_command() -> list[str]:
    (line,) = [line for line in (ROOT / "Dockerfile").read_text().splitlines() if line.startswith("CMD ")]
    return json.loads(line.removeprefix("CMD "))


def _children(pid: int, *, expected: int, seconds: float = 10) -> list[int] | None:
    """The processes whose parent is `pid`, once there are `expected` of them or the time is up
    (gunicorn forks its workers after it listens); None where there is no /proc to read."""
    tasks = Path(f"/proc/{pid}/task")
    if not tasks.exists():
        return None
    deadline = time.monotonic() + seconds
    while True:
        children = [int(child) for task in tasks.iterdir() for child in (task / "children").read_text().split()]
        if len(children) >= expected or time.monotonic() > deadline:
            return children
        time.sleep(0.1)


def _wait_for(port: int, process: subprocess.Popen, seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert process.poll() is None, process.stderr.read().decode()
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.1)
    raise AssertionError("gunicorn did not start")


def _get(port: int, path: str):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request("GET", path)
    response = connection.getresponse()
    response.text = response.read().decode()
    connection.close()
    return response


def test_production_logs_one_json_object_per_line():
    code = "import django, logging; django.setup(); logging.getLogger('traffpunkt').warning('Hej %s', 'då')"
    result = subprocess.run(
        [str(ROOT / ".venv/bin/python"), "-c", code],
        capture_output=True,
        text=True,
        env=production_env(),
        cwd=ROOT,
        check=True,
    )

    (line,) = result.stderr.strip().splitlines()
    record = json.loads(line)
    assert (record["level"], record["logger"], record["message"]) == ("WARNING", "traffpunkt", "Hej då")
    assert record["time"]
