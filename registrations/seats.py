"""The sign-up's locked section: the meeting's lock and the count the decision rests on.

Sign-ups for one meeting take its lock one after another, and hold it until they commit, so
what runs under it bounds how many sign-ups a second a meeting takes (bench/signup_burst).
The statements are written out rather than built by the ORM, which spent several times the
database's time compiling them (0.6 ms of CPU for the lock, 1.4-1.8 ms for the count), and the
lock's rows become meetings through Model.from_db rather than a RawQuerySet (0.16 ms of CPU
against 0.07). They are plain SQL that PostgreSQL and SQLite share.

lock_for_signup() sends the lock, the seats taken, the address's active registration, the
waiting list's length and the new registrations' keys in one round trip
(config.db.run_together): each statement after the lock runs with a snapshot of its own, so
it sees everything the lock's previous holder committed. The waiting list is not counted: its
length is read from WaitingList, which the database keeps, since a count would read every
waiting row.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

from django.db import connection
from django.db.models.expressions import Col

from config import db
from events.models import Event

from .choices import Status
from .models import Registration


@cache
def _event_columns(vendor: str) -> tuple[str, list[str], list[tuple[int, Col, list]]]:
    """The meeting's columns for the lock's SELECT, their attribute names, and the converters
    a few of them need (JSON), as a queryset would apply them."""
    fields = Event._meta.concrete_fields
    columns = ", ".join(connection.ops.quote_name(field.column) for field in fields)
    converters = []
    for index, field in enumerate(fields):
        column = field.get_col(Event._meta.db_table)
        field_converters = connection.ops.get_db_converters(column) + field.get_db_converters(connection)
        if field_converters:
            converters.append((index, column, field_converters))
    return columns, [field.attname for field in fields], converters


def lock_events(event_ids: Sequence[int]) -> dict[int, Event]:
    """Locks the meetings' rows, always in id order so two multi-meeting sign-ups cannot
    deadlock; NO KEY UPDATE still lets other transactions check foreign keys to a meeting.
    On SQLite the IMMEDIATE transaction is the lock, and the rows are only read."""
    ids = sorted(set(event_ids))
    if not ids:
        return {}
    (rows,) = db.run_together([_lock_statement(ids)])
    return _events(rows)


def _lock_statement(ids: list[int]) -> tuple[str, list[int]]:
    columns, _names, _converters = _event_columns(connection.vendor)
    sql = f"SELECT {columns} FROM events_event WHERE id IN ({', '.join(['%s'] * len(ids))}) ORDER BY id"
    if connection.features.has_select_for_update:
        sql += " " + connection.ops.for_update_sql(no_key=True)
    return sql, ids


def _events(rows: list[tuple]) -> dict[int, Event]:
    _columns, names, converters = _event_columns(connection.vendor)
    events = {}
    for row in rows:
        values = list(row)
        for index, column, field_converters in converters:
            for convert in field_converters:
                values[index] = convert(values[index], column, connection)
        event = Event.from_db(connection.alias, names, values)
        events[event.id] = event
    return events


def lock_event(event_id: int) -> Event:
    event = lock_events([event_id]).get(event_id)
    if event is None:
        raise Event.DoesNotExist(f"Meeting {event_id} does not exist.")
    return event


@dataclass(frozen=True)
class Seats:
    confirmed: int
    # The id of the address's active registration for the meeting, if it has one.
    holder_id: int | None = None
    # How many wait in line for the meeting.
    waiting: int = 0

    def free(self, event: Event) -> bool:
        return event.capacity is None or self.confirmed < event.capacity


# The count is answered by the index on (event, status, id), the holder by the unique index
# "one active registration per address", matched as it matches: lowered by the database on
# both sides (SQLite's LOWER folds only A-Z, Python's lower() folds more). A meeting nobody
# has waited for has no WaitingList row yet.
_SEATS_SQL = """
    SELECT
        (SELECT COUNT(*) FROM registrations_registration WHERE event_id = %s AND status = %s),
        (SELECT id FROM registrations_registration
         WHERE LOWER(email) = LOWER(%s) AND event_id = %s AND NOT (status = %s) AND NOT (email = '')),
        COALESCE((SELECT length FROM registrations_waitinglist WHERE event_id = %s), 0)
"""


def _seats_statement(event_id: int, email: str) -> tuple[str, list]:
    return _SEATS_SQL, [event_id, Status.CONFIRMED, email, event_id, Status.CANCELLED, event_id]


@dataclass(frozen=True)
class SignupLock:
    """What a sign-up decides on, read under the meetings' locks."""

    events: dict[int, Event]
    seats: dict[int, Seats]
    # A key for a new registration per meeting, whether it is used or not: taken under the
    # lock, so keys rise in the order the lock was granted, which is the waiting list's order.
    registration_ids: dict[int, int]


def lock_for_signup(event_ids: Sequence[int], *, email: str) -> SignupLock:
    """Locks the meetings (as lock_events) and reads, for each, the seats taken and the
    address's active registration, and reserves a key for each new registration: one round
    trip on PostgreSQL, whatever the number of meetings."""
    ids = sorted(set(event_ids))
    if not ids:
        return SignupLock(events={}, seats={}, registration_ids={})
    statements = [_lock_statement(ids), *(_seats_statement(event_id, email) for event_id in ids)]
    statements.append(db.reserve_ids(Registration, len(ids)))
    locked, *counted, reserved = db.run_together(statements)
    seats = {event_id: Seats(*rows[0]) for event_id, rows in zip(ids, counted, strict=True)}
    registration_ids = {event_id: row[0] for event_id, row in zip(ids, reserved, strict=True)}
    return SignupLock(events=_events(locked), seats=seats, registration_ids=registration_ids)
