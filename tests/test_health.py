"""/health answers with the state of the database and the broker; the production log is JSON."""

import json
import os
import socket
import subprocess
from pathlib import Path

import pytest
from kombu import Connection

from config.celery import app as celery_app

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.django_db
def test_health_is_ok_when_database_and_broker_answer(client):
    response = client.get("/health")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "broker": "ok"}
    assert response["Cache-Control"] == "no-store"


@pytest.mark.django_db
def test_health_is_503_when_the_broker_is_gone(client, monkeypatch):
    # A port nobody listens on: a broker that is down, not a mock of one.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    dead_broker = f"redis://127.0.0.1:{port}/0"
    monkeypatch.setattr(celery_app, "connection_for_write", lambda: Connection(dead_broker))

    response = client.get("/health")

    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "database": "ok", "broker": "unavailable"}


@pytest.mark.django_db
def test_health_answers_any_host_over_plain_http(client, settings):
    # Compose and load balancers call it by IP; the host check must not turn it into a 400.
    settings.ALLOWED_HOSTS = ["traffpunkt.example.org"]

    assert client.get("/health", HTTP_HOST="10.0.0.7:8000").status_code == 200


def test_production_logs_one_json_object_per_line():
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "SECRET_KEY": "a-long-random-production-secret-" + "k" * 40,
        "ALLOWED_HOSTS": "traffpunkt.example.org",
        "EMAIL_HOST": "smtp.example.org",
    }
    code = "import django, logging; django.setup(); logging.getLogger('traffpunkt').warning('Hej %s', 'då')"
    result = subprocess.run(
        [str(ROOT / ".venv/bin/python"), "-c", code], capture_output=True, text=True, env=env, cwd=ROOT, check=True
    )

    (line,) = result.stderr.strip().splitlines()
    record = json.loads(line)
    assert (record["level"], record["logger"], record["message"]) == ("WARNING", "traffpunkt", "Hej då")
    assert record["time"]
