"""The form filled in from the seed-like half-year: drafts, sections, appendix."""

from datetime import date

import pytest

from events.choices import Kind
from reports.models import ProgressReport
from reports.progress_form import drafted_text, report_content
from reports.selectors import progress_figures

from .conftest import SEED_PERIOD, attend, local, meeting

pytestmark = pytest.mark.django_db


def _report(**fields) -> ProgressReport:
    return ProgressReport(period_start=SEED_PERIOD.start, period_end=SEED_PERIOD.end, **fields)


def _section(content, number: int):
    return next(section for section in content.sections if section.number == number)


def test_section_2_says_what_was_held(seed_half_year):
    paragraphs = _section(report_content(_report()), 2).paragraphs

    assert paragraphs == [
        "## Nätverksträffar",
        "I december genomfördes en nätverksträff med tema finansiering och effektmätning; 15 deltog av 18 anmälda.",
        "## Digitala mötesplatser",
        "I januari genomfördes en digital mötesplats, ”Digital mötesplats för socialt företagande i Sörmland”; "
        "32 deltog av 40 anmälda. "
        "I maj genomfördes en digital mötesplats med tema upphandling; 31 deltog av 41 anmälda.",
        "## Coachning",
        "50 coachningar genomfördes från december till maj, med 10 personer.",
    ]


def test_section_7_lists_the_meetings_of_the_next_half_year(seed_half_year):
    paragraphs = _section(report_content(_report()), 7).paragraphs

    assert paragraphs == ["## Tematräffar", "14 september: Finansiering i praktiken (tema finansiering), Nyköping"]


def test_section_8_tells_the_outcomes(seed_half_year):
    assert _section(report_content(_report()), 8).paragraphs == ["1 person har gått från arbetslöshet till arbete."]


def test_section_5_compares_planned_and_actual_participants(seed_half_year):
    section = _section(report_content(_report()), 5)

    assert section.paragraphs == ["Sedan insatsens start 2020-06-01."]
    assert section.table == [
        ["", "Planerat antal", "Faktiskt antal"],
        ["Män", "10", "0"],
        ["Kvinnor", "10", "1"],
        ["Totalt", "20", "1"],
    ]


def test_the_form_has_every_section_in_the_seeds_order_and_wording(seed_half_year):
    content = report_content(_report())

    assert [section.number for section in content.sections] == list(range(1, 11))
    assert content.sections[0].paragraphs == [
        "Insatsens namn: Nyttiga affärer 2.0",
        "Tidsperiod (som rapporten avser): 2020-12-01–2021-05-31",
    ]
    headings = [section.heading for section in content.sections[1:]]
    assert headings[0] == "Beskriv det senaste halvårets aktiviteter kopplade till de beskrivna målen i ansökan:"
    assert headings[2] == "Ligger det ekonomiska utfallet i linje med budget, utifrån den tidsperiod som gått?"
    assert headings[3] == "Hur många deltagare har ni haft sedan projektets start?"
    assert headings[-1] == "Underskrift ordförande i styrgrupp:"
    assert content.subtitle == "Skickas till Samordningsförbundet RAR var sjätte månad"
    assert content.status_label == "Utkast"


def test_the_organisers_words_replace_the_drafts(seed_half_year):
    report = _report(
        activities="Under våren har vi arbetat intensivt med rådgivning.\n\nNätverket har vuxit.",
        budget_on_track=False,
        budget_comment="Life-coachen anställdes först i februari.",
        signed_by="Kim Ordförande",
        signed_on=date(2021, 6, 9),
    )
    content = report_content(report)

    assert _section(content, 2).paragraphs == [
        "Under våren har vi arbetat intensivt med rådgivning.",
        "Nätverket har vuxit.",
    ]
    assert _section(content, 4).paragraphs[1:] == [
        "Svar: Nej",
        "Om inte ange varför:",
        "Life-coachen anställdes först i februari.",
    ]
    assert _section(content, 10).paragraphs == ["Kim Ordförande", "Datum: 2021-06-09"]


def test_drafts_for_the_workspace_are_the_sections_text(seed_half_year):
    drafts = drafted_text(_report(), progress_figures(SEED_PERIOD))

    assert drafts["livelihood_changes"] == "1 person har gått från arbetslöshet till arbete."
    assert drafts["activities"].startswith("## Nätverksträffar\n\nI december genomfördes en nätverksträff")


def test_appendix_hides_small_numbers_by_gender_and_municipality_when_asked(seed_half_year):
    def table(content, title):
        return next(t for t in content.appendix if t.title == title).rows

    shared = report_content(_report(suppress_small_numbers=True))
    assert ["Annat", "<5"] in table(shared, "Besökare per kön")
    assert ["Kvinna", "21"] in table(shared, "Besökare per kön")
    assert ["Trosa", "10"] in table(shared, "Besökare per kommun")
    internal = report_content(_report())
    assert ["Annat", "1"] in table(internal, "Besökare per kön")


def test_charts_show_attendance_per_month_and_per_theme(seed_half_year):
    months, themes = report_content(_report()).charts

    assert months.labels == ["dec 2020", "jan 2021", "feb 2021", "mar 2021", "apr 2021", "maj 2021"]
    assert months.series == {"Anmälda": [27, 49, 8, 8, 8, 49], "Deltog": [24, 41, 8, 8, 8, 39]}
    assert themes.labels == ["Effektmätning", "Finansiering", "Upphandling"]
    assert themes.series == {"Besökare": [15, 15, 31]}


def test_an_empty_period_says_so(db):
    content = report_content(_report())

    assert _section(content, 2).paragraphs == ["Inga träffar hölls under perioden."]
    assert _section(content, 7).paragraphs == ["Inga träffar är ännu inlagda för 2021-06-01–2021-11-30."]
    assert _section(content, 8).paragraphs == ["Inga förändringar har registrerats under perioden."]
    assert content.charts == []


def test_a_meeting_without_attendance_marks_does_not_claim_nobody_came(db):
    unmarked = meeting(local(2021, 2, 3, 10), title="Träff utan närvarolista")
    attend(unmarked, ["a@example.org", "b@example.org"], attended=None)

    paragraphs = _section(report_content(_report()), 2).paragraphs
    assert (
        paragraphs[1] == "I februari genomfördes en tematräff, ”Träff utan närvarolista”; "
        "2 var anmälda (närvaron är inte registrerad)."
    )


def test_unanswered_judgement_sections_say_so(seed_half_year):
    content = report_content(_report(budget_on_track=False))

    assert _section(content, 3).paragraphs == ["(ej ifyllt)"]
    assert _section(content, 4).paragraphs[-2:] == ["Om inte ange varför:", "(ej ifyllt)"]
    assert _section(content, 6).paragraphs == ["(ej ifyllt)"]  # 1 participant of 20 planned
    assert _section(content, 9).paragraphs == ["(ej ifyllt)"]


def test_section_6_needs_no_reason_when_the_plan_is_met(db):
    assert _section(report_content(_report()), 6).paragraphs == [
        "Det faktiska antalet ligger inte under det planerade."
    ]


def test_section_7_counts_booked_coaching_sessions(db):
    for day in (3, 10, 17):
        meeting(local(2021, 9, day, 10), Kind.COACHING, title="Affärscoachning")
    meeting(local(2021, 10, 1, 10), Kind.COACHING, title="Affärscoachning")

    paragraphs = _section(report_content(_report()), 7).paragraphs

    assert paragraphs == ["## Coachning", "4 coachningar är inbokade från september till oktober."]
