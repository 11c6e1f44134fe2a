"""/health answers with the state of the database and the broker."""

import pytest
from kombu import Connection

from config.celery import app as celery_app
from tests.support.waiting import free_port


@pytest.mark.django_db
def test_health_is_ok_when_database_and_broker_answer(client):
    response = client.get("/health")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "broker": "ok"}
    assert response["Cache-Control"] == "no-store"


@pytest.mark.django_db
def test_health_is_503_when_the_broker_is_gone(client, monkeypatch):
    # A port nobody listens on: a broker that is down, not a mock of one.
    dead_broker = f"redis://127.0.0.1:{free_port()}/0"
    monkeypatch.setattr(celery_app, "connection_for_write", lambda: Connection(dead_broker))

    response = client.get("/health")

    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "database": "ok", "broker": "unavailable"}


@pytest.mark.django_db
def test_health_answers_any_host_over_plain_http(client, settings):
    # Compose and load balancers call it by IP; the host check must not turn it into a 400.
    settings.ALLOWED_HOSTS = ["traffpunkt.example.org"]

    assert client.get("/health", HTTP_HOST="10.0.0.7:8000").status_code == 200
