"""The API against its own OpenAPI document, as an outside fuzzer holds it (`st run --checks
all`, every phase): schemathesis generates requests for every operation from
/api/openapi.json and sends them to the WSGI app, with every check it has — no 5xx; only
documented statuses, content types and bodies; invalid requests refused (negative data) and
valid ones taken (positive data); authentication enforced; no undocumented method; nothing
gone that was just made. The examples, coverage and fuzzing phases run per operation; the
stateful phase runs schemathesis' state machine over the document's links (those it infers
from it: a sign-up's token to the registration's operations, a meeting's id to its lists).

Bounded and reproducible for CI: a fixed number of examples, derandomised, no example
database. Organiser operations are called with an organiser's Bearer token."""

import pytest
import schemathesis
from django.db import transaction
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import CHECKS, load_all_checks
from schemathesis.generation.stateful import run_state_machine_as_test

from config.wsgi import application
from tests.factories import EventFactory, RegistrationFactory, ThemeFactory

load_all_checks()
# Every check schemathesis has, as `--checks all`.
ALL_CHECKS = CHECKS.get_all()

schema = schemathesis.openapi.from_wsgi("/api/openapi.json", application)
pytestmark = pytest.mark.usefixtures("connection_kept_across_requests")

FUZZED = settings(
    max_examples=50,
    deadline=None,
    derandomize=True,
    database=None,
    # Explicit: the examples and coverage phases' cases; generate: the fuzzing phase's.
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
STATEFUL = settings(
    max_examples=60,
    stateful_step_count=8,
    deadline=None,
    derandomize=True,
    database=None,
    phases=[Phase.generate],
    suppress_health_check=list(HealthCheck),
)


@pytest.fixture
def records(db):
    """A little of everything, so generated ids sometimes hit real rows (ids start at 1)."""
    theme = ThemeFactory(slug="finansiering")
    event = EventFactory(capacity=5, themes=[theme])
    RegistrationFactory(event=event)
    return event


@schema.parametrize()
@FUZZED
def test_every_operation_keeps_to_the_document(case, records, api_token):
    case.call_and_validate(headers={"Authorization": f"Bearer {api_token}"}, checks=ALL_CHECKS)


def test_sequences_of_calls_keep_to_the_document(records, api_token):
    class Workflow(schema.as_state_machine()):
        # Each scenario starts from the same records: what one scenario's calls made is
        # rolled back, so Hypothesis sees the same answers when it replays a scenario.
        def setup(self):
            self.savepoint = transaction.savepoint_create()

        def teardown(self):
            transaction.savepoint_rollback(self.savepoint)

        def get_call_kwargs(self, case):
            return {"headers": {"Authorization": f"Bearer {api_token}"}}

        def validate_response(self, response, case, additional_checks=None, **kwargs):
            case.validate_response(
                response,
                checks=ALL_CHECKS,
                headers=kwargs["headers"],
                transport_kwargs=kwargs,
                recorder=self.recorder,
            )

    run_state_machine_as_test(Workflow, settings=STATEFUL)
