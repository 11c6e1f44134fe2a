"""The progress report's figures, aggregated in the database.

A fixed number of queries whatever the number of meetings and registrations (a test pins
it): per-meeting counts in one GROUP BY, each breakdown of unique attendees in one more.
Rules (brief.md): a meeting counts in the period its local start date falls in; cancelled
meetings and cancelled registrations count nowhere; only meetings that have started are
"held".
"""

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.db.models.functions import Lower
from django.utils import timezone

from events.choices import EventStatus, Kind
from events.models import Event
from events.selectors import local_day_start
from feedback.selectors import feedback_figures, quotable_comments
from registrations.choices import ACTIVE_STATUSES, Status
from registrations.models import Registration

from .coaching_figures import UNSPECIFIED, UNSPECIFIED_NAME
from .models import Outcome, Participant, Programme, ProgressReport


def _registered(prefix: str = "") -> Q:
    """Registered for a held meeting: had a seat, or came anyway (a waiting-list walk-in).
    A waiting-list place that never became a seat is no registration the funder counts."""
    return _active(prefix) & (Q(**{f"{prefix}status": Status.CONFIRMED}) | Q(**{f"{prefix}attended": True}))


def _attended(prefix: str = "") -> Q:
    return _active(prefix) & Q(**{f"{prefix}attended": True})


def _no_show(prefix: str = "") -> Q:
    return _active(prefix) & Q(**{f"{prefix}attended": False})


def _active(prefix: str) -> Q:
    return ~Q(**{f"{prefix}status": Status.CANCELLED})


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # included

    def __post_init__(self):
        if self.end < self.start:
            raise ValueError("The period ends before it starts.")

    @property
    def label(self) -> str:
        return f"{self.start:%Y-%m-%d}–{self.end:%Y-%m-%d}"

    def following(self) -> "Period":
        """The next period: the next half-year after a half-year, else as many days again."""
        half_year = half_year_containing(self.start)
        if half_year == self:
            return half_year_containing(self.end + timedelta(days=1))
        return Period(self.end + timedelta(days=1), self.end + (self.end - self.start) + timedelta(days=1))


def half_year_containing(day: date) -> Period:
    """The funder's half-year around `day`: 1 Dec – 31 May or 1 Jun – 30 Nov."""
    if 6 <= day.month <= 11:
        return Period(date(day.year, 6, 1), date(day.year, 11, 30))
    year = day.year if day.month == 12 else day.year - 1
    return Period(date(year, 12, 1), date(year + 1, 6, 1) - timedelta(days=1))


def _starting_in(period: Period) -> Q:
    return Q(
        starts_at__gte=local_day_start(period.start),
        starts_at__lt=local_day_start(period.end + timedelta(days=1)),
    )


def _booked_or_not_a_slot() -> Q:
    # A coaching time nobody booked is an offer, not a meeting: it is neither held nor planned.
    booked = Registration.objects.filter(event=OuterRef("pk"), status__in=ACTIVE_STATUSES)
    return Q(coaching_series__isnull=True) | Q(Exists(booked))


def _held(period: Period) -> QuerySet[Event]:
    return Event.objects.filter(
        _starting_in(period), _booked_or_not_a_slot(), status=EventStatus.PUBLISHED, starts_at__lte=timezone.now()
    )


def _with_counts(events: QuerySet[Event]) -> list[dict]:
    """Per-meeting counts as plain rows (no model instances), with their themes' names."""
    rows = list(
        events.values("id", "title", "kind", "starts_at", "municipality", "online_url")
        .annotate(
            registered=Count("registrations", filter=_registered("registrations__")),
            attended=Count("registrations", filter=_attended("registrations__")),
            no_shows=Count("registrations", filter=_no_show("registrations__")),
        )
        .order_by("starts_at", "id")
    )
    # One query joined on the same filter, rather than prefetch_related's IN list of every id.
    # Themes in the order they were created: "finansiering och effektmätning" reads as
    # the organiser set the programme up, not alphabetically.
    themes = defaultdict(list)
    links = Event.themes.through.objects.filter(event__in=events.values("id")).order_by("theme_id")
    for event_id, name in links.values_list("event_id", "theme__name"):
        themes[event_id].append(name)
    for row in rows:
        row["themes"] = themes[row["id"]]
    return rows


def events_held(period: Period) -> list[dict]:
    """Published meetings of the period that have started, with their counts, in time order."""
    return _with_counts(_held(period))


def events_scheduled(period: Period) -> list[dict]:
    """Published meetings starting in `period` (section 7). Not only future ones: a report
    written after the fact lists what was planned for the period after it."""
    scheduled = Event.objects.filter(_starting_in(period), _booked_or_not_a_slot(), status=EventStatus.PUBLISHED)
    return _with_counts(scheduled)


def _attendances(period: Period) -> QuerySet[Registration]:
    return Registration.objects.filter(_attended(), event__in=_held(period))


# A person is their e-mail address, case-insensitively; someone added at the door without
# an address counts once per registration (nothing says two of them are the same person).
_PEOPLE = {
    "people_with_email": Count(Lower("email"), distinct=True, filter=~Q(email="")),
    "people_without_email": Count("id", filter=Q(email="")),
}


def _people(row: dict) -> int:
    return row["people_with_email"] + row["people_without_email"]


def _unique_attendees_by(period: Period, field: str) -> dict[str, int]:
    rows = _attendances(period).values(field).annotate(**_PEOPLE).order_by(field)
    return {row[field] or "": _people(row) for row in rows}


def progress_figures(period: Period) -> dict:
    """Every number of the report for `period`, JSON-shaped (the API's answer and the
    snapshot a finalised report keeps). Keys of brief.md's contract, and more."""
    events = events_held(period)
    held = _held(period)
    unique = _attendances(period).aggregate(**_PEOPLE)
    by_kind = _unique_attendees_by(period, "event__kind")
    by_theme_rows = (
        _attendances(period)
        .filter(event__themes__isnull=False)
        .values("event__themes__slug", "event__themes__name")
        .annotate(**_PEOPLE)
        .order_by("event__themes__name")
    )
    return {
        "period": {"from": period.start.isoformat(), "to": period.end.isoformat()},
        "events_held": len(events),
        "events_held_by_kind": dict(Counter(event["kind"] for event in events)),
        "registered": sum(event["registered"] for event in events),
        "attended": sum(event["attended"] for event in events),
        "no_shows": sum(event["no_shows"] for event in events),
        "unique_attendees": _people(unique),
        "attendees_by_gender": _unique_attendees_by(period, "gender"),
        "attendees_by_municipality": _unique_attendees_by(period, "municipality"),
        "attendees_by_organisation_type": _unique_attendees_by(period, "organisation_type"),
        "attendees_by_kind": by_kind,
        "attendees_by_theme": {
            row["event__themes__slug"]: {"name": row["event__themes__name"], "attendees": _people(row)}
            for row in by_theme_rows
        },
        "coaching_sessions": sum(1 for event in events if event["kind"] == Kind.COACHING),
        "coaching": _coaching(period, people=by_kind.get(Kind.COACHING, 0)),
        "months": _months(events),
        "events": [_event_row(event) for event in events],
        "scheduled_next": [_event_row(event) for event in events_scheduled(period.following())],
        "participants": participant_figures(period),
        "outcomes": outcome_figures(period),
        "feedback": _feedback(held),
        "quotable_comments": _quotable(held),
    }


def _coaching(period: Period, *, people: int) -> dict:
    """Coaching sessions held: attended registrations of the period's coaching meetings (one
    seat each), by the series' kind of coaching. `people` are the coached attendees, counted
    as every other breakdown of unique attendees counts them."""
    rows = (
        _attendances(period)
        .filter(event__kind=Kind.COACHING)
        .values("event__coaching_series__kind__code", "event__coaching_series__kind__name")
        .annotate(sessions=Count("id"))
        .order_by("event__coaching_series__kind__code")
    )
    by_kind = {
        row["event__coaching_series__kind__code"] or UNSPECIFIED: {
            "name": row["event__coaching_series__kind__name"] or UNSPECIFIED_NAME,
            "sessions": row["sessions"],
        }
        for row in rows
    }
    return {"sessions": sum(row["sessions"] for row in by_kind.values()), "people": people, "by_kind": by_kind}


def _event_row(event: dict) -> dict:
    return {
        "id": event["id"],
        "title": event["title"],
        "kind": event["kind"],
        "themes": event["themes"],
        "starts_at": timezone.localtime(event["starts_at"]).isoformat(),
        "municipality": event["municipality"],
        "online": bool(event["online_url"]),
        "registered": event["registered"],
        "attended": event["attended"],
        "no_shows": event["no_shows"],
    }


def _local_iso(moment) -> str:
    return timezone.localtime(moment).isoformat()


def _feedback(held: QuerySet[Event]) -> dict:
    """The survey answers about the held meetings (the same period rule as every other
    figure), with local times as text so that a finalised report can keep them as JSON."""
    figures = feedback_figures(held)
    return {**figures, "by_event": [{**row, "starts_at": _local_iso(row["starts_at"])} for row in figures["by_event"]]}


def _quotable(held: QuerySet[Event]) -> list[dict]:
    """Comments whose writers allowed quoting without a name, for the organiser to pick from.
    Kept in the snapshot: deleting a person's data later empties the live comment, not the
    report already sent."""
    return [
        {
            "starts_at": _local_iso(row["event__starts_at"]),
            "title": row["event__title"],
            "rating": row["rating"],
            "comment": row["comment"],
        }
        for row in quotable_comments(held)
    ]


def _months(events: list[dict]) -> list[dict]:
    """Month by month (local time), rolled up from the per-meeting counts already aggregated."""
    months: dict[str, dict] = {}
    for event in events:
        key = f"{timezone.localtime(event['starts_at']):%Y-%m}"
        month = months.setdefault(key, {"month": key, "events_held": 0, "registered": 0, "attended": 0})
        month["events_held"] += 1
        month["registered"] += event["registered"]
        month["attended"] += event["attended"]
    return list(months.values())


def participant_figures(period: Period) -> dict:
    """Section 5: participants since the programme started, up to the period's end, by gender."""
    programme = Programme.load()
    participants = Participant.objects.filter(started_on__lte=period.end)
    if programme.started_on:
        participants = participants.filter(started_on__gte=programme.started_on)
    actual = participants.aggregate(
        women=Count("id", filter=Q(gender="woman")),
        men=Count("id", filter=Q(gender="man")),
        total=Count("id"),
    )
    return {
        "since": programme.started_on.isoformat() if programme.started_on else None,
        "planned": {"women": programme.planned_participants_women, "men": programme.planned_participants_men},
        "actual": {**actual, "other": actual["total"] - actual["women"] - actual["men"]},
    }


def outcome_figures(period: Period) -> dict[str, int]:
    """Section 8: participants per kind of outcome reached in the period."""
    rows = (
        Outcome.objects.filter(occurred_on__gte=period.start, occurred_on__lte=period.end)
        .values("kind")
        .annotate(people=Count("participant", distinct=True))
        .order_by("kind")
    )
    return {row["kind"]: row["people"] for row in rows}


def progress_report_for(period: Period) -> ProgressReport:
    """The period's saved report, or an unsaved empty one (drafts only) when none is saved."""
    saved = (
        ProgressReport.objects.filter(period_start=period.start, period_end=period.end)
        .select_related("finalised_by")
        .first()
    )
    return saved or ProgressReport(period_start=period.start, period_end=period.end)
