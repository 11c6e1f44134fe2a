"""The survey after a meeting as its page in the workspace shows it: the figures and the
1–5 bars once people answered, else when (or whether) the survey goes out."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import get_language, ngettext, pgettext

from events.choices import EventStatus
from events.models import Event
from feedback.forms import RATINGS
from feedback.selectors import event_feedback_summary
from feedback.services import SEND_WITHIN


@dataclass(frozen=True)
class RatingBar:
    rating: int
    label: str
    count: int
    # Share of the responses in per cent: the bar's width (SVG, as the strict Content
    # Security Policy refuses inline style widths) and the figure beside it.
    percent: int


def _bars(distribution: dict[str, int], responses: int) -> list[RatingBar]:
    """The 1–5 distribution, best first."""
    return [
        RatingBar(
            rating=rating,
            label=str(label),
            count=distribution[str(rating)],
            percent=round(100 * distribution[str(rating)] / responses) if responses else 0,
        )
        for rating, label in reversed(RATINGS)
    ]


def _theme_name(theme: dict) -> str:
    # As Theme.display_name, for the summary's plain values.
    return theme["name_en"] if get_language() == "en" and theme["name_en"] else theme["name"]


def _delay(minutes: int) -> str:
    if minutes and minutes % 60 == 0:
        hours = minutes // 60
        return ngettext("%(count)d hour", "%(count)d hours", hours) % {"count": hours}
    return ngettext("%(count)d minute", "%(count)d minutes", minutes) % {"count": minutes}


def _local(moment: datetime) -> str:
    local = timezone.localtime(moment)
    # The same day format as the meeting's own time (event_tags.when).
    return f"{date_format(local, pgettext('meeting date', 'D j M Y'))}, {date_format(local, 'H:i')}"


def event_feedback(event: Event, *, now: datetime | None = None) -> dict | None:
    """What the meeting's page says about its survey, as `state` and what that state shows:
    "answers" (the summary and its bars), "off", "later" (not held yet), "due" (held, the
    survey not out yet), "waiting" (nobody marked as attended with an e-mail so far) or
    "none" (too late to send). None for a draft or cancelled meeting that asked nobody."""
    now = now or timezone.now()
    sends_at = event.ends_at + timedelta(minutes=event.feedback_delay_minutes)
    timing = {"delay": _delay(event.feedback_delay_minutes), "sends_at": _local(sends_at)}
    if event.ends_at > now:
        if event.status == EventStatus.CANCELLED:
            return None
        return {"state": "later" if event.feedback_survey else "off", **timing}
    summary = event_feedback_summary(event_id=event.id)
    if summary["asked"]:
        return {
            "state": "answers",
            "summary": summary,
            "bars": _bars(summary["distribution"], summary["responses"]),
            "themes": [(_theme_name(theme), theme["wanted"]) for theme in summary["themes_wanted"]],
        }
    if event.status != EventStatus.PUBLISHED:
        return None
    if not event.feedback_survey:
        return {"state": "off"}
    if sends_at > now:
        return {"state": "due", **timing}
    # The beat asks those marked as attended later too, until a week after the end.
    return {"state": "waiting" if now - event.ends_at < SEND_WITHIN else "none", **timing}
