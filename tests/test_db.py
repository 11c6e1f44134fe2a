"""config.db: the one-row INSERT writes exactly what Model.save() writes, on either database."""

from datetime import UTC, datetime

import pytest
from django.db import IntegrityError, connection, models, transaction
from django.db.models.functions import Now
from django.db.transaction import TransactionManagementError
from django.forms.models import model_to_dict
from django.test.utils import CaptureQueriesContext, isolate_apps

from config import db
from notifications.models import Message
from registrations.models import Registration, RegistrationChange
from tests.factories import EventFactory, RegistrationFactory
from tests.threads import at_once

pytestmark = pytest.mark.django_db


def _stored(model, pk) -> dict:
    # Every column as the database gives it back, apart from the primary key.
    row = model.objects.filter(pk=pk).values().get()
    row.pop("id")
    return row


def _registration(event, email):
    return Registration(
        event=event,
        status="waitlisted",
        name='Åsa Öberg "Ö" 👋 مرحبا',
        email=email,
        municipality="Nyköping",
        token_hash=email.ljust(64, "x"),
    )


def test_insert_writes_the_row_that_save_writes_and_sets_the_key():
    event = EventFactory()
    fast, saved = _registration(event, "fast@example.org"), _registration(event, "saved@example.org")

    assert db.insert(fast) is True
    saved.save()

    assert fast.pk is not None and fast.pk != saved.pk
    assert fast._state.adding is False
    assert fast.created_at is not None  # auto_now_add ran, as in save()
    fast_row, saved_row = _stored(Registration, fast.pk), _stored(Registration, saved.pk)
    for row in (fast_row, saved_row):
        row.pop("created_at")
        row.pop("email")
        row.pop("token_hash")
    assert fast_row == saved_row
    assert Registration.objects.get(pk=fast.pk).name == 'Åsa Öberg "Ö" 👋 مرحبا'


def test_insert_adapts_json_and_time_zones_like_save():
    registration = RegistrationFactory()
    due = datetime(2026, 10, 25, 0, 30, tzinfo=UTC)  # the night the clocks go back
    context = {"was_confirmed": True, "text": "Välkommen ✓", "nested": [1, {"a": None}]}
    fast = Message(
        key="test:fast",
        kind=Message.Kind.REMINDER,
        registration=registration,
        event_id=registration.event_id,
        recipient=registration.email,
        context=context,
        next_attempt_at=due,
    )

    db.insert(fast)

    stored = Message.objects.get(pk=fast.pk)
    assert stored.context == context
    assert stored.next_attempt_at == due
    assert model_to_dict(stored, exclude=["id", "created_at"]) == model_to_dict(fast, exclude=["id", "created_at"])


def test_insert_ignoring_conflicts_skips_a_duplicate_and_says_so():
    registration = RegistrationFactory()

    def message():
        return Message(
            key=f"confirmation:{registration.pk}",
            kind=Message.Kind.CONFIRMATION,
            registration=registration,
            event_id=registration.event_id,
            recipient=registration.email,
        )

    first, again = message(), message()
    assert db.insert(first, ignore_conflicts=True) is True
    assert db.insert(again, ignore_conflicts=True) is False
    assert again.pk is None
    assert Message.objects.filter(key=first.key).count() == 1


def test_insert_without_ignoring_conflicts_raises_djangos_integrity_error_and_spoils_the_block():
    registration = RegistrationFactory()
    copy = _registration(registration.event, registration.email.upper())

    with transaction.atomic():
        with pytest.raises(IntegrityError):
            db.insert(copy)
        # As after a failed save(): the block must roll back, not carry on half-written.
        with pytest.raises(TransactionManagementError):
            Registration.objects.count()


def test_insert_refuses_a_model_whose_row_it_cannot_write_alone():
    with isolate_apps("registrations"):

        class Walkin(Registration):  # save() on a proxy goes through its concrete model
            class Meta:
                proxy = True
                app_label = "registrations"

        class Stamped(models.Model):  # noqa: DJ008 (a column the database fills in itself)
            at = models.DateTimeField(db_default=Now())

            class Meta:
                app_label = "registrations"

        for model in (Walkin, Stamped):
            with pytest.raises(TypeError, match=model.__name__):
                db.insert(model())


def test_insert_refuses_a_row_that_already_has_a_key():
    registration = RegistrationFactory()

    with pytest.raises(ValueError, match="already has a primary key"):
        db.insert(registration)


@pytest.mark.parametrize("count", [0, 1, 3])
def test_insert_rows_writes_every_row(count):
    registration = RegistrationFactory()
    changes = [RegistrationChange(registration=registration, action="signed_up", detail={"n": n}) for n in range(count)]

    db.insert_rows(changes)

    stored = RegistrationChange.objects.filter(registration=registration).order_by("id")
    assert [change.detail for change in stored] == [{"n": n} for n in range(count)]


# ---- Statements sent together ----


def test_run_together_answers_each_statement_with_its_rows_in_one_round_trip_on_postgresql():
    registration = RegistrationFactory()
    statements = [
        ("SELECT %s, %s", [1, "ett"]),
        ("UPDATE registrations_registration SET name = %s WHERE id = %s", ["Ny", registration.pk]),
        ("SELECT name FROM registrations_registration WHERE id = %s", [registration.pk]),
    ]

    with CaptureQueriesContext(connection) as queries:
        results = db.run_together(statements)

    # The third statement sees the second's change, as if they had come one by one.
    assert results == [[(1, "ett")], [], [("Ny",)]]
    assert len(queries) == (1 if connection.vendor == "postgresql" else 3)
    assert db.run_together([]) == []


def test_run_together_spoils_the_block_when_a_statement_fails():
    registration = RegistrationFactory()

    with transaction.atomic():
        with pytest.raises(IntegrityError):
            db.run_together(
                [
                    ("SELECT 1", []),
                    ("UPDATE registrations_registration SET name = NULL WHERE id = %s", [registration.pk]),
                ]
            )
        with pytest.raises(TransactionManagementError):
            Registration.objects.count()


def test_reserved_ids_rise_are_never_handed_out_twice_and_follow_deleted_rows():
    newest = RegistrationFactory()
    used = newest.pk
    newest.delete()  # its key stays used: a new registration must not take it

    with transaction.atomic():
        (first,) = db.run_together([db.reserve_ids(Registration, 3)])
        first = [row[0] for row in first]
        rows = [_registration(EventFactory(), f"r{n}@example.org") for n in range(3)]
        for row, pk in zip(rows, first, strict=True):
            row.pk = pk
        db.insert_together(rows)
        (second,) = db.run_together([db.reserve_ids(Registration, 2)])

    assert first == sorted(first) and first[0] > used
    assert [row[0] for row in second] == sorted(row[0] for row in second)
    assert second[0][0] > first[-1]
    assert sorted(Registration.objects.values_list("pk", flat=True)) == first


def test_insert_together_writes_rows_that_point_to_a_reserved_key_in_the_same_call():
    event = EventFactory()
    with transaction.atomic():
        (reserved,) = db.run_together([db.reserve_ids(Registration, 1)])
        registration = _registration(event, "ny@example.org")
        registration.pk = reserved[0][0]
        change = RegistrationChange(registration=registration, action="signed_up")

        db.insert_together([registration, change])

    assert registration.pk == reserved[0][0] and registration._state.adding is False
    assert change.pk is not None  # the database's key, given back
    stored = RegistrationChange.objects.select_related("registration").get(pk=change.pk)
    assert stored.registration.email == "ny@example.org"
    assert stored.registration.created_at is not None


def test_a_row_prepared_ahead_is_written_with_what_was_set_on_it_since():
    """NewRow: the values are prepared when the row is; set() prepares again only the fields it
    sets (a key reserved later, a status, a foreign key to that key), as save() would."""
    event = EventFactory()
    registration = _registration(event, "tidig@example.org")
    prepared = db.NewRow(registration, key_reserved=True)
    change = db.NewRow(RegistrationChange(registration=registration, action="waitlisted"))
    confirmed_at = datetime(2026, 11, 29, 9, 30, tzinfo=UTC)

    with transaction.atomic():
        (reserved,) = db.run_together([db.reserve_ids(Registration, 1)])
        prepared.set(pk=reserved[0][0], status="confirmed", confirmed_at=confirmed_at)
        change.set(registration=registration, action="signed_up")
        db.insert_together([prepared, change])

    stored = Registration.objects.get(pk=reserved[0][0])
    assert (stored.status, stored.confirmed_at, stored.name) == ("confirmed", confirmed_at, registration.name)
    assert stored.created_at == registration.created_at  # stamped when prepared, not again
    assert list(stored.changes.values_list("action", flat=True)) == ["signed_up"]
    assert registration._state.adding is False and change.obj.pk is not None


def test_insert_together_refuses_a_row_that_is_already_stored():
    registration = RegistrationFactory()

    with pytest.raises(ValueError, match="already stored"):
        db.insert_together([registration])


# ---- The last message carries the COMMIT ----


def _committed_elsewhere(email: str) -> bool:
    """Whether another connection (another thread's) sees the row yet: whether it is committed."""
    (seen,), errors = at_once(Registration.objects.filter(email=email).exists, threads=1)
    assert errors == []
    return seen


@pytest.mark.django_db(transaction=True)
def test_insert_together_with_commit_ends_the_outermost_transaction_in_its_own_message():
    """On PostgreSQL; SQLite commits at the block's end, as always."""
    event = EventFactory()
    called = []

    with transaction.atomic(durable=True):
        transaction.on_commit(lambda: called.append("after commit"))
        with CaptureQueriesContext(connection) as queries:
            db.insert_together([_registration(event, "ny@example.org")], commit=True)
        committed_inside_the_block = _committed_elsewhere("ny@example.org")
        assert called == []

    assert called == ["after commit"]
    assert _committed_elsewhere("ny@example.org")
    if connection.vendor == "postgresql":
        assert committed_inside_the_block  # the lock is let go before the block's end
        before, after = db.COMMITTING
        sent = [sql for sql, _params in [*before, *after]]
        assert len(queries) == 1
        assert queries[0]["sql"].startswith(f"{sent[0]}; ") and queries[0]["sql"].endswith("; ".join(sent[1:]))
    else:  # SQLite commits at the block's end, as always
        assert not committed_inside_the_block


@pytest.mark.django_db(transaction=True)
def test_insert_together_with_commit_inside_a_nested_block_leaves_the_commit_to_the_outermost():
    event = EventFactory()

    with pytest.raises(RuntimeError), transaction.atomic():
        with transaction.atomic():
            db.insert_together([_registration(event, "ny@example.org")], commit=True)
        assert Registration.objects.filter(email="ny@example.org").exists()  # written inside the transaction
        assert not _committed_elsewhere("ny@example.org")
        raise RuntimeError("the outer block fails after all")

    assert not Registration.objects.filter(email="ny@example.org").exists()


@pytest.mark.django_db(transaction=True)
def test_insert_together_with_commit_commits_nothing_when_a_row_fails():
    event = EventFactory()
    RegistrationFactory(event=event, email="taken@example.org")

    with pytest.raises(IntegrityError), transaction.atomic(durable=True):
        db.insert_together(
            [_registration(event, "ny@example.org"), _registration(event, "TAKEN@example.org")], commit=True
        )

    assert not Registration.objects.filter(email="ny@example.org").exists()
    assert Registration.objects.count() == 1  # and the connection works on
