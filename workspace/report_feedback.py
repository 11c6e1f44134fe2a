"""The attendees' survey answers on a report's workspace page: the scores by kind, by theme
and by meeting, and the comments that may be quoted, for the organiser to pick from when
writing section 2. Labels in the page's language; the figures as the report holds them
(frozen when it is final)."""

from datetime import date

from events.choices import Kind
from reports.feedback_tables import kinds_in_order
from reports.labels import code_label


def _day(starts_at: str) -> date:
    return date.fromisoformat(starts_at[:10])


def feedback_context(figures: dict) -> dict:
    feedback = figures["feedback"]
    return {
        "feedback": feedback,
        "feedback_by_kind": [
            {**row, "label": code_label(Kind, kind)} for kind, row in kinds_in_order(feedback["by_kind"])
        ],
        "feedback_by_theme": [{**row, "label": row["name"]} for row in feedback["by_theme"]],
        # As in the documents' appendix: a coaching session's score is one person's, so
        # coaching shows only among the kinds.
        "feedback_events": [
            {**row, "kind_label": code_label(Kind, row["kind"]), "day": _day(row["starts_at"])}
            for row in feedback["by_event"]
            if row["kind"] != Kind.COACHING
        ],
        "quotes": [{**quote, "day": _day(quote["starts_at"])} for quote in figures["quotable_comments"]],
    }
