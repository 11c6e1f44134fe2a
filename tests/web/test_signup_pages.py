import re

import pytest
from django.urls import reverse
from django.utils import timezone

from registrations.models import Registration, ThemeInterest

SIGNUP = "/anmalan/"


def _manage_links(html: str) -> list[str]:
    return re.findall(r'<a href="(http://[^"]+/anmalan/[\w-]{20,}/)">', html)


def test_signup_page_pre_ticks_meetings_from_the_link(client, make_meeting):
    first, second, third = make_meeting("A"), make_meeting("B"), make_meeting("C")

    html = client.get(SIGNUP, {"event": [first.id, third.id]}).content.decode()

    assert re.search(rf'value="{first.id}" id="pick-{first.id}"[^>]*checked', html)
    assert re.search(rf'value="{third.id}" id="pick-{third.id}"[^>]*checked', html)
    assert not re.search(rf'value="{second.id}" id="pick-{second.id}"[^>]*checked', html)
    assert 'name="consent"' in html
    assert "Samordningsförbundet RAR" in html and "12 månader" in html


def test_meetings_not_ticked_from_the_link_are_folded_under_the_ticked_ones(client, make_meeting):
    """Someone who chose on the list page reads their choice and the form, not every meeting
    again; the others are one click away (a <details>, no script needed)."""
    first, second, third = make_meeting("A"), make_meeting("B"), make_meeting("C")

    html = client.get(SIGNUP, {"event": [second.id]}).content.decode()

    before, folded = html.split('<details class="more-meetings">')
    folded = folded.split("</details>")[0]
    assert f'id="pick-{second.id}"' in before
    assert "Visa 2 träffar till" in folded
    assert f'id="pick-{first.id}"' in folded and f'id="pick-{third.id}"' in folded
    assert f'id="pick-{second.id}"' not in folded


def test_with_nothing_ticked_every_meeting_is_shown(client, make_meeting):
    meetings = [make_meeting("A"), make_meeting("B")]

    html = client.get(SIGNUP).content.decode()

    assert "more-meetings" not in html
    assert all(f'id="pick-{meeting.id}"' in html for meeting in meetings)


def test_signup_for_several_meetings_shows_confirmed_and_waitlisted(client, make_meeting, register, signup_data):
    roomy = make_meeting("Rymlig träff", capacity=10)
    full = make_meeting("Full träff", capacity=1)
    register(full, email="first@example.org")

    response = client.post(SIGNUP, signup_data(roomy, full))

    assert response.status_code == 302
    assert response["Location"] == reverse("registrations:done")
    html = client.get(response["Location"]).content.decode()
    assert "Rymlig träff" in html and "Full träff" in html
    assert "Bekräftad" in html
    assert "Väntelista (plats 1)" in html
    links = _manage_links(html)
    assert len(links) == 2
    assert all(link.startswith("http://") for link in links)
    assert "personliga" in html
    assert Registration.objects.filter(email="anna@example.org").count() == 2


def test_manage_link_on_the_confirmation_page_works(client, make_meeting, signup_data, settings):
    event = make_meeting("Träffen")
    client.post(SIGNUP, signup_data(event))

    [link] = _manage_links(client.get(reverse("registrations:done")).content.decode())

    assert link.startswith(settings.SITE_URL + "/anmalan/")
    assert client.get(link.removeprefix(settings.SITE_URL)).status_code == 200


def test_signing_up_again_says_already_registered_without_a_new_link(client, make_meeting, register, signup_data):
    event = make_meeting("Träffen")
    register(event, email="Anna@Example.org")

    client.post(SIGNUP, signup_data(event))
    html = client.get(reverse("registrations:done")).content.decode()

    assert "Redan anmäld" in html
    assert _manage_links(html) == []
    assert Registration.objects.count() == 1


def test_closed_meeting_fails_the_whole_signup_and_is_named(client, make_meeting, signup_data):
    open_event = make_meeting("Öppen träff")
    closed = make_meeting("Stängd träff", registration_closes_at=timezone.now())

    response = client.post(SIGNUP, signup_data(open_event, closed))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Stängd träff" in html
    assert "anmälan har stängt" in html
    assert Registration.objects.count() == 0


def test_theme_interest_alone_is_enough(client, themes, signup_data):
    response = client.post(SIGNUP, signup_data(theme_interests=["upphandling"]))

    assert response.status_code == 302
    assert ThemeInterest.objects.filter(email="anna@example.org", theme__slug="upphandling").exists()
    assert "Upphandling" in client.get(response["Location"]).content.decode()


def test_nothing_chosen_is_an_error(client, themes, signup_data):
    response = client.post(SIGNUP, signup_data())

    assert response.status_code == 200
    assert "Välj minst en träff" in response.content.decode()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"consent": None}, "consent"),
        ({"email": "not-an-address"}, "email"),
        ({"email": "anna@example.org\r\nBcc: x@example.org"}, "email"),
        ({"name": "Anna\r\nAndersson"}, "name"),
        ({"name": "Anna\u2028Andersson"}, "name"),
        ({"name": "A" * 10_000}, "name"),
        ({"name": "   "}, "name"),
        ({"municipality": "Stockholm"}, "municipality"),
        ({"organisation_type": "bank"}, "organisation_type"),
    ],
)
def test_invalid_input_shows_errors_and_saves_nothing(client, make_meeting, signup_data, overrides, field):
    event = make_meeting()

    response = client.post(SIGNUP, signup_data(event, **overrides))

    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="error-summary"' in html
    assert f'id="field-{field}"' in html
    assert field in response.context["form"].errors
    assert Registration.objects.count() == 0


def test_field_errors_are_linked_to_their_inputs(client, make_meeting, signup_data):
    event = make_meeting()

    html = client.post(SIGNUP, signup_data(event, email="nope")).content.decode()

    assert re.search(r'<input[^>]*aria-invalid="true"[^>]*aria-describedby="id_email_error"', html) or re.search(
        r'<input[^>]*aria-describedby="id_email_error"[^>]*aria-invalid="true"', html
    )
    assert 'id="id_email_error"' in html


def test_rate_limit_gives_a_friendly_429(client, make_meeting, signup_data, settings):
    settings.SIGNUP_RATE_LIMIT = "1/d"  # a day-long window: no run crosses its edge
    first, second = make_meeting("A"), make_meeting("B")

    assert client.post(SIGNUP, signup_data(first)).status_code == 302
    response = client.post(SIGNUP, signup_data(second))

    assert response.status_code == 429
    assert "För många anmälningar" in response.content.decode()
    assert Registration.objects.count() == 1


def test_signup_needs_csrf(make_meeting, signup_data):
    from django.test import Client

    event = make_meeting()

    response = Client(enforce_csrf_checks=True).post(SIGNUP, signup_data(event))

    assert response.status_code == 403
    assert Registration.objects.count() == 0


def test_done_page_without_a_signup_goes_to_the_form(client):
    response = client.get(reverse("registrations:done"))

    assert response.status_code == 302
    assert response["Location"] == SIGNUP


def test_english_signup_defaults_to_english_mails(client, make_meeting, signup_data):
    event = make_meeting()

    html = client.get("/en/anmalan/").content.decode()
    response = client.post("/en/anmalan/", signup_data(event, language=None))

    assert "How we handle your details" in html
    assert re.search(r'value="en"[^>]*checked', html)
    assert response.status_code == 200  # language is a required choice; the browser sends the checked one
    client.post("/en/anmalan/", signup_data(event, language="en"))
    assert Registration.objects.get().language == "en"
