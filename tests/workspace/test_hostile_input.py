"""Input no form validates: search strings and dates in URLs. A clear answer, never a 500."""

import pytest

from tests.factories import EventFactory, RegistrationFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("page", ["/arrangor/traffar/{id}/", "/arrangor/traffar/{id}/incheckning/"])
def test_a_search_for_nul_finds_nothing_instead_of_failing(organiser_client, page):
    event = EventFactory(past=True)
    RegistrationFactory(event=event, name="Anna")

    response = organiser_client.get(page.format(id=event.id), {"q": "An\x00na"})

    assert response.status_code == 200


@pytest.mark.parametrize("period", ["0001-01-01/9999-12-31", "2021-01-01/9999-12-31", "1899-12-01/1900-05-31"])
def test_report_periods_outside_the_years_we_handle_are_404(organiser_client, period):
    assert organiser_client.get(f"/arrangor/rapporter/{period}/").status_code == 404
