import json

import pytest
from django.core.management import CommandError, call_command

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
