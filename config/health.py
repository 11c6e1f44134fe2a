"""GET /health: can this instance serve? The database and the Celery broker, each asked with
a short timeout; 200 when both answer, 503 when either does not.

A middleware at the top of the stack rather than a view: load balancers and compose health
checks call it by IP over plain HTTP, so it must answer before the host check and the HTTPS
redirect, and it must not touch sessions.
"""

import logging

from django.db import connection
from django.http import JsonResponse

from .celery import app as celery_app

PATH = "/health"
logger = logging.getLogger(__name__)


def _database() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:
        logger.exception("Health check: the database does not answer.")
        return False


def _broker() -> bool:
    try:
        with celery_app.connection_for_write() as broker:
            broker.ensure_connection(max_retries=1, timeout=2)
        return True
    except Exception:
        logger.exception("Health check: the Celery broker does not answer.")
        return False


def health_state() -> dict:
    state = {"database": _database(), "broker": _broker()}
    return {
        "status": "ok" if all(state.values()) else "unavailable",
        **{part: "ok" if up else "unavailable" for part, up in state.items()},
    }


class HealthCheckMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.rstrip("/") != PATH:
            return self.get_response(request)
        state = health_state()
        response = JsonResponse(state, status=200 if state["status"] == "ok" else 503)
        response["Cache-Control"] = "no-store"
        return response
