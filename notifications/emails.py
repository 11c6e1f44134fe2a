"""Turning an outbox row into the e-mail a person reads: text, HTML and, where it belongs,
a calendar invitation (as a text/calendar alternative and as invite.ics)."""

import email.message
import email.policy
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from events.choices import EventStatus
from registrations.choices import Status
from registrations.privacy import PRIVACY_LINK_MAX_AGE, privacy_token
from registrations.selectors import waitlist_position
from registrations.services import manage_links_issue

from . import calendar, invites, mime
from .feeds import feed_urls, webcal_url
from .models import Message

Kind = Message.Kind


class InviteEmail(EmailMultiAlternatives):
    """One of the outbox's e-mails: text, HTML and, where it belongs, a calendar invitation,
    as a text/calendar alternative whose Content-Type names the same METHOD as the file
    (RFC 6047) and as invite.ics. Built by notifications.mime (see there why)."""

    calendar: bytes = b""
    calendar_method = ""

    def add_invite(self, ics: bytes, *, method: str) -> None:
        self.calendar, self.calendar_method = ics, method

    def message(self, *, policy: email.policy.Policy = email.policy.default) -> email.message.Message:
        if self.cc or self.reply_to or self.attachments:
            raise ValueError("InviteEmail carries no Cc, Reply-To or attachments but its invitation.")
        [html] = [content for content, mimetype in self.alternatives if mimetype == "text/html"]
        return mime.build(
            subject=str(self.subject),
            from_email=self.from_email,
            to=self.to,
            text=self.body,
            html=html,
            calendar=self.calendar,
            calendar_method=self.calendar_method,
            headers=self.extra_headers,
            linesep=policy.linesep,
        )


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
    """Personal links for a batch of messages, made in a few queries instead of a few per message,
    and the batch's e-mail bodies, rendered once for everyone they are the same for (_bodies)."""

    manage_tokens: dict[int, str]  # registration id -> manage token (its URL depends on the language)
    feeds: dict[str, str]  # address in lower case -> calendar feed
    bodies: dict = field(default_factory=dict, compare=False)


def links_for(messages: Iterable[Message]) -> Links:
    """The personal links (manage and calendar feed) for these messages, made in a few queries."""
    active, confirmed = [], []
    for message in messages:
        registration = message.registration
        if message.kind == Kind.PRIVACY_LINK:
            continue  # carries its own link, and no manage link or feed
        if registration is not None and registration.status != Status.CANCELLED:
            active.append(registration.id)
            if registration.status == Status.CONFIRMED:
                confirmed.append(message.recipient)
    return Links(manage_tokens=manage_links_issue(registration_ids=active), feeds=feed_urls(confirmed))


@dataclass(frozen=True)
class _MessageFacts:
    """All the templates may read of the outbox row: nothing about the person, so a body
    rendered for one recipient can be completed for another."""

    kind: str
    language: str


# What differs between two people sent the same kind of e-mail about the same meeting. The two
# templates are rendered once a batch with a stand-in for each of these, and each person's
# values replace the stand-ins, escaped for HTML as the template escapes them: a reminder to
# 500 people rendered both templates 500 times, a sixth of the sender's CPU.
_PERSONAL = ("name", "manage_url", "feed_url", "webcal_url")
_STAND_IN = re.compile("\x00([a-z_]+)\x00")


def _bodies(context: dict, cache: dict) -> tuple[str, str]:
    """The text and HTML bodies for `context`, from `cache` when the batch had them already.
    The meeting is known by its id: a Links serves one batch, whose meetings were read at once."""
    personal = {name: str(context[name]) for name in _PERSONAL if context.get(name)}
    # Every other value of the context is part of the key, so one added later that differs
    # per person makes more renders, never a body completed for the wrong person.
    shared_values = sorted(
        (name, value.pk if name == "event" else value) for name, value in context.items() if name not in _PERSONAL
    )
    key = (*shared_values, translation.get_language(), frozenset(personal))
    if key not in cache:
        shared = {**context, **{name: f"\x00{name}\x00" for name in personal}}
        cache[key] = (
            render_to_string("notifications/email/message.txt", shared),
            render_to_string("notifications/email/message.html", shared),
        )
    text, html = cache[key]
    # One pass each: a value that happens to look like a stand-in is not replaced again.
    return (
        _STAND_IN.sub(lambda match: personal[match[1]], text),
        _STAND_IN.sub(lambda match: escape(personal[match[1]]), html),
    )


def build(message: Message, *, links: Links | None = None) -> InviteEmail:
    """The e-mail for one outbox row, in the recipient's language, from the data as it is now.

    `links` (from links_for over a whole batch) saves the queries for the personal links."""
    if message.kind == Kind.PRIVACY_LINK:
        return _privacy_link_email(message)
    links = links if links is not None else links_for([message])
    registration = message.registration
    event = message.event
    with translation.override(message.language or settings.LANGUAGE_CODE):
        confirmed = registration is not None and registration.status == Status.CONFIRMED
        active = registration is not None and registration.status != Status.CANCELLED
        position = waitlist_position(registration) if registration is not None else None
        method = _method(message, registration)
        context = {
            "message": _MessageFacts(kind=message.kind, language=message.language),
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
        text, html = _bodies(context, links.bodies)
        email = InviteEmail(
            subject=_subject(message, event.title),
            body=text,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[message.recipient],
            headers={"Auto-Submitted": "auto-generated"},
        )
        email.attach_alternative(html, "text/html")
        if method:
            invite = invites.registration_invite(
                registration, method=method, description=_invite_description(context), url=context["event_url"]
            )
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


def _privacy_link_email(message: Message) -> InviteEmail:
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
        email = InviteEmail(
            subject=_("Your details at Träffpunkt"),
            body=render_to_string("notifications/email/privacy_link.txt", context),
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[message.recipient],
            headers={"Auto-Submitted": "auto-generated"},
        )
        email.attach_alternative(render_to_string("notifications/email/privacy_link.html", context), "text/html")
    return email
