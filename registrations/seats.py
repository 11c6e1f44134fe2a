"""The sign-up's locked section: the meeting's lock and the count the decision rests on.

Sign-ups for one meeting take its lock one after another, and hold it until they commit, so
what runs under it bounds how many sign-ups a second a meeting takes (bench/signup_burst).
Both statements are written out rather than built by the ORM, which spent several times the
database's time compiling them: 0.6 ms of CPU for the lock against 0.13, and 1.4-1.8 ms for
the count against 0.16. Both are plain SQL that PostgreSQL and SQLite share.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from django.db import connection

from events.models import Event

from .choices import Status


def lock_events(event_ids: Sequence[int]) -> dict[int, Event]:
    """Locks the meetings' rows, always in id order so two multi-meeting sign-ups cannot
    deadlock; NO KEY UPDATE still lets other transactions check foreign keys to a meeting.
    On SQLite the IMMEDIATE transaction is the lock, and the rows are only read."""
    ids = sorted(set(event_ids))
    if not ids:
        return {}
    sql = f"SELECT * FROM events_event WHERE id IN ({', '.join(['%s'] * len(ids))}) ORDER BY id"
    if connection.features.has_select_for_update:
        sql += " " + connection.ops.for_update_sql(no_key=True)
    return {event.id: event for event in Event.objects.raw(sql, ids)}


def lock_event(event_id: int) -> Event:
    event = lock_events([event_id]).get(event_id)
    if event is None:
        raise Event.DoesNotExist(f"Meeting {event_id} does not exist.")
    return event


@dataclass(frozen=True)
class Seats:
    confirmed: int
    waitlisted: int
    existing_id: int | None

    def free(self, event: Event) -> bool:
        return event.capacity is None or self.confirmed < event.capacity


# Each part is answered by an index: the counts by (event, status, id), the address by the
# unique index of "one active registration per address", whose LOWER and condition it repeats.
# The database lowers both sides, as that index does: SQLite's LOWER folds only A-Z, so
# comparing with Python's lower() missed "Öst@x.se" signing up twice, and the index refused it.
# The index allows one such row, so LIMIT 1 finds it; MAX(id) would have invited PostgreSQL
# to walk the primary key backwards, through every row of the table for an address not there.
_SEATS_SQL = """
    SELECT
        (SELECT COUNT(*) FROM registrations_registration WHERE event_id = %(event)s AND status = %(confirmed)s),
        (SELECT COUNT(*) FROM registrations_registration WHERE event_id = %(event)s AND status = %(waitlisted)s),
        (SELECT id FROM registrations_registration
         WHERE LOWER(email) = LOWER(%(email)s) AND event_id = %(event)s
           AND NOT status = %(cancelled)s AND NOT email = ''
         LIMIT 1)
"""


def count_seats(event: Event, email: str) -> Seats:
    """Everything a sign-up decides on, in one query while the meeting's lock is held:
    seats taken, people waiting, and this address's active registration if any (a walk-in
    may have no address, and then no duplicate to find)."""
    params = {
        "event": event.id,
        "email": email,
        "confirmed": Status.CONFIRMED,
        "waitlisted": Status.WAITLISTED,
        "cancelled": Status.CANCELLED,
    }
    with connection.cursor() as cursor:
        cursor.execute(_SEATS_SQL, params)
        confirmed, waitlisted, existing_id = cursor.fetchone()
    return Seats(confirmed=confirmed, waitlisted=waitlisted, existing_id=existing_id)
