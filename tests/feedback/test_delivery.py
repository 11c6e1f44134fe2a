"""The survey e-mail for real: beat's task run by a real Celery worker (`celery -A config
worker`, configured by environment as in tests/support/broker.py) on a private Redis, sending
to a local SMTP server (aiosmtpd). Faults are injected for real: two workers racing through
duplicated ticks, a worker killed with SIGKILL in the middle of a batch, Redis stopped while
the schedule runs. Every attendee gets exactly one e-mail, and its link opens their survey.
"""

import asyncio
import re
import signal
import threading
import time
from collections import Counter
from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from events.services import event_cancel, event_update
from feedback.services import feedback_requests_due
from feedback.tasks import schedule_feedback_surveys
from notifications import delivery
from notifications.models import Message
from notifications.tasks import sweep_outbox
from registrations.services.attendance import registration_set_attendance
from tests.factories import EventFactory, RegistrationFactory
from tests.support.waiting import wait_until

Kind, State = Message.Kind, Message.State
SURVEY_LINK = re.compile(re.escape(settings.SITE_URL) + r"(/(?:en/)?omdome/([\w-]+)/)")
SCHEDULE_DONE = re.compile(r"feedback\.tasks\.schedule_feedback_surveys\[[^\]]+\] succeeded")


def ended(*, ago: timedelta, **fields):
    ends_at = timezone.now().replace(microsecond=0) - ago
    return EventFactory(starts_at=ends_at - timedelta(hours=2), ends_at=ends_at, **fields)


def attendees(event, emails: list[str], **fields):
    return [RegistrationFactory(event=event, email=email, attended=True, **fields) for email in emails]


def surveys():
    return Message.objects.filter(kind=Kind.FEEDBACK_REQUEST)


def wait_until_sent(count: int, *, timeout: float = 10) -> None:
    wait_until(
        lambda: surveys().filter(state=State.SENT).count() == count, timeout=timeout, message=f"{count} rows sent"
    )


def assert_once_each(mailbox, emails: list[str], redis_server, celery_processes) -> None:
    """Once the queue is drained and a duplicate has had time to arrive: one e-mail each."""
    wait_until(lambda: redis_server.queue_length("celery") == 0, timeout=20, message="the queue to drain")
    time.sleep(0.5)  # a duplicate would arrive now
    celery_processes.assert_running()
    assert mailbox.recipients() == Counter(dict.fromkeys(emails, 1))
    assert surveys().count() == len(emails)
    assert set(surveys().values_list("state", flat=True)) == {State.SENT}


def survey_link(mail) -> tuple[str, str]:
    """The path and token of the one survey link in the e-mail's text (the HTML has the same)."""
    text = mail.get_body(preferencelist=("plain",)).get_content()
    html = mail.get_body(preferencelist=("html",)).get_content()
    [(path, token)] = set(SURVEY_LINK.findall(text))
    assert f"{settings.SITE_URL}{path}" in html
    return path, token


def workers_ready(celery_processes, *names: str) -> None:
    for name in names:
        wait_until(lambda name=name: " ready." in celery_processes.log(name), timeout=30, message=f"{name} to be ready")


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_beat_asks_each_attendee_once_when_the_delay_has_passed_and_the_link_opens_the_survey(
    broker, redis_server, smtp_server, celery_processes, client
):
    """The meeting ended 121 minutes ago. Beat's run of two minutes earlier (119 minutes
    after the end) writes nothing; the task as beat publishes it now, run by the worker,
    writes one row per attendee and wakes the sender, which sends each one once."""
    event = ended(ago=timedelta(minutes=121), title="Tematräff om upphandling")
    came = ["anna@example.org", "bo@example.org"]
    attendees(event, came)
    attendees(event, ["eva@example.org"], language="en")
    RegistrationFactory(event=event, attended=False, email="noshow@example.org")
    RegistrationFactory(event=event, email="unmarked@example.org")
    celery_processes.worker()

    assert feedback_requests_due(now=event.ends_at + timedelta(minutes=119)) == 0
    assert not surveys().exists()

    schedule_feedback_surveys.delay()

    mailbox = smtp_server.handler
    mailbox.wait_for(3, timeout=30)
    wait_until_sent(3)
    # The next minute's tick finds everyone asked already.
    schedule_feedback_surveys.delay()
    wait_until(
        lambda: len(SCHEDULE_DONE.findall(celery_processes.log("worker"))) == 2,
        timeout=20,
        message="the second tick to run",
    )
    assert_once_each(mailbox, [*came, "eva@example.org"], redis_server, celery_processes)

    for mail in mailbox.messages():
        english = "eva@example.org" in str(mail["To"])
        assert event.title in mail["Subject"]
        if english:
            assert mail["Subject"] == f"How was it? {event.title}"
        path, token = survey_link(mail)
        assert path.startswith("/en/omdome/" if english else "/omdome/")
        assert client.get(path).status_code == 200
        opened = client.get(f"/api/feedback/{token}")
        assert opened.status_code == 200
        survey = opened.json()
        assert (survey["meeting"]["id"], survey["open"], survey["answer"]) == (event.id, True, None)
        answered = client.post(f"/api/feedback/{token}", {"rating": 5}, content_type="application/json")
        assert answered.status_code == 200
    # Each link opened its own person's survey.
    assert sorted(surveys().values_list("registration__feedback__rating", flat=True)) == [5, 5, 5]


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_ticks_of_two_beats_run_by_two_workers_at_once_send_each_attendee_one_survey(
    broker, redis_server, smtp_server, celery_processes
):
    """Two beat processes (a mistake in a deployment) publish every tick twice; two workers
    run the copies side by side and race for the rows they write."""
    events = [ended(ago=timedelta(hours=hours)) for hours in (3, 5)]
    emails = [f"person{event_no}-{i}@example.org" for event_no in range(2) for i in range(15)]
    for event_no, event in enumerate(events):
        attendees(event, emails[15 * event_no : 15 * (event_no + 1)])
    celery_processes.worker("worker1")
    celery_processes.worker("worker2")
    workers_ready(celery_processes, "worker1", "worker2")

    for _tick in range(2):
        for _beat in range(2):
            schedule_feedback_surveys.delay()

    mailbox = smtp_server.handler
    mailbox.wait_for(len(emails), timeout=60)
    wait_until_sent(len(emails))
    wait_until(
        lambda: sum(len(SCHEDULE_DONE.findall(celery_processes.log(name))) for name in ("worker1", "worker2")) == 4,
        timeout=20,
        message="all four ticks to run",
    )
    assert_once_each(mailbox, emails, redis_server, celery_processes)
    # Both workers ran ticks.
    for name in ("worker1", "worker2"):
        assert SCHEDULE_DONE.search(celery_processes.log(name)), celery_processes.log(name)


class HeldAfter:
    """Lets the SMTP server accept the first `accepted` messages; each message after them is
    held without a reply to its DATA until the client goes away (aiosmtpd then cancels the
    handler, so a held message is never taken)."""

    def __init__(self, handler, *, accepted: int):
        self.handler = handler
        self.held = threading.Event()
        accept = handler.handle_DATA
        taken = 0

        async def handle_DATA(server, session, envelope):
            nonlocal taken
            if taken < accepted:
                taken += 1
                return await accept(server, session, envelope)
            self.held.set()
            await asyncio.Event().wait()  # cancelled when the connection is lost

        handler.handle_DATA = handle_DATA  # aiosmtpd looks the hook up on each new connection

    def stop(self) -> None:
        del self.handler.handle_DATA  # new connections get the handler's own again


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_in_the_middle_of_a_batch_loses_no_survey_and_doubles_none(
    broker, redis_server, smtp_server, celery_processes
):
    """The worker has sent two surveys of its batch of six and waits for the server's reply
    to the third when it is killed (SIGKILL: no clean-up of any kind). The four rows it
    claimed stay claimed; once the claim is stale, the sweep on another worker sends them."""
    event = ended(ago=timedelta(hours=3))
    emails = [f"person{i}@example.org" for i in range(6)]
    attendees(event, emails)
    mailbox = smtp_server.handler
    held = HeldAfter(mailbox, accepted=2)
    worker = celery_processes.worker("worker1")

    schedule_feedback_surveys.delay()
    assert held.held.wait(30), "the worker never sent the third survey:\n" + celery_processes.log("worker1")
    worker.send_signal(signal.SIGKILL)
    assert worker.wait(5) == -signal.SIGKILL
    held.stop()

    assert sorted(mailbox.recipients()) == emails[:2]
    states = dict(surveys().values_list("recipient", "state"))
    assert states == {email: State.SENT if email in emails[:2] else State.SENDING for email in emails}

    # The sweep hands out claims older than STALE_CLAIM; travel that far in time.
    long_ago = timezone.now() - delivery.STALE_CLAIM - timedelta(minutes=1)
    surveys().filter(state=State.SENDING).update(claimed_at=long_ago)
    celery_processes.processes = [(process, log) for process, log in celery_processes.processes if process != worker]
    celery_processes.worker("worker2")
    sweep_outbox.delay()

    mailbox.wait_for(len(emails), timeout=30)
    wait_until_sent(len(emails))
    assert_once_each(mailbox, emails, redis_server, celery_processes)
    # The one held when the worker died was tried twice, and went out once.
    assert surveys().get(recipient=emails[2]).attempts == 2
    assert sorted(surveys().values_list("attempts", flat=True)) == [1, 1, 2, 2, 2, 2]


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_surveys_written_while_redis_is_down_are_each_sent_once_it_is_back(
    broker, redis_server, smtp_server, celery_processes
):
    """Redis is stopped when the schedule runs: the rows are written all the same (the
    wake-up after commit fails fast and is only logged). With Redis back, beat's sweep, run
    by a worker, sends each one once, and the next tick writes nothing more."""
    event = ended(ago=timedelta(hours=3))
    emails = [f"person{i}@example.org" for i in range(4)]
    attendees(event, emails)
    redis_server.stop()

    started = time.monotonic()
    assert schedule_feedback_surveys() == 4
    elapsed = time.monotonic() - started

    assert elapsed < 5, f"the schedule took {elapsed:.1f}s with Redis down"
    assert set(surveys().values_list("state", flat=True)) == {State.PENDING}
    assert surveys().count() == 4

    redis_server.start()
    celery_processes.worker()
    sweep_outbox.delay()

    mailbox = smtp_server.handler
    mailbox.wait_for(len(emails), timeout=30)
    wait_until_sent(len(emails))
    schedule_feedback_surveys.delay()
    wait_until(lambda: SCHEDULE_DONE.search(celery_processes.log("worker")), timeout=20, message="the next tick to run")
    assert_once_each(mailbox, emails, redis_server, celery_processes)


# Written, then no longer wanted before it went out (in-process sender, real SMTP server)


def _survey_mails(mailbox) -> list:
    return [mail for mail in mailbox.messages() if SURVEY_LINK.search(mail.get_body(("plain",)).get_content())]


@pytest.mark.django_db
@pytest.mark.parametrize("change", ["no-show", "survey-off", "meeting-cancelled"])
def test_a_survey_no_longer_wanted_when_its_turn_comes_is_skipped_not_sent(mailbox, change):
    event = ended(ago=timedelta(hours=3))
    anna, bo = attendees(event, ["anna@example.org", "bo@example.org"])
    assert feedback_requests_due() == 2

    if change == "no-show":  # marked by mistake, corrected before the e-mail went out
        registration_set_attendance(registration_id=anna.id, attended=False)
        expected = {"anna@example.org": State.SKIPPED, "bo@example.org": State.SENT}
    elif change == "survey-off":
        event_update(event_id=event.id, feedback_survey=False)
        expected = {"anna@example.org": State.SKIPPED, "bo@example.org": State.SKIPPED}
    else:
        event_cancel(event_id=event.id)
        expected = {"anna@example.org": State.SKIPPED, "bo@example.org": State.SKIPPED}
    delivery.deliver_due()

    assert dict(surveys().values_list("recipient", "state")) == expected
    sent = [email for email, state in expected.items() if state == State.SENT]
    assert [mail["To"] for mail in _survey_mails(mailbox)] == sent
    assert feedback_requests_due() == 0
