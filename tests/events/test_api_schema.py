"""The meetings' operations against their own OpenAPI document, with every check schemathesis
offers (`--checks all`): no 5xx; only documented statuses, content types and bodies; what the
document refuses is refused (negative data) and what it allows is taken (positive data);
authentication enforced. Requests come from the examples, coverage and fuzzing phases,
positive and negative, with an organiser's token, then from the stateful phase.

One rule is beyond JSON Schema: a meeting ends after it starts (create, or a change of either
time). The document states it in words and the server answers 409 naming `ends_at`, a status
schemathesis accepts for valid data; here a request that breaks it is also held to exactly that.

Bounded and reproducible: few examples per operation, derandomised, no example database;
tests/config/test_api_schema.py covers the whole API the same way."""

from datetime import datetime

import pytest
import schemathesis
from django.utils import timezone
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import CHECKS, load_all_checks

from config.wsgi import application
from events.models import Event
from tests.factories import EventFactory, RegistrationFactory, ThemeFactory

load_all_checks()
ALL_CHECKS = CHECKS.get_all()

schema = schemathesis.openapi.from_wsgi("/api/openapi.json", application)
pytestmark = pytest.mark.usefixtures("connection_kept_across_requests")
# The meetings' and themes' own operations (not the registrations, messages or exports under them).
meetings = schema.include(
    path_regex=r"^/api/(organiser/)?(themes(/demand)?|events(/calendar\.ics)?"
    r"|events/\{event_id\}(/(calendar\.ics|cancel|duplicate))?)$"
)

BOUNDED = settings(
    max_examples=20,
    deadline=None,
    derandomize=True,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)


@pytest.fixture
def records(db):
    """A meeting with a theme and a registration, so generated ids and slugs sometimes hit
    real rows (ids start at 1; "0" is a slug generators like)."""
    ThemeFactory(slug="0")
    event = EventFactory(capacity=5, themes=[ThemeFactory(slug="finansiering")])
    RegistrationFactory(event=event)
    return event


def _time(value) -> datetime | None:
    try:
        moment = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return None
    return moment if timezone.is_aware(moment) else None


def ends_before_it_starts(case) -> bool:
    """Whether a valid-looking create or change would leave a meeting not ending after it
    starts: the one rule of these bodies that JSON Schema cannot state."""
    body = case.body if isinstance(case.body, dict) else {}
    if case.method == "POST" and case.path == "/api/organiser/events":
        start, end = _time(body.get("starts_at")), _time(body.get("ends_at"))
    elif case.method == "PATCH" and {"starts_at", "ends_at"} & body.keys():
        event_id = str((case.path_parameters or {}).get("event_id"))
        stored = Event.objects.filter(pk=event_id).first() if event_id.isdigit() else None
        if stored is None:
            return False
        start = _time(body["starts_at"]) if "starts_at" in body else stored.starts_at
        end = _time(body["ends_at"]) if "ends_at" in body else stored.ends_at
    else:
        return False
    return bool(start and end and end <= start)


def _valid_but_ends_before_it_starts(case) -> bool:
    positive = case.meta is None or case.meta.generation.mode.is_positive
    return positive and ends_before_it_starts(case)


def _held_to_the_rule(case, response) -> None:
    # No such meeting or theme (404) answers first; a cancelled meeting's 409 names no field.
    if _valid_but_ends_before_it_starts(case) and response.status_code != 404:
        assert response.status_code == 409, response.text
        event_id = (case.path_parameters or {}).get("event_id")
        cancelled = event_id is not None and Event.objects.filter(pk=event_id, status="cancelled").exists()
        assert cancelled or "ends_at" in response.json()["detail"], response.text


@meetings.parametrize()
@BOUNDED
def test_meeting_operations_keep_to_the_document(case, records, api_token):
    headers = {"Authorization": f"Bearer {api_token}"}
    response = case.call_and_validate(headers=headers, checks=ALL_CHECKS)
    _held_to_the_rule(case, response)


@pytest.mark.django_db(transaction=True)
def test_meeting_operations_keep_to_the_document_in_sequences(records, api_token):
    class Sequences(meetings.as_state_machine()):
        def get_call_kwargs(self, case):
            return {"headers": {"Authorization": f"Bearer {api_token}"}}

        def validate_response(self, response, case, additional_checks=None, **kwargs):
            case.validate_response(
                response,
                checks=ALL_CHECKS,
                headers=kwargs.get("headers"),
                transport_kwargs=kwargs or None,
                recorder=self.recorder,
            )
            _held_to_the_rule(case, response)

    Sequences.run(settings=settings(BOUNDED, max_examples=10, stateful_step_count=6))
