"""The report's coaching figures after the database: their order, the appendix table
"Coachning per inriktning", and the figures of a report finalised before they existed.

`figures["coaching"]` is {"sessions": n, "people": n, "by_kind": {code: {"name", "sessions"}}}:
sessions held (attended, one person each), the different people coached, and the sessions
by the series' kind of coaching. Swedish, as the rest of the funder's form.
"""

from events.choices import Kind

from .content import Table

# Coaching meetings without a series (made before series existed, or by hand) have no kind
# of coaching; they count under this code, so the kinds always add up to the total.
UNSPECIFIED = ""
UNSPECIFIED_NAME = "Coachning utan angiven inriktning"


def coaching_kinds_in_order(by_kind: dict[str, dict]) -> list[tuple[str, dict]]:
    """Most sessions first, then by name, the unspecified last; the same order live or read
    back from a snapshot (PostgreSQL's jsonb keeps no key order)."""
    return sorted(by_kind.items(), key=lambda item: (item[0] == UNSPECIFIED, -item[1]["sessions"], item[1]["name"]))


def coaching_before_kinds(figures: dict) -> dict:
    """The coaching figures of a report finalised before they were kept, from what it froze:
    the attended coaching meetings and the people coached, none of them with a kind."""
    sessions = sum(event["attended"] for event in figures["events"] if event["kind"] == Kind.COACHING)
    return {
        "sessions": sessions,
        "people": figures["attendees_by_kind"].get(Kind.COACHING, 0),
        "by_kind": {UNSPECIFIED: {"name": UNSPECIFIED_NAME, "sessions": sessions}} if sessions else {},
    }


def coaching_tables(figures: dict) -> list[Table]:
    """The appendix table, or none when no coaching was held (an empty one would only puzzle)."""
    coaching = figures["coaching"]
    if not coaching["sessions"]:
        return []
    kinds = coaching_kinds_in_order(coaching["by_kind"])
    return [
        Table(
            "Coachning per inriktning",
            [
                ["", "Antal"],
                *([row["name"], str(row["sessions"])] for _code, row in kinds),
                ["Coachningar totalt", str(coaching["sessions"])],
                # A count of people, not of sessions: the number the seed gives beside the sessions.
                ["Olika personer som coachades", str(coaching["people"])],
            ],
        )
    ]
