"""The attendees' scores in the report's appendix (and so in its CSV/XLSX files): per kind
of meeting, per meeting, and the comments that may be quoted, for the organiser to pick from.

Swedish, as the rest of the funder's form. A report whose meetings had no answers gets no
such tables: empty ones would only puzzle the funder.
"""

from events.choices import Kind

from .content import Table
from .drafts import decimal
from .labels import code_label

SCORE = "Snittbetyg (1–5)"


def kinds_in_order(by_kind: dict[str, dict]) -> list[tuple[str, dict]]:
    """The kinds in the order Kind declares them, live or read back from a snapshot
    (PostgreSQL's jsonb keeps no key order); a code no longer known goes last."""
    order = {code: index for index, code in enumerate(Kind.values)}
    return sorted(by_kind.items(), key=lambda item: order.get(item[0], len(order)))


def _score(row: dict) -> list[str]:
    return [str(row["responses"]), decimal(row["average"])]


def feedback_tables(figures: dict) -> list[Table]:
    """The score tables of the appendix, from the figures (live or a finalised snapshot)."""
    feedback = figures["feedback"]
    if not feedback["responses"]:
        return []
    tables = [
        Table(
            "Betyg per typ av träff",
            [
                ["", "Svar", SCORE],
                *([code_label(Kind, kind), *_score(row)] for kind, row in kinds_in_order(feedback["by_kind"])),
                ["Alla träffar", *_score(feedback)],
            ],
        )
    ]
    # A coaching session has one person, so its score would be theirs: coaching shows only
    # as a kind above.
    meetings = [row for row in feedback["by_event"] if row["kind"] != Kind.COACHING]
    if meetings:
        tables.append(
            Table(
                "Betyg per träff",
                [
                    ["Datum", "Träff", "Typ", "Svar", SCORE],
                    *(
                        [row["starts_at"][:10], row["title"], code_label(Kind, row["kind"]), *_score(row)]
                        for row in meetings
                    ),
                ],
            )
        )
    quotes = figures["quotable_comments"]
    if quotes:
        tables.append(
            Table(
                "Kommentarer som får citeras",
                [
                    ["Datum", "Träff", "Betyg", "Kommentar (får citeras utan namn)"],
                    *(
                        [quote["starts_at"][:10], quote["title"], str(quote["rating"]), quote["comment"]]
                        for quote in quotes
                    ),
                ],
            )
        )
    return tables
