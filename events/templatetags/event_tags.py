"""Presentation helpers for meetings: safe descriptions, local times, seats."""

from dataclasses import dataclass

import nh3
from django import template
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from events.choices import EventStatus
from events.models import Event
from events.selectors import seats_left as _seats_left

register = template.Library()


@register.filter
def sanitized_html(value: str) -> str:
    """Organisers may write simple HTML; nh3 removes scripts, event handlers and javascript: links."""
    return mark_safe(nh3.clean(value or ""))  # noqa: S308 - the output of nh3 is safe by construction


@register.filter
def when(event) -> str:
    """'tis 8 dec 2026, 13:00–15:00' in the site's zone; the end gets its own date when it is another day.

    Takes anything with `starts_at` and `ends_at`: a meeting or a sign-up outcome."""
    starts = timezone.localtime(event.starts_at)
    ends = timezone.localtime(event.ends_at)
    # Translators: a Django date format; Swedish writes months in lower case ("b" instead of "M").
    day = pgettext("meeting date", "D j M Y")
    text = f"{date_format(starts, day)}, {date_format(starts, 'H:i')}–"
    if ends.date() != starts.date():
        text += f"{date_format(ends, day)}, "
    return text + date_format(ends, "H:i")


@register.filter
def where(event: Event) -> str:
    """'Stadshuset, Nyköping', 'Digitalt' or both ('Stadshuset, Nyköping · Digitalt').

    The municipality follows the place unless the place already ends with it
    ('Coompanion Sörmland, Nyköping'); a meeting with a link and a place is shown as both."""
    parts = []
    if event.location or not event.online:
        place = event.location or _("Place to be announced")
        municipality = event.get_municipality_display() if event.municipality else ""
        if municipality and not place.casefold().endswith(municipality.casefold()):
            place = f"{place}, {municipality}"
        parts.append(place)
    if event.online:
        parts.append(_("Online"))
    return " · ".join(parts)


@register.simple_tag
def seats_left(event: Event) -> int | None:
    return _seats_left(event)


@dataclass(frozen=True)
class Availability:
    open: bool
    # "open", "full" or "closed": how the card is coloured.
    tone: str
    label: str


@register.simple_tag
def availability(event: Event) -> Availability:
    """Whether a meeting takes sign-ups and what to tell people about its seats."""
    now = timezone.now()
    if event.registration_closed_reason(now):
        if event.status == EventStatus.CANCELLED:
            return Availability(open=False, tone="closed", label=_("Cancelled"))
        if event.registration_opens_at and now < event.registration_opens_at:
            opens = timezone.localtime(event.registration_opens_at)
            # Outside the f-string, where makemessages finds it ("30 nov" in Swedish, "30 Nov" in English).
            day_format = pgettext("meeting date", "j M")
            when = f"{date_format(opens, day_format)}, {date_format(opens, 'H:i')}"
            label = _("Registration opens %(when)s") % {"when": when}
            return Availability(open=False, tone="closed", label=label)
        return Availability(open=False, tone="closed", label=_("Registration closed"))
    seats = _seats_left(event)
    if seats is None:
        return Availability(open=True, tone="open", label=_("Unlimited places"))
    if seats == 0:
        return Availability(open=True, tone="full", label=_("Full – waiting list"))
    label = ngettext("%(count)d place left", "%(count)d places left", seats) % {"count": seats}
    return Availability(open=True, tone="open", label=label)
