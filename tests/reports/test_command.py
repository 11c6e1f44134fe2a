import json
import subprocess

import docx
import pytest
from django.core.management import CommandError, call_command

from .conftest import poppler

pytestmark = pytest.mark.django_db


def test_progress_report_writes_the_figures(seed_half_year, tmp_path):
    output = tmp_path / "rapport.json"

    call_command(
        "progress_report", "--from", "2020-12-01", "--to", "2021-05-31", "--format", "json", "--output", output
    )

    figures = json.loads(output.read_text())
    assert (figures["events_held"], figures["attended"], figures["unique_attendees"]) == (53, 128, 73)


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--from", "2021-05-31", "--to", "2020-12-01"], "--to must not be before --from"),
        (["--from", "2021-13-01", "--to", "2021-05-31"], "Not a date"),
    ],
)
def test_progress_report_explains_bad_arguments(arguments, message, tmp_path):
    with pytest.raises(CommandError, match=message):
        call_command("progress_report", *arguments, "--output", tmp_path / "x.docx")


def test_progress_report_refuses_a_missing_folder(tmp_path):
    with pytest.raises(CommandError, match="No such folder"):
        call_command(
            "progress_report", "--from", "2020-12-01", "--to", "2021-05-31", "--output", tmp_path / "nope" / "x.docx"
        )


def _docx_text(path) -> str:
    document = docx.Document(path)
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return "\n".join([paragraph.text for paragraph in document.paragraphs] + cells)


def test_progress_report_docx_carries_the_records_figures_and_drafts(seed_half_year, tmp_path):
    output = tmp_path / "rapport.docx"

    call_command("progress_report", "--from", "2020-12-01", "--to", "2021-05-31", "--output", output)

    text = _docx_text(output)
    assert "Insatsens namn: Nyttiga affärer 2.0" in text
    assert "Tidsperiod (som rapporten avser): 2020-12-01–2021-05-31" in text
    assert (
        "I december genomfördes en nätverksträff med tema finansiering och effektmätning; 15 deltog av 18 anmälda."
        in text
    )
    assert "50 coachningar genomfördes från december till maj, med 10 personer." in text
    assert "1 person har gått från arbetslöshet till arbete." in text
    assert "14 september: Finansiering i praktiken (tema finansiering), Nyköping" in text
    summary = next(t for t in docx.Document(output).tables if t.rows[0].cells[1].text == "Antal")
    rows = {row.cells[0].text: row.cells[1].text for row in summary.rows}
    assert (rows["Träffar som hölls"], rows["Anmälda"], rows["Deltog"], rows["Unika besökare"]) == (
        "53",
        "149",
        "128",
        "73",
    )


def test_progress_report_pdf_carries_the_records_figures_and_drafts(seed_half_year, tmp_path):
    output = tmp_path / "rapport.pdf"

    call_command("progress_report", "--from", "2020-12-01", "--to", "2021-05-31", "--format", "pdf", "--output", output)

    text = subprocess.run([poppler("pdftotext"), output, "-"], capture_output=True, check=True, text=True).stdout
    flat = " ".join(text.split())
    assert "Lägesrapport" in flat
    assert "Beskriv det senaste halvårets aktiviteter kopplade till de beskrivna målen i ansökan:" in flat
    assert "15 deltog av 18 anmälda." in flat
    assert "1 person har gått från arbetslöshet till arbete." in flat
    assert "Unika besökare 73" in flat
