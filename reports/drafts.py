"""Drafts of the sections that the records can write: what was held (2), what is coming (7)
and the participants' outcomes (8). They take the figures (live or a finalised snapshot) and
return paragraphs in Swedish, the language of the funder's form; the organiser edits them.

A paragraph starting with "## " is a sub-heading, as the seed groups its activities.
"""

from datetime import datetime

from events.choices import Kind

MONTHS = [
    "januari", "februari", "mars", "april", "maj", "juni",
    "juli", "augusti", "september", "oktober", "november", "december",
]  # fmt: skip

# Kind → (heading over its meetings, one of them in a sentence).
KIND_WORDS = {
    Kind.NETWORK_MEETING: ("Nätverksträffar", "en nätverksträff"),
    Kind.DIGITAL_MEETING_PLACE: ("Digitala mötesplatser", "en digital mötesplats"),
    Kind.THEME_MEETING: ("Tematräffar", "en tematräff"),
    Kind.SUPERVISOR_TRAINING: ("Handledarutbildningar", "en handledarutbildning"),
    Kind.COACHING: ("Coachning", "en coachning"),
    Kind.OTHER: ("Övriga träffar", "en träff"),
}

# Outcome kind → what happened, after "N person(er) har ...".
OUTCOME_WORDS = {
    "work": "gått från arbetslöshet till arbete",
    "studies": "börjat studera",
    "work_training": "börjat arbetsträna",
    "other": "nått ett annat positivt resultat",
}


def people(count: int) -> str:
    return f"{count} {'person' if count == 1 else 'personer'}"


def themes_phrase(themes: list[str]) -> str:
    """["Finansiering", "Effektmätning"] → "finansiering och effektmätning" (acronyms kept)."""
    words = [name[:1].lower() + name[1:] if name[1:2].islower() else name for name in themes]
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} och {words[-1]}"


def _local(event: dict) -> datetime:
    return datetime.fromisoformat(event["starts_at"])


def _attendance_phrase(event: dict) -> str:
    registered, attended = event["registered"], event["attended"]
    if attended == 0 and event["no_shows"] == 0:
        # Nobody marked the door: saying "0 deltog" would be wrong.
        return f"{registered} var anmälda (närvaron är inte registrerad)" if registered else "ingen var anmäld"
    return f"{attended} deltog av {registered} anmälda"


def _held_sentence(event: dict) -> str:
    _heading, one = KIND_WORDS[Kind(event["kind"])]
    about = f" med tema {themes_phrase(event['themes'])}" if event["themes"] else f", ”{event['title']}”"
    when = MONTHS[_local(event).month - 1]
    return f"I {when} genomfördes {one}{about}; {_attendance_phrase(event)}."


def _sessions(count: int) -> str:
    return f"{count} {'coachning' if count == 1 else 'coachningar'}"


def _month_span(events: list[dict]) -> str:
    months = sorted({(_local(e).year, _local(e).month) for e in events})
    first, last = MONTHS[months[0][1] - 1], MONTHS[months[-1][1] - 1]
    return f"i {first}" if months[0] == months[-1] else f"från {first} till {last}"


def _coaching_sentence(events: list[dict], coached: int) -> str:
    return f"{_sessions(len(events))} genomfördes {_month_span(events)}, med {people(coached)}."


def activities_held(figures: dict) -> list[str]:
    """Section 2: the meetings held, kind by kind."""
    paragraphs: list[str] = []
    for kind, (heading, _one) in KIND_WORDS.items():
        events = [event for event in figures["events"] if event["kind"] == kind]
        if not events:
            continue
        paragraphs.append(f"## {heading}")
        if kind == Kind.COACHING:
            paragraphs.append(_coaching_sentence(events, figures["attendees_by_kind"].get(kind, 0)))
        else:
            paragraphs.append(" ".join(_held_sentence(event) for event in events))
    if not paragraphs:
        paragraphs.append("Inga träffar hölls under perioden.")
    return paragraphs


def activities_coming(figures: dict, next_period_label: str) -> list[str]:
    """Section 7: the meetings already scheduled in the next period, kind by kind."""
    paragraphs: list[str] = []
    for kind, (heading, _one) in KIND_WORDS.items():
        events = [event for event in figures["scheduled_next"] if event["kind"] == kind]
        if not events:
            continue
        paragraphs.append(f"## {heading}")
        if kind == Kind.COACHING:
            # One line per booked session would read as a timetable; the count is what matters.
            paragraphs.append(f"{_sessions(len(events))} är inbokade {_month_span(events)}.")
        else:
            paragraphs.append("\n".join(_coming_line(event) for event in events))
    if not paragraphs:
        paragraphs.append(f"Inga träffar är ännu inlagda för {next_period_label}.")
    return paragraphs


def _coming_line(event: dict) -> str:
    starts = _local(event)
    place = "digitalt" if event["online"] else event["municipality"]
    about = f" (tema {themes_phrase(event['themes'])})" if event["themes"] else ""
    return f"{starts.day} {MONTHS[starts.month - 1]}: {event['title']}{about}" + (f", {place}" if place else "")


def livelihood_changes(figures: dict) -> list[str]:
    """Section 8: outcomes the participants reached in the period."""
    outcomes = figures["outcomes"]
    lines = [f"{people(outcomes[kind])} har {words}." for kind, words in OUTCOME_WORDS.items() if outcomes.get(kind)]
    return lines or ["Inga förändringar har registrerats under perioden."]
