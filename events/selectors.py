from datetime import date, datetime, time, timedelta

from django.db.models import Count, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.utils import timezone

from registrations.choices import Status

from .choices import EventStatus, Municipality
from .models import Event, Theme


def _with_counts(queryset: QuerySet[Event]) -> QuerySet[Event]:
    return queryset.annotate(
        confirmed_count=Count("registrations", filter=Q(registrations__status=Status.CONFIRMED)),
        waitlisted_count=Count("registrations", filter=Q(registrations__status=Status.WAITLISTED)),
    ).prefetch_related(Prefetch("themes", queryset=Theme.objects.order_by("name")))


def local_day_start(day: date) -> datetime:
    """Midnight in Europe/Stockholm (the site's zone) of `day`, as an aware datetime."""
    return timezone.make_aware(datetime.combine(day, time.min))


def event_list_upcoming(
    *,
    theme: str | None = None,
    kind: str | None = None,
    municipality: str | None = None,
    online: bool | None = None,
    starts_from: date | None = None,
    starts_to: date | None = None,
) -> QuerySet[Event]:
    """Published meetings that have not started, with seat counts; dates are local and inclusive.
    Coaching slots are not among them: they are booked from the coaching pages."""
    queryset = Event.objects.filter(
        status=EventStatus.PUBLISHED, starts_at__gt=timezone.now(), coaching_series__isnull=True
    )
    if theme:
        queryset = queryset.filter(themes__slug=theme)
    if kind:
        queryset = queryset.filter(kind=kind)
    if municipality:
        # Matched in Python: SQLite's case-insensitive LIKE folds only ASCII, so "NYKÖPING"
        # would miss "Nyköping" there. An unknown name matches nothing.
        canonical = Municipality.canonical(municipality)
        queryset = queryset.filter(municipality=canonical) if canonical else queryset.none()
    if online is not None:
        queryset = queryset.exclude(online_url="") if online else queryset.filter(online_url="")
    if starts_from:
        queryset = queryset.filter(starts_at__gte=local_day_start(starts_from))
    if starts_to:
        queryset = queryset.filter(starts_at__lt=local_day_start(starts_to + timedelta(days=1)))
    return _with_counts(queryset).order_by("starts_at", "id")


def event_get_public(*, event_id: int) -> Event | None:
    """A published or cancelled meeting (a cancelled one still has a page saying so); drafts are hidden."""
    queryset = Event.objects.exclude(status=EventStatus.DRAFT).filter(pk=event_id)
    return _with_counts(queryset).first()


def event_list_for_organiser(*, include_past: bool = True) -> QuerySet[Event]:
    queryset = Event.objects.all()
    if not include_past:
        queryset = queryset.filter(starts_at__gt=timezone.now())
    return _with_counts(queryset).order_by("starts_at", "id")


def event_get_for_organiser(*, event_id: int) -> Event | None:
    return _with_counts(Event.objects.filter(pk=event_id)).first()


def seats_left(event: Event) -> int | None:
    """Free seats of an event; None when unlimited. Uses the annotation of these selectors
    when present, else counts (an event reached through a registration is not annotated)."""
    if event.capacity is None:
        return None
    confirmed = getattr(event, "confirmed_count", None)
    if confirmed is None:
        confirmed = event.registrations.filter(status=Status.CONFIRMED).count()
    return max(event.capacity - confirmed, 0)


def theme_list(*, active_only: bool = True) -> QuerySet[Theme]:
    queryset = Theme.objects.filter(is_active=True) if active_only else Theme.objects.all()
    return queryset.order_by("name")


def theme_slugs_unknown(*, slugs: list[str]) -> list[str]:
    """The slugs among `slugs` that no theme has, sorted."""
    return sorted(set(slugs) - set(Theme.objects.filter(slug__in=slugs).values_list("slug", flat=True)))


def theme_demand() -> QuerySet[Theme]:
    """Each theme with the number of people interested, of upcoming published meetings and
    of answered surveys that asked for it (`feedback_wanted`)."""
    # Counted apart, per theme: a third join beside interests and meetings would multiply
    # each theme's rows by its answers once more.
    feedback_wanted = (
        Theme.objects.filter(pk=OuterRef("pk"))
        .values("pk")
        .annotate(answers=Count("wanted_in_feedback", filter=Q(wanted_in_feedback__rating__isnull=False)))
        .values("answers")
    )
    return Theme.objects.annotate(
        interested=Count("interests", distinct=True),
        upcoming_events=Count(
            "events",
            filter=Q(events__status=EventStatus.PUBLISHED, events__starts_at__gt=timezone.now()),
            distinct=True,
        ),
        feedback_wanted=Subquery(feedback_wanted),
    ).order_by("-interested", "name")
