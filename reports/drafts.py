"""Drafts of the sections that the records can write: what was held (2), what is coming (7)
and the participants' outcomes (8). They take the figures (live or a finalised snapshot) and
return paragraphs in Swedish, the language of the funder's form; the organiser edits them.
Numbers with decimals are written the Swedish way here too ("4,6"), whatever the page's language.

A paragraph starting with "## " is a sub-heading, as the seed groups its activities.
"""

from datetime import datetime

from events.choices import Kind

from .coaching_figures import UNSPECIFIED, coaching_kinds_in_order

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


def in_sentence(name: str) -> str:
    """A name as a word inside a sentence: "Effektmätning" → "effektmätning", "IOP" kept."""
    return name[:1].lower() + name[1:] if name[1:2].islower() else name


def themes_phrase(themes: list[str]) -> str:
    """["Finansiering", "Effektmätning"] → "finansiering och effektmätning" (acronyms kept)."""
    words = [in_sentence(name) for name in themes]
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} och {words[-1]}"


def _local(event: dict) -> datetime:
    return datetime.fromisoformat(event["starts_at"])


def _attendance_phrase(event: dict) -> str:
    registered, attended = event["registered"], event["attended"]
    if attended == 0 and event["no_shows"] == 0:
        # Nobody marked the door: saying "0 deltog" would be wrong.
        return f"{registered} var anmälda (närvaron är inte registrerad)" if registered else "ingen var anmäld"
    return f"{attended} deltog av {registered} anmälda"


def decimal(value: float) -> str:
    """4.6 → "4,6": one decimal, with the Swedish decimal comma."""
    return f"{value:.1f}".replace(".", ",")


def _score_sentence(what: str, answers: dict | None) -> str:
    """The sentence after the attendance: " Deltagarna gav träffen i snitt 4,6 av 5 (11 svar).";
    nothing when the survey has no answers."""
    if not answers or not answers["responses"]:
        return ""
    return f" Deltagarna gav {what} i snitt {decimal(answers['average'])} av 5 ({answers['responses']} svar)."


def _held_sentence(event: dict, answers: dict | None) -> str:
    kind = Kind(event["kind"])
    _heading, one = KIND_WORDS[kind]
    about = f" med tema {themes_phrase(event['themes'])}" if event["themes"] else f", ”{event['title']}”"
    when = MONTHS[_local(event).month - 1]
    the_meeting = "utbildningen" if kind == Kind.SUPERVISOR_TRAINING else "träffen"
    return f"I {when} genomfördes {one}{about}; {_attendance_phrase(event)}.{_score_sentence(the_meeting, answers)}"


def _sessions(count: int) -> str:
    return f"{count} {'coachning' if count == 1 else 'coachningar'}"


def _month_span(events: list[dict]) -> str:
    months = sorted({(_local(e).year, _local(e).month) for e in events})
    first, last = MONTHS[months[0][1] - 1], MONTHS[months[-1][1] - 1]
    return f"i {first}" if months[0] == months[-1] else f"från {first} till {last}"


def _kinds_phrase(by_kind: dict[str, dict]) -> str:
    """The sessions by kind in brackets, e.g. ' (38 affärscoachning, 14 life-coachning)'.
    Nothing when no session has a kind (all from before series existed): "(50 coachning utan
    angiven inriktning)" would only repeat the total."""
    kinds = coaching_kinds_in_order(by_kind)
    if all(code == UNSPECIFIED for code, _row in kinds):
        return ""
    counts = [f"{row['sessions']} {in_sentence(row['name'])}" for _code, row in kinds]
    return f" ({', '.join(counts)})"


def _coaching_paragraph(events: list[dict], coaching: dict, answers: dict | None) -> str | None:
    """The coaching sessions held (attended), by kind, and the people coached; then their
    score, one figure for all the sessions, as one person's score would be theirs."""
    held = [event for event in events if event["attended"]]
    if held:
        sessions = coaching["sessions"]
        the_sessions = "coachningen" if sessions == 1 else "coachningarna"
        sentence = (
            f"{_sessions(sessions)} genomfördes {_month_span(held)}{_kinds_phrase(coaching['by_kind'])}, "
            f"med {people(coaching['people'])}."
        )
        return sentence + _score_sentence(the_sessions, answers)
    booked = [event for event in events if event["registered"]]
    if not booked:
        return None  # only free times nobody took: nothing was held
    count = sum(event["registered"] for event in booked)
    was_booked = f"{_sessions(count)} var {'bokad' if count == 1 else 'bokade'} {_month_span(booked)}"
    if any(event["no_shows"] for event in booked):
        return f"{was_booked}, men ingen är registrerad som genomförd."
    return f"{was_booked} (närvaron är inte registrerad)."


def activities_held(figures: dict) -> list[str]:
    """Section 2: the meetings held, kind by kind."""
    paragraphs: list[str] = []
    feedback = figures["feedback"]
    answers = {row["id"]: row for row in feedback["by_event"]}
    for kind, (heading, _one) in KIND_WORDS.items():
        events = [event for event in figures["events"] if event["kind"] == kind]
        if not events:
            continue
        if kind == Kind.COACHING:
            coaching = _coaching_paragraph(events, figures["coaching"], feedback["by_kind"].get(kind))
            if coaching:
                paragraphs += [f"## {heading}", coaching]
        else:
            paragraphs.append(f"## {heading}")
            paragraphs.append(" ".join(_held_sentence(event, answers.get(event["id"])) for event in events))
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
