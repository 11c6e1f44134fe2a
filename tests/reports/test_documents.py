"""The report documents (DOCX, PDF) and their charts, from plain content shaped like the seed."""

import io
import subprocess

import docx
import pytest
from PIL import Image

from reports.charts import chart_figure, chart_png
from reports.content import Chart, ReportContent, Section, Table
from reports.documents import report_docx, report_pdf

from .conftest import poppler

HEADINGS = [
    "Beskriv det senaste halvårets aktiviteter kopplade till de beskrivna målen i ansökan:",
    "Beskriv eventuella avvikelser i förhållande till ansökan och orsaker till dem:",
    "Ligger det ekonomiska utfallet i linje med budget, utifrån den tidsperiod som gått?",
    "Hur många deltagare har ni haft sedan projektets start?",
    "Om det faktiska antalet ligger under det planerade antalet, vad beror det på?",
    "Beskriv kommande aktiviteter kopplat till målen:",
    "Om insatsen är individriktad, beskriv eventuella förändringar gällande deltagarnas försörjning och "
    "sysselsättning eller andra positiva resultat:",
    "Beskriv hur insatsen ligger till i förhållande till planerad implementering:",
    "Underskrift ordförande i styrgrupp:",
]
SENTENCE = "I december genomfördes en nätverksträff med tema finansiering och effektmätning; 15 deltog av 18 anmälda."
THEME = "Łódź-samverkan"
THEME_CYRILLIC = "Финансы"
MONTHS = ["dec 2020", "jan 2021", "feb 2021", "mar 2021", "apr 2021", "maj 2021"]


def _content() -> ReportContent:
    sections = [
        Section(
            1, "", ["Insatsens namn: Nyttiga affärer 2.0", "Tidsperiod (som rapporten avser): 2020-12-01–2021-05-31"]
        ),
        Section(
            2,
            HEADINGS[0],
            [
                "## Nätverk för sociala entreprenörer",
                SENTENCE,
                "I januari och i maj genomfördes två digitala mötesplatser.\nCa 40 personer var anmälda till varje.",
                "## Affärsutvecklande insatser",
                "Ungefär ett 50-tal coachningar har genomförts från december till maj.",
            ],
        ),
        Section(3, HEADINGS[1], ["Arbete med deltagare har inte kommit igång på det sätt som var planerat."]),
        Section(4, HEADINGS[2], ["Svar: Nej", "Om inte ange varför:", "Life-coachen började först i februari."]),
        Section(
            5,
            HEADINGS[3],
            ["Sedan insatsens start 2020-06-01."],
            [
                ["", "Planerat antal", "Faktiskt antal"],
                ["Män", "10", "0"],
                ["Kvinnor", "11", "1"],
                ["Totalt", "21", "1"],
            ],
        ),
        Section(6, HEADINGS[4], ["Rekryteringen tillsammans med kommunen har fördröjts."]),
        Section(7, HEADINGS[5], ["## Tematräffar", "I höst bjuder vi in till tematräffar om upphandling."]),
        Section(8, HEADINGS[6], ["1 person har gått från arbetslöshet till arbete."]),
        Section(9, HEADINGS[7], ["Processer pågår i Nyköping, Strängnäs och Eskilstuna."]),
        Section(10, HEADINGS[8], ["Anna Andersson", "Datum: 2021-06-09"]),
    ]
    return ReportContent(
        title="Lägesrapport",
        subtitle="Skickas till Samordningsförbundet RAR var sjätte månad",
        programme_name="Nyttiga affärer 2.0",
        period_label="2020-12-01–2021-05-31",
        sections=sections,
        appendix_title="Bilaga: siffror ur Träffpunkt",
        appendix=[
            Table("Sammanfattning", [["", "Antal"], ["Träffar som hölls", "7"], ["Anmälda", "133"], ["Deltog", "97"]]),
            Table(
                "Deltagare per tema",
                [["", "Unika deltagare"], ["Finansiering", "23"], [THEME, "<5"], [THEME_CYRILLIC, "6"]],
            ),
        ],
        charts=[
            Chart(
                "Anmälda och deltagare per månad",
                MONTHS,
                {"Anmälda": [18, 41, 0, 12, 0, 39], "Deltog": [15, 33, 0, 9, 0, 31]},
            ),
            Chart("Unika deltagare per tema", ["Finansiering", THEME, THEME_CYRILLIC], {"Deltagare": [23, 3, 6]}),
        ],
        status_label="Utkast",
    )


def test_docx_has_the_form_in_order_with_table_and_charts():
    document = docx.Document(io.BytesIO(report_docx(_content())))

    texts = [paragraph.text for paragraph in document.paragraphs]
    positions = [texts.index(heading) for heading in HEADINGS]
    assert positions == sorted(positions)
    assert texts[0] == "Lägesrapport"
    assert SENTENCE in texts
    assert "Nätverk för sociala entreprenörer" in texts
    assert not any(text.startswith("## ") for text in texts)
    assert document.paragraphs[texts.index(HEADINGS[0])].style.name == "Heading 1"

    participants = document.tables[0]
    assert [cell.text for cell in participants.rows[0].cells] == ["", "Planerat antal", "Faktiskt antal"]
    assert [cell.text for cell in participants.rows[2].cells] == ["Kvinnor", "11", "1"]
    assert participants.rows[0].cells[1].paragraphs[0].runs[0].bold
    assert participants.style.name == "Table Grid"
    assert THEME_CYRILLIC in [row.cells[0].text for row in document.tables[2].rows]
    assert len(document.inline_shapes) == 2
    assert document.core_properties.title.startswith("Lägesrapport")
    assert "Utkast" in document.sections[0].header.paragraphs[0].text


def test_pdf_text_has_headings_sentence_numbers_and_any_alphabet():
    data = report_pdf(_content())
    assert data.startswith(b"%PDF")

    result = subprocess.run([poppler("pdftotext"), "-layout", "-", "-"], input=data, capture_output=True, check=True)
    # Layout mode pads and wraps lines; compare with whitespace collapsed.
    text = " ".join(result.stdout.decode().split())
    for heading in HEADINGS:
        assert heading in text
    assert SENTENCE in text
    assert "Insatsens namn: Nyttiga affärer 2.0" in text
    assert "Kvinnor 11 1" in text
    assert "Anmälda 133" in text
    assert THEME in text
    assert THEME_CYRILLIC in text
    assert "Utkast" in text
    assert "Sida 1 av " in text


def test_pdf_first_page_renders(tmp_path):
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(report_pdf(_content()))

    subprocess.run([poppler("pdftoppm"), "-r", "50", "-png", "-f", "1", "-l", "1", pdf, tmp_path / "page"], check=True)

    (page,) = tmp_path.glob("page*.png")
    with Image.open(page) as image:
        width, height = image.size
    assert height / width == pytest.approx(29.7 / 21, rel=0.02)


def test_chart_png_is_a_png_of_the_requested_width():
    data = chart_png(_content().charts[0], width_cm=16)

    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    with Image.open(io.BytesIO(data)) as image:
        width, height = image.size
    assert width == pytest.approx(16 / 2.54 * 150, abs=2)
    assert 0.3 < height / width < 0.6


def test_chart_legend_only_with_more_than_one_series():
    by_month, by_theme = _content().charts

    (axes,) = chart_figure(by_month).axes
    assert [text.get_text() for text in axes.get_legend().get_texts()] == ["Anmälda", "Deltog"]
    assert chart_figure(by_theme).axes[0].get_legend() is None


def test_chart_y_ticks_are_whole_numbers_even_for_small_counts():
    chart = Chart("Få", ["a", "b"], {"Deltog": [1, 2]})

    ticks = chart_figure(chart).axes[0].get_yticks()

    assert all(tick == int(tick) for tick in ticks)


def test_chart_of_nothing_still_renders():
    assert chart_png(Chart("Tom", [], {})).startswith(b"\x89PNG")


def test_chart_refuses_a_series_that_does_not_match_the_labels():
    with pytest.raises(ValueError, match="Deltog"):
        chart_figure(Chart("Fel", ["a", "b"], {"Deltog": [1]}))


def test_markup_characters_and_pasted_control_characters_print_as_text():
    content = _content()
    pasted = "Kostnader & intäkter <b>inte</b> klara\x0bän\x07."
    sections = [Section(3, "Avvikelser & orsaker", [pasted]), *content.sections[1:]]
    content = ReportContent(**{**content.__dict__, "sections": sections})

    texts = [paragraph.text for paragraph in docx.Document(io.BytesIO(report_docx(content))).paragraphs]
    assert "Kostnader & intäkter <b>inte</b> klara\nän." in texts
    pdf = subprocess.run([poppler("pdftotext"), "-", "-"], input=report_pdf(content), capture_output=True, check=True)
    assert "Kostnader & intäkter <b>inte</b> klara\nän." in pdf.stdout.decode()


def test_long_theme_names_lay_the_chart_on_its_side():
    themes = ["Offentlig upphandling och IOP-avtal", "Marknadsföring i sociala medier", "Effektmätning"] * 3
    chart = Chart("Per tema", themes, {"Deltagare": list(range(9))})

    (axes,) = chart_figure(chart).axes

    assert [label.get_text().replace("\n", " ") for label in axes.get_yticklabels()] == themes


def test_long_tables_and_many_themes_still_fit_the_pages():
    content = _content()
    events = [["Datum", "Träff", "Typ", "Anmälda", "Deltog"]]
    events += [["2021-03-02", f"Digital mötesplats {n}", "Digital mötesplats", "40", "31"] for n in range(120)]
    themes = [f"Tema nummer {n} om upphandling" for n in range(60)]
    content = ReportContent(
        **{
            **content.__dict__,
            "appendix": [Table("Träffar som hölls", events)],
            "charts": [Chart("Per tema", themes, {"Anmälda": [n for n in range(60)], "Deltog": [1] * 60})],
        }
    )

    assert report_pdf(content).startswith(b"%PDF")
    assert len(docx.Document(io.BytesIO(report_docx(content))).tables[1].rows) == 121
