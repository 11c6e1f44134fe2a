"""The meetings' rows, locked before their registrations change. Every service that changes
registrations takes these locks first, so seats are counted by one transaction at a time."""

from collections.abc import Sequence

from events.models import Event


def lock_events(event_ids: Sequence[int]) -> dict[int, Event]:
    """Locks the meetings' rows, always in id order, so two sign-ups for the same meetings
    cannot deadlock. NO KEY UPDATE still lets others insert rows that point to a meeting.
    On SQLite this is a plain read: the IMMEDIATE transaction already holds the write lock."""
    events = Event.objects.select_for_update(no_key=True).filter(pk__in=event_ids).order_by("id")
    return {event.id: event for event in events}


def lock_event(event_id: int) -> Event:
    event = lock_events([event_id]).get(event_id)
    if event is None:
        raise Event.DoesNotExist(f"Meeting {event_id} does not exist.")
    return event
