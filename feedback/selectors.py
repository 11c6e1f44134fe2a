"""Reading surveys and their answers: one survey by its token, and the figures per meeting,
per kind and per theme, aggregated in the database."""

from django.db.models import Avg, Count, Q, QuerySet
from django.utils import timezone

from accounts.models import hash_secret
from events.models import Event, Theme

from .models import Feedback

ANSWERED = Q(rating__isnull=False)
RATINGS = range(1, 6)


def feedback_get_by_token(*, token: str) -> Feedback | None:
    return (
        Feedback.objects.select_related("event", "registration")
        .prefetch_related("wants_themes")
        .filter(links__token_hash=hash_secret(token))
        .first()
    )


def feedback_is_open(feedback: Feedback, *, now=None) -> bool:
    return (now or timezone.now()) < feedback.closes_at()


def _average(value) -> float | None:
    return round(value, 1) if value is not None else None


def event_feedback_summary(*, event_id: int) -> dict:
    """One meeting's survey: asked, responses, response rate, average, the 1–5 distribution,
    the comments (newest first) and the themes asked for."""
    answers = Feedback.objects.filter(event_id=event_id)
    figures = answers.aggregate(asked=Count("id"), responses=Count("id", filter=ANSWERED), average=Avg("rating"))
    counted = dict(answers.filter(ANSWERED).values_list("rating").annotate(n=Count("id")).order_by())
    asked, responses = figures["asked"], figures["responses"]
    return {
        "asked": asked,
        "responses": responses,
        "response_rate": round(responses / asked, 2) if asked else None,
        "average": _average(figures["average"]),
        "distribution": {str(rating): counted.get(rating, 0) for rating in RATINGS},
        "comments": list(
            answers.filter(ANSWERED)
            .exclude(comment="")
            .order_by("-answered_at", "-id")
            .values("comment", "rating", "quote_allowed", "answered_at")
        ),
        "themes_wanted": list(
            Theme.objects.filter(wanted_in_feedback__event_id=event_id)
            .annotate(wanted=Count("wanted_in_feedback"))
            .order_by("-wanted", "name")
            .values("slug", "name", "name_en", "wanted")
        ),
        "themes_wanted_text": list(
            answers.exclude(wants_themes_text="").order_by("-answered_at").values_list("wants_themes_text", flat=True)
        ),
    }


def with_feedback(events: QuerySet[Event]) -> QuerySet[Event]:
    """The meetings with `feedback_responses` and `feedback_average` (None without answers)."""
    return events.annotate(
        feedback_responses=Count("feedback", filter=Q(feedback__rating__isnull=False)),
        feedback_average=Avg("feedback__rating"),
    )


def feedback_figures(events: QuerySet[Event]) -> dict:
    """The answers about these meetings: in all, by kind, by theme and by meeting."""
    answers = Feedback.objects.filter(ANSWERED, event__in=events)
    overall = answers.aggregate(responses=Count("id"), average=Avg("rating"))
    by_kind = answers.values("event__kind").annotate(responses=Count("id"), average=Avg("rating"))
    by_theme = (
        answers.filter(event__themes__isnull=False)
        .values("event__themes__slug", "event__themes__name")
        .annotate(responses=Count("id"), average=Avg("rating"))
        .order_by("event__themes__name")
    )
    by_event = (
        with_feedback(events)
        .filter(feedback_responses__gt=0)
        .order_by("starts_at", "id")
        .values("id", "title", "kind", "starts_at", "feedback_responses", "feedback_average")
    )
    return {
        "responses": overall["responses"],
        "average": _average(overall["average"]),
        "by_kind": {
            row["event__kind"]: {"responses": row["responses"], "average": _average(row["average"])}
            for row in by_kind.order_by("event__kind")
        },
        "by_theme": [
            {
                "slug": row["event__themes__slug"],
                "name": row["event__themes__name"],
                "responses": row["responses"],
                "average": _average(row["average"]),
            }
            for row in by_theme
        ],
        "by_event": [
            {
                "id": row["id"],
                "title": row["title"],
                "kind": row["kind"],
                "starts_at": row["starts_at"],
                "responses": row["feedback_responses"],
                "average": _average(row["feedback_average"]),
            }
            for row in by_event
        ],
    }


def quotable_comments(events: QuerySet[Event]) -> list[dict]:
    """Comments their writers allowed to be quoted without a name, for the report's appendix."""
    return list(
        Feedback.objects.filter(ANSWERED, event__in=events, quote_allowed=True)
        .exclude(comment="")
        .order_by("event__starts_at", "id")
        .values("comment", "rating", "event__title", "event__starts_at")
    )
