"""Organiser API for messages to a meeting's registrants. Organisers only: a helper is 403."""

from django.shortcuts import get_object_or_404
from ninja import Router, Status

from accounts.auth import organiser_auth
from common.api import ErrorOut
from events.models import Event

from .schemas import AnnouncementCreatedOut, AnnouncementIn, AnnouncementOut
from .selectors import announcement_list_for_event
from .services import announcement_send

router = Router(tags=["organiser: messages"], auth=organiser_auth)


@router.post(
    "/events/{event_id}/messages",
    response={201: AnnouncementCreatedOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut},
)
def organiser_message_send(request, event_id: int, payload: AnnouncementIn):
    """Sends an e-mail to the meeting's confirmed, waitlisted or both (`audience`), once each,
    through the outbox. 409 when nobody would receive it (no one in that audience yet)."""
    get_object_or_404(Event, pk=event_id)
    announcement = announcement_send(
        event_id=event_id,
        subject=payload.subject,
        body=payload.body,
        audience=payload.audience,
        created_by=request.auth,
    )
    return Status(201, announcement)


@router.get("/events/{event_id}/messages", response={200: list[AnnouncementOut], 403: ErrorOut, 404: ErrorOut})
def organiser_messages(request, event_id: int):
    """The meeting's messages, newest first, with how many e-mails are sent, pending, failed or skipped."""
    get_object_or_404(Event, pk=event_id)
    return announcement_list_for_event(event_id=event_id)
