"""Every change to registrations: one function, one transaction, the meeting row locked first.

The lock is the meeting's row (`select_for_update(no_key=True)` on PostgreSQL; on SQLite every
transaction is IMMEDIATE, which serialises writers). Seats are counted after the lock, in the
same transaction as the insert, so a meeting is never overbooked. The e-mails a change causes
are written to the outbox in that same transaction, and so is a line of the registration's
history (RegistrationChange) for each change, naming `by`, the acting user (None: the person
themself, or the system).

Sign-ups, cancellation and the waiting list are in signups.py, attendance in attendance.py,
the meetings' locks in locks.py; their public names are importable from here.
"""

from .attendance import attendance_mark_no_shows, registration_set_attendance
from .locks import lock_event, lock_events
from .signups import (
    PersonDetails,
    RegistrationConflict,
    SignupOutcome,
    SignupRejected,
    registration_add_by_organiser,
    registration_cancel,
    signup_create,
    theme_interest_add,
    waitlist_promote,
)

__all__ = [
    "PersonDetails",
    "RegistrationConflict",
    "SignupOutcome",
    "SignupRejected",
    "attendance_mark_no_shows",
    "lock_event",
    "lock_events",
    "registration_add_by_organiser",
    "registration_cancel",
    "registration_set_attendance",
    "signup_create",
    "theme_interest_add",
    "waitlist_promote",
]
