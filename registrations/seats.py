"""The sign-up's locked section: the meeting's lock and the count the decision rests on.

Sign-ups for one meeting take its lock one after another, and hold it until they commit, so
what runs under it bounds how many sign-ups a second a meeting takes (bench/signup_burst).
Both statements are written out rather than built by the ORM, which spent several times the
database's time compiling them (0.6 ms of CPU for the lock, 1.4-1.8 ms for the count), and the
lock's rows become meetings through Model.from_db rather than a RawQuerySet (0.16 ms of CPU
against 0.07). Both are plain SQL that PostgreSQL and SQLite share.

Whether the address already holds a seat is not looked up here: the unique index "one active
registration per address" answers that when the sign-up's row is written (services._insert).
"""

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

from django.db import connection
from django.db.models.expressions import Col

from events.models import Event

from .choices import Status


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
    columns, names, converters = _event_columns(connection.vendor)
    sql = f"SELECT {columns} FROM events_event WHERE id IN ({', '.join(['%s'] * len(ids))}) ORDER BY id"
    if connection.features.has_select_for_update:
        sql += " " + connection.ops.for_update_sql(no_key=True)
    with connection.cursor() as cursor:
        cursor.execute(sql, ids)
        rows = cursor.fetchall()
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
    waitlisted: int

    def free(self, event: Event) -> bool:
        return event.capacity is None or self.confirmed < event.capacity


# Both counts are answered by the index on (event, status, id).
_SEATS_SQL = """
    SELECT
        (SELECT COUNT(*) FROM registrations_registration WHERE event_id = %(event)s AND status = %(confirmed)s),
        (SELECT COUNT(*) FROM registrations_registration WHERE event_id = %(event)s AND status = %(waitlisted)s)
"""


def count_seats(event: Event) -> Seats:
    """Seats taken and people waiting, in one query while the meeting's lock is held."""
    params = {"event": event.id, "confirmed": Status.CONFIRMED, "waitlisted": Status.WAITLISTED}
    with connection.cursor() as cursor:
        cursor.execute(_SEATS_SQL, params)
        confirmed, waitlisted = cursor.fetchone()
    return Seats(confirmed=confirmed, waitlisted=waitlisted)
