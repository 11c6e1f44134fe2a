"""Turning an outbox row into the e-mail a person reads: text, HTML and, where it belongs,
a calendar invitation (as a text/calendar alternative and as invite.ics)."""

import email.message
import email.policy
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from events.choices import EventStatus
from feedback.emails import survey_email
from registrations.choices import Status
from registrations.manage_links import manage_links_issue
from registrations.personal_data.tokens import PRIVACY_LINK_MAX_AGE, privacy_token
from registrations.selectors import waitlist_position

from . import calendar, invites
from .feeds import feed_urls, webcal_url
from .models import Message

Kind = Message.Kind


class InviteEmail(EmailMultiAlternatives):
    """An e-mail that may carry a calendar invitation: as a text/calendar alternative whose
    method= names the file's METHOD (RFC 6047), and as the attachment invite.ics."""

    calendar: bytes = b""
    calendar_method = ""

    def add_invite(self, ics: bytes, *, method: str) -> None:
        self.calendar, self.calendar_method = ics, method
        self.attach("invite.ics", ics, "application/ics")

    def message(self, *, policy: email.policy.Policy = email.policy.default) -> email.message.EmailMessage:
        message = super().message(policy=policy)
        if self.calendar:
            # attach_alternative() would give a text part the output's line ends (LF); base64 keeps the file's CRLF.
            [body] = [part for part in message.walk() if part.get_content_type() == "multipart/alternative"]
            params = {"method": self.calendar_method, "charset": "UTF-8"}
            body.add_alternative(self.calendar, "text", "calendar", params=params)
        return message


SUBJECTS = {
    Kind.CONFIRMATION: gettext_lazy("Confirmed: %(title)s"),
    Kind.WAITLISTED: gettext_lazy("Waiting list: %(title)s"),
    Kind.PROMOTED: gettext_lazy("A place opened – you are confirmed: %(title)s"),
    Kind.REMINDER: gettext_lazy("Reminder: %(title)s"),
    Kind.EVENT_CHANGED: gettext_lazy("Changed: %(title)s"),
    Kind.EVENT_CANCELLED: gettext_lazy("Cancelled: %(title)s"),
    Kind.REGISTRATION_CANCELLED: gettext_lazy("Your registration is cancelled: %(title)s"),
    Kind.MANAGE_LINK: gettext_lazy("Your registration: %(title)s"),
    Kind.THEME_ANNOUNCEMENT: gettext_lazy("New meeting: %(title)s"),
}

INTROS = {
    Kind.CONFIRMATION: gettext_lazy("Your place is confirmed. The calendar invitation is attached."),
    Kind.PROMOTED: gettext_lazy(
        "A place opened and it is yours: you are confirmed. The calendar invitation is attached."
    ),
    Kind.REMINDER: gettext_lazy("A reminder of the meeting you are registered for."),
    Kind.EVENT_CHANGED: gettext_lazy("The meeting has changed. Here are the new details."),
    Kind.EVENT_CANCELLED: gettext_lazy("Unfortunately the meeting is cancelled. We are sorry for the trouble."),
    Kind.REGISTRATION_CANCELLED: gettext_lazy(
        "Your registration is cancelled, as you asked. Welcome back another time."
    ),
    Kind.MANAGE_LINK: gettext_lazy(
        "Someone (probably you) signed up again with this address. You were already registered, "
        "so nothing changed; here is your personal link again."
    ),
    Kind.THEME_ANNOUNCEMENT: gettext_lazy("You asked to hear about meetings on this theme. Here is a new one."),
}


def _subject(message: Message, title: str) -> str:
    if message.kind == Kind.ORGANISER_MESSAGE:
        return message.announcement.subject
    return str(SUBJECTS[message.kind]) % {"title": title}


def _intro(message: Message, position: int | None) -> str:
    if message.kind == Kind.ORGANISER_MESSAGE:
        # The organiser's own words, as plain text (the HTML template escapes it and keeps the lines).
        return message.announcement.body
    if message.kind == Kind.WAITLISTED:
        return _(
            "The meeting is full, so you are on the waiting list, in place %(position)s. If a place "
            "opens, it goes to the first in line and you get an e-mail with the calendar invitation."
        ) % {"position": position or "–"}
    return str(INTROS[message.kind])


def _method(message: Message, registration) -> str:
    """Which invitation, if any, goes with the message."""
    if registration is None:
        return ""
    if message.kind in (Kind.CONFIRMATION, Kind.PROMOTED, Kind.REMINDER, Kind.EVENT_CHANGED):
        return calendar.REQUEST if registration.status == Status.CONFIRMED else ""
    if message.kind == Kind.EVENT_CANCELLED:
        return calendar.CANCEL if registration.confirmed_at else ""
    if message.kind == Kind.REGISTRATION_CANCELLED:
        return calendar.CANCEL if message.context.get("was_confirmed") else ""
    return ""


@dataclass(frozen=True)
class Links:
    """Personal links for a batch of messages, made in a few queries instead of a few per message."""

    manage_tokens: dict[int, str]  # registration id -> manage token (its URL depends on the language)
    feeds: dict[str, str]  # address in lower case -> calendar feed


def links_for(messages: Iterable[Message]) -> Links:
    """The personal links (manage and calendar feed) for these messages, made in a few queries."""
    active, confirmed = [], []
    for message in messages:
        registration = message.registration
        if message.kind in (Kind.PRIVACY_LINK, Kind.FEEDBACK_REQUEST):
            continue  # carries its own link, and no manage link or feed
        if registration is not None and registration.status != Status.CANCELLED:
            active.append(registration.id)
            if registration.status == Status.CONFIRMED:
                confirmed.append(message.recipient)
    return Links(manage_tokens=manage_links_issue(registration_ids=active), feeds=feed_urls(confirmed))


def build(message: Message, *, links: Links | None = None) -> EmailMultiAlternatives:
    """The e-mail for one outbox row, in the recipient's language, from the data as it is now.

    `links` (from links_for over a whole batch) saves the queries for the personal links."""
    if message.kind == Kind.PRIVACY_LINK:
        return _privacy_link_email(message)
    if message.kind == Kind.FEEDBACK_REQUEST:
        return survey_email(message)
    links = links if links is not None else links_for([message])
    registration = message.registration
    event = message.event
    with translation.override(message.language or settings.LANGUAGE_CODE):
        confirmed = registration is not None and registration.status == Status.CONFIRMED
        active = registration is not None and registration.status != Status.CANCELLED
        position = waitlist_position(registration) if registration is not None else None
        context = {
            "message": message,
            "name": registration.name if registration else message.context.get("name", ""),
            "event": event,
            "intro": _intro(message, position),
            "cancelled": event.status == EventStatus.CANCELLED or message.kind == Kind.REGISTRATION_CANCELLED,
            # The online link goes only to people with a confirmed seat.
            "online_url": event.online_url if confirmed and event.status == EventStatus.PUBLISHED else "",
            "manage_url": _manage_url(links.manage_tokens[registration.id]) if active else "",
            "feed_url": links.feeds.get(message.recipient.lower(), "") if confirmed else "",
            "event_url": invites.event_url(event),
            "site_url": settings.SITE_URL,
        }
        if context["feed_url"]:
            context["webcal_url"] = webcal_url(context["feed_url"])
        email = InviteEmail(
            subject=_subject(message, event.title),
            body=render_to_string("notifications/email/message.txt", context),
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[message.recipient],
            headers={"Auto-Submitted": "auto-generated"},
        )
        email.attach_alternative(render_to_string("notifications/email/message.html", context), "text/html")
        method = _method(message, registration)
        if method:
            invite = invites.registration_invite(registration, method=method, description=_invite_description(context))
            email.add_invite(invite, method=method)
    return email


def _invite_description(context: dict) -> str:
    """What the calendar entry says besides time and place: the links a person needs on the
    day. Not the e-mail's text: greetings and "the invitation is attached" are noise in a
    calendar, and a reminder would overwrite the entry's text with its own each time."""
    lines = []
    if context["online_url"]:
        lines.append(f"{_('Online meeting link')}: {context['online_url']}")
    if context["manage_url"]:
        lines.append(f"{_('See or cancel your registration')}: {context['manage_url']}")
    lines.append(f"{_('About the meeting')}: {context['event_url']}")
    return "\n".join(lines)


def _manage_url(token: str) -> str:
    # Reversed in the recipient's language, so an English reader lands on /en/.
    return settings.SITE_URL + reverse("registrations:manage", args=[token])


def _privacy_link_email(message: Message) -> EmailMultiAlternatives:
    """The link to everything held about the address, signed when the e-mail is made, so its
    day of validity starts when it is sent."""
    registration = message.registration
    with translation.override(message.language or settings.LANGUAGE_CODE):
        context = {
            "message": message,
            "name": registration.name,
            "email": message.recipient,
            "privacy_url": settings.SITE_URL + reverse("registrations:privacy", args=[privacy_token(registration)]),
            "hours": int(PRIVACY_LINK_MAX_AGE.total_seconds() // 3600),
            "site_url": settings.SITE_URL,
        }
        email = EmailMultiAlternatives(
            subject=_("Your details at Träffpunkt"),
            body=render_to_string("notifications/email/privacy_link.txt", context),
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[message.recipient],
            headers={"Auto-Submitted": "auto-generated"},
        )
        email.attach_alternative(render_to_string("notifications/email/privacy_link.html", context), "text/html")
    return email
