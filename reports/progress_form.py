"""The funder's form (Lägesrapport), filled in: its questions in the seed's order and wording,
the organiser's answers where they wrote one, the drafts where they did not, and the figures.

The form is the funder's Swedish document, so its wording is fixed here rather than
translated; the labels of codes (kinds, genders) come from the Swedish translation.
"""

import dataclasses

from django.utils import translation

from events.choices import Kind, Municipality
from registrations.choices import Gender, OrganisationType

from . import drafts
from .coaching_figures import coaching_before_kinds, coaching_tables
from .content import Chart, ReportContent, Section, Table
from .feedback_tables import feedback_tables
from .labels import code_label
from .models import Programme, ProgressReport
from .selectors import Period, progress_figures

SMALL_NUMBER_LIMIT = 5


SMALL = f"<{SMALL_NUMBER_LIMIT}"
# What an unanswered judgement section says, so that a gap is seen rather than overlooked.
NOT_FILLED = "(ej ifyllt)"


def is_small(count: int) -> bool:
    """Too few to show in a shared report without pointing at people (zero says nothing)."""
    return 0 < count < SMALL_NUMBER_LIMIT


def shown(count: int, *, suppress: bool) -> str:
    """A count as printed in a shared report: 1–4 become "<5" when small numbers are hidden."""
    return SMALL if suppress and is_small(count) else str(count)


def _text(written: str, draft: list[str]) -> list[str]:
    """The organiser's text as paragraphs (split on blank lines), or the draft when empty."""
    paragraphs = [p.strip() for p in written.replace("\r\n", "\n").split("\n\n") if p.strip()]
    return paragraphs or draft


def drafted_text(report: ProgressReport, figures: dict) -> dict[str, str]:
    """Sections 2, 7 and 8 as editable text: what the workspace puts in an empty field."""
    period = Period(report.period_start, report.period_end)
    return {
        "activities": "\n\n".join(drafts.activities_held(figures)),
        "coming_activities": "\n\n".join(drafts.activities_coming(figures, period.following().label)),
        "livelihood_changes": "\n\n".join(drafts.livelihood_changes(figures)),
    }


# A report finalised before the survey existed froze no answers: it reads as having none.
# One finalised before coaching was counted by kind gets its coaching from what it froze.
UNSURVEYED = {
    "feedback": {"responses": 0, "average": None, "by_kind": {}, "by_theme": [], "by_event": []},
    "quotable_comments": [],
}


def report_figures(report: ProgressReport) -> dict:
    """The report's figures: frozen when it is final, else computed from the records now."""
    if report.is_final:
        frozen = report.snapshot["figures"]
        return {**UNSURVEYED, "coaching": coaching_before_kinds(frozen), **frozen}
    return progress_figures(Period(report.period_start, report.period_end))


def report_content(report: ProgressReport, figures: dict | None = None) -> ReportContent:
    """What the report's documents show: frozen when it is final, else filled in now (from
    `figures` when the caller has them already)."""
    if report.is_final:
        frozen = ReportContent.from_dict(report.snapshot["content"])
        # Hiding small numbers is a choice per copy shared, so it still applies to frozen figures.
        with translation.override("sv"):
            tables = figure_tables(report_figures(report), suppress_small=report.suppress_small_numbers)
        return dataclasses.replace(frozen, appendix=tables)
    return content_build(report, figures or report_figures(report), Programme.load())


def content_build(report: ProgressReport, figures: dict, programme: Programme) -> ReportContent:
    with translation.override("sv"):
        return _content(report, figures, programme)


def _content(report: ProgressReport, figures: dict, programme: Programme) -> ReportContent:
    period = Period(report.period_start, report.period_end)
    draft = drafted_text(report, figures)
    budget = {True: "Ja", False: "Nej", None: "–"}[report.budget_on_track]
    sections = [
        Section(1, "", [f"Insatsens namn: {programme.name}", f"Tidsperiod (som rapporten avser): {period.label}"]),
        Section(
            2,
            "Beskriv det senaste halvårets aktiviteter kopplade till de beskrivna målen i ansökan:",
            _text(report.activities, draft["activities"].split("\n\n")),
        ),
        Section(
            3,
            "Beskriv eventuella avvikelser i förhållande till ansökan och orsaker till dem:",
            _text(report.deviations, [NOT_FILLED]),
        ),
        Section(
            4,
            "Ligger det ekonomiska utfallet i linje med budget, utifrån den tidsperiod som gått?",
            [
                f"För {programme.funder_short}:s budgetplanering är det viktigt att veta om alla pengar förbrukas "
                "eller inte, i de insatser vi finansierar.",
                f"Svar: {budget}",
                "Om inte ange varför:",
                *_text(report.budget_comment, [NOT_FILLED] if report.budget_on_track is False else []),
            ],
        ),
        Section(
            5,
            "Hur många deltagare har ni haft sedan projektets start?",
            _participants_note(figures["participants"]),
            _participants_table(figures["participants"]),
        ),
        Section(
            6,
            "Om det faktiska antalet ligger under det planerade antalet, vad beror det på?",
            _text(report.below_plan_reason, _below_plan_draft(figures["participants"])),
        ),
        Section(
            7,
            "Beskriv kommande aktiviteter kopplat till målen:",
            _text(report.coming_activities, draft["coming_activities"].split("\n\n")),
        ),
        Section(
            8,
            "Om insatsen är individriktad, beskriv eventuella förändringar gällande deltagarnas försörjning och "
            "sysselsättning eller andra positiva resultat:",
            _text(report.livelihood_changes, draft["livelihood_changes"].split("\n\n")),
        ),
        Section(
            9,
            "Beskriv hur insatsen ligger till i förhållande till planerad implementering:",
            _text(report.implementation, [NOT_FILLED]),
        ),
        Section(
            10,
            "Underskrift ordförande i styrgrupp:",
            [report.signed_by or " ", f"Datum: {report.signed_on:%Y-%m-%d}" if report.signed_on else "Datum:"],
        ),
    ]
    status = f"Slutlig {report.finalised_at:%Y-%m-%d}" if report.is_final else "Utkast"
    return ReportContent(
        title="Lägesrapport",
        subtitle=f"Skickas till {programme.funder} var sjätte månad",
        programme_name=programme.name,
        period_label=period.label,
        sections=sections,
        appendix_title="Bilaga: siffror ur Träffpunkt",
        appendix=figure_tables(figures, suppress_small=report.suppress_small_numbers),
        charts=figure_charts(figures),
        status_label=status,
    )


def _below_plan_draft(participants: dict) -> list[str]:
    planned = participants["planned"]["men"] + participants["planned"]["women"]
    if participants["actual"]["total"] >= planned:
        return ["Det faktiska antalet ligger inte under det planerade."]
    return [NOT_FILLED]


def _participants_note(participants: dict) -> list[str]:
    since = participants["since"]
    return [f"Sedan insatsens start {since}." if since else "Sedan insatsens start."]


def _participants_table(participants: dict) -> list[list[str]]:
    planned, actual = participants["planned"], participants["actual"]
    rows = [
        ["", "Planerat antal", "Faktiskt antal"],
        ["Män", str(planned["men"]), str(actual["men"])],
        ["Kvinnor", str(planned["women"]), str(actual["women"])],
    ]
    if actual["other"]:
        rows.append(["Annat eller ej angivet", "–", str(actual["other"])])
    rows.append(["Totalt", str(planned["men"] + planned["women"]), str(actual["total"])])
    return rows


def figure_tables(figures: dict, *, suppress_small: bool) -> list[Table]:
    """The figures as tables: the report's appendix and its CSV/XLSX export."""

    def breakdown(title: str, key: str, choices, *, suppress: bool = False) -> Table:
        rows = [[code_label(choices, code), shown(count, suppress=suppress)] for code, count in figures[key].items()]
        return Table(title, [["", "Unika besökare"], *rows])

    kinds = [[code_label(Kind, kind), str(count)] for kind, count in figures["events_held_by_kind"].items()]
    return [
        Table(
            "Sammanfattning",
            [
                ["", "Antal"],
                ["Träffar som hölls", str(figures["events_held"])],
                *kinds,
                ["Anmälda", str(figures["registered"])],
                ["Deltog", str(figures["attended"])],
                ["Uteblev", str(figures["no_shows"])],
                ["Unika besökare", str(figures["unique_attendees"])],
            ],
        ),
        *coaching_tables(figures),
        Table(
            "Träffar som hölls",
            [
                ["Datum", "Träff", "Typ", "Anmälda", "Deltog", "Uteblev"],
                *(
                    [
                        event["starts_at"][:10],
                        event["title"],
                        code_label(Kind, event["kind"]),
                        str(event["registered"]),
                        str(event["attended"]),
                        str(event["no_shows"]),
                    ]
                    for event in figures["events"]
                ),
            ],
        ),
        Table(
            "Månad för månad",
            [
                ["Månad", "Träffar", "Anmälda", "Deltog"],
                *(
                    [month["month"], str(month["events_held"]), str(month["registered"]), str(month["attended"])]
                    for month in figures["months"]
                ),
            ],
        ),
        breakdown("Besökare per kön", "attendees_by_gender", Gender, suppress=suppress_small),
        breakdown("Besökare per kommun", "attendees_by_municipality", Municipality, suppress=suppress_small),
        breakdown("Besökare per organisationstyp", "attendees_by_organisation_type", OrganisationType),
        Table(
            "Besökare per tema",
            [
                ["", "Unika besökare"],
                *([theme["name"], str(theme["attendees"])] for theme in figures["attendees_by_theme"].values()),
            ],
        ),
        *feedback_tables(figures),
    ]


def figure_charts(figures: dict) -> list[Chart]:
    months = figures["months"]
    themes = list(figures["attendees_by_theme"].values())
    charts = []
    if months:
        charts.append(
            Chart(
                "Anmälda och deltagare per månad",
                [_month_label(m["month"]) for m in months],
                {"Anmälda": [m["registered"] for m in months], "Deltog": [m["attended"] for m in months]},
            )
        )
    if themes:
        charts.append(
            Chart(
                "Unika besökare per tema",
                [theme["name"] for theme in themes],
                {"Besökare": [theme["attendees"] for theme in themes]},
            )
        )
    return charts


def _month_label(month: str) -> str:
    year, number = month.split("-")
    return f"{drafts.MONTHS[int(number) - 1][:3]} {year}"
