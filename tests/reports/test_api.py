import io

import pytest
from openpyxl import load_workbook

from registrations.models import Registration
from reports.services import progress_report_finalise, progress_report_get_or_create

from .conftest import SEED_PERIOD

pytestmark = pytest.mark.django_db

URL = "/api/reports/progress"
SEED = {"from": "2020-12-01", "to": "2021-05-31"}


def test_progress_answers_the_contracts_keys(auth_client, seed_half_year):
    response = auth_client.get(URL, SEED)

    assert response.status_code == 200
    body = response.json()
    assert body["events_held"] == 53
    assert body["events_held_by_kind"] == {"network_meeting": 1, "digital_meeting_place": 2, "coaching": 50}
    assert (body["registered"], body["attended"], body["unique_attendees"]) == (149, 128, 73)
    assert body["attendees_by_gender"] == {"man": 31, "other": 1, "unstated": 20, "woman": 21}
    network = next(event for event in body["events"] if event["id"] == seed_half_year["network"].id)
    assert network == {
        "id": seed_half_year["network"].id,
        "title": "Nätverksträff",
        "kind": "network_meeting",
        "themes": ["Finansiering", "Effektmätning"],
        "starts_at": "2020-12-08T13:00:00+01:00",
        "municipality": "Nyköping",
        "online": False,
        "registered": 18,
        "attended": 15,
        "no_shows": 3,
    }
    assert body["finalised_at"] is None


def test_progress_can_hide_small_numbers(auth_client, seed_half_year):
    body = auth_client.get(URL, {**SEED, "suppress_small": "true"}).json()

    assert body["attendees_by_gender"]["other"] == "<5"
    assert body["attendees_by_gender"]["woman"] == 21
    assert body["attendees_by_organisation_type"] == {"other": 73}


@pytest.mark.parametrize(
    "query",
    [{}, {"from": "0", "to": "2020-12-01"}, {"from": "2021-02-30", "to": "2021-05-31"}, {"from": "x"}],
)
def test_progress_refuses_bad_periods_with_422(auth_client, query):
    response = auth_client.get(URL, query)

    assert response.status_code == 422
    assert response.json()["detail"]


def test_a_period_given_in_reverse_is_the_same_period(auth_client, seed_half_year):
    reversed_period = auth_client.get(URL, {"from": SEED["to"], "to": SEED["from"]})

    assert reversed_period.status_code == 200
    assert reversed_period.json() == auth_client.get(URL, SEED).json()


def test_progress_is_for_organisers_only(client, helper_client, db):
    assert client.get(URL, SEED).status_code == 401
    assert helper_client.get(URL, SEED).status_code == 403


def test_a_finalised_reports_figures_stay_as_they_were(auth_client, organiser, seed_half_year):
    report = progress_report_get_or_create(period=SEED_PERIOD)
    progress_report_finalise(report_id=report.id, by=organiser)
    Registration.objects.filter(event=seed_half_year["network"]).update(attended=True)

    body = auth_client.get(URL, SEED).json()

    assert body["attended"] == 128
    assert body["finalised_at"] is not None
    # Any other period is computed from the records as they are now.
    assert auth_client.get(URL, {"from": "2020-12-01", "to": "2020-12-31"}).json()["attended"] == 15 + 3 + 9


def test_progress_file_in_each_format(auth_client, seed_half_year):
    xlsx = auth_client.get(f"{URL}.xlsx", SEED)
    csv = auth_client.get(f"{URL}.csv", SEED)

    assert xlsx.status_code == 200
    assert xlsx["Content-Disposition"] == 'attachment; filename="lagesrapport-2020-12-01-2021-05-31.xlsx"'
    sheet = load_workbook(io.BytesIO(xlsx.content))["Sammanfattning"]
    assert [sheet["A2"].value, sheet["B2"].value] == ["Träffar som hölls", 53]
    text = csv.content.decode("utf-8-sig")
    assert text.startswith("Sammanfattning\r\n;Antal\r\nTräffar som hölls;53\r\n")
    assert "Unika besökare;73" in text


def test_progress_file_of_an_unknown_format_is_404(auth_client, db):
    response = auth_client.get(f"{URL}.odt", SEED)

    assert response.status_code == 404
    assert "docx" in response.json()["detail"]
