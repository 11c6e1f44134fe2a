"""A person's own data: the e-mailed link, what it shows and downloads, and that nothing else
(a manage token, a forged or expired link) opens it."""

import json
import re
import time
from datetime import timedelta

import pytest
from django.core import signing
from django.core.cache import cache
from django.urls import reverse
from django.utils import translation

from feedback.models import Feedback
from notifications.models import CalendarFeed, Message
from registrations.models import RegistrationChange, ThemeInterest
from registrations.personal_data.selectors import personal_data_export
from registrations.personal_data.tokens import PRIVACY_SALT, privacy_token, registration_get_by_privacy_token
from registrations.services import registration_cancel, signup_create
from tests.factories import EventFactory, RegistrationFactory, ThemeFactory, person

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def swedish_and_fresh_limits():
    # The rate limits count in the cache, which outlives a test.
    cache.clear()
    with translation.override("sv"):
        yield
    cache.clear()


@pytest.fixture
def anna():
    """Anna's registrations for two meetings, the second with her address in other case,
    a theme interest, and Bertil on the first meeting."""
    theme = ThemeFactory(slug="finansiering", name="Finansiering", name_en="Funding")
    first, second = EventFactory(title="Finansieringsträff"), EventFactory(title="Upphandlingsträff")
    [outcome] = signup_create(person=person("anna@example.org"), event_ids=[first.id], theme_slugs=[theme.slug])
    [other_case] = signup_create(person=person("Anna@Example.ORG", name="Anna A."), event_ids=[second.id])
    [bertil] = signup_create(person=person("bertil@example.org", name="Bertil Berg"), event_ids=[first.id])
    return {
        "registration": outcome.registration,
        "token": outcome.manage_token,
        "other_case": other_case.registration,
        "bertil": bertil.registration,
    }


def _link_url(token: str) -> str:
    return reverse("registrations:privacy_link", args=[token])


# The link


def test_the_manage_page_offers_the_data_link_as_a_post_form(client, anna):
    html = client.get(reverse("registrations:manage", args=[anna["token"]])).content.decode()

    assert f'<form method="post" action="{_link_url(anna["token"])}">' in html


def test_asking_for_the_link_queues_one_message_to_the_address_per_hour(client, anna):
    for _ in range(3):
        response = client.post(_link_url(anna["token"]))
        assert response.status_code == 302
        assert response["Location"] == reverse("registrations:manage", args=[anna["token"]])

    [message] = Message.objects.filter(kind=Message.Kind.PRIVACY_LINK)
    assert message.recipient == "anna@example.org"
    assert message.registration == anna["registration"]
    assert message.state == Message.State.PENDING
    # The link itself is made when the e-mail is, never stored.
    assert message.context == {}


def test_a_cancelled_registration_can_still_ask_for_its_data(client, anna):
    registration_cancel(registration_id=anna["registration"].id)

    page = client.get(reverse("registrations:manage", args=[anna["token"]]))
    response = client.post(_link_url(anna["token"]))

    assert page.status_code == 410
    assert f'action="{_link_url(anna["token"])}"' in page.content.decode()
    assert response.status_code == 302
    assert Message.objects.filter(kind=Message.Kind.PRIVACY_LINK).count() == 1


def test_asking_for_the_link_needs_a_post_and_a_real_token(client, anna):
    assert client.get(_link_url(anna["token"])).status_code == 405
    assert client.post(_link_url("not-a-real-token-at-all")).status_code == 404
    assert not Message.objects.filter(kind=Message.Kind.PRIVACY_LINK).exists()


def test_asking_for_the_link_is_rate_limited(client, anna):
    codes = [client.post(_link_url(anna["token"])).status_code for _ in range(7)]

    assert codes == [302] * 5 + [429] * 2


def test_a_manage_token_alone_opens_no_data(client, anna):
    token = anna["token"]

    for name in ("privacy", "privacy_download", "privacy_erase"):
        response = client.get(reverse(f"registrations:{name}", args=[token]))
        assert response.status_code == 404
        assert "anna@example.org" not in response.content.decode()
    assert registration_get_by_privacy_token(token) is None


def test_a_signed_link_opens_the_data_of_its_address(client, anna):
    response = client.get(reverse("registrations:privacy", args=[privacy_token(anna["registration"])]))

    html = response.content.decode()
    assert response.status_code == 200
    assert response["Cache-Control"].startswith("max-age=0")
    assert "Finansieringsträff" in html and "Upphandlingsträff" in html
    assert "Anna@Example.ORG" in html
    assert "Bertil" not in html and "bertil@example.org" not in html


@pytest.mark.parametrize(
    "tamper",
    [
        pytest.param(lambda t: t[:-1] + ("A" if t[-1] != "A" else "B"), id="signature"),
        pytest.param(lambda t: t[:-5], id="truncated"),
        pytest.param(lambda t: "x" + t, id="payload"),
        pytest.param(lambda t: t * 10, id="very-long"),
    ],
)
def test_a_forged_link_is_404_with_an_explanation(client, anna, tamper):
    token = tamper(privacy_token(anna["registration"]))

    response = client.get(reverse("registrations:privacy", args=[token]))

    assert response.status_code == 404
    html = response.content.decode()
    assert "24" in html  # how long links work
    assert "anna@example.org" not in html


def test_a_link_signed_with_another_salt_or_for_another_address_is_refused(anna):
    other_salt = signing.dumps({"r": anna["registration"].id, "e": "x"}, salt="something-else")
    wrong_address = signing.dumps({"r": anna["registration"].id, "e": "0" * 20}, salt=PRIVACY_SALT)

    assert registration_get_by_privacy_token(other_salt) is None
    assert registration_get_by_privacy_token(wrong_address) is None


def test_a_link_expires(anna):
    token = privacy_token(anna["registration"])
    assert registration_get_by_privacy_token(token) == anna["registration"]

    time.sleep(1)

    assert registration_get_by_privacy_token(token, max_age=timedelta(0)) is None


def test_a_day_old_link_is_404(client, anna, monkeypatch):
    with monkeypatch.context() as past:
        yesterday = time.time() - 24 * 3600 - 60
        past.setattr(time, "time", lambda: yesterday)
        token = privacy_token(anna["registration"])

    response = client.get(reverse("registrations:privacy", args=[token]))

    assert response.status_code == 404


def test_the_link_does_not_carry_the_address(anna):
    token = privacy_token(anna["registration"])

    assert "anna" not in signing.b64_decode(token.split(":")[0].encode()).decode(errors="replace").lower()


# The export


def test_the_export_holds_every_registration_of_the_address_and_nothing_of_others(anna):
    RegistrationChange.objects.create(registration=anna["registration"], action=RegistrationChange.Action.ATTENDED)
    CalendarFeed.objects.create(email="anna@example.org", token_hash="f" * 64)

    data = personal_data_export(email="ANNA@example.org")

    assert data["email"] == "anna@example.org"
    assert [row["meeting"]["title"] for row in data["registrations"]] == ["Finansieringsträff", "Upphandlingsträff"]
    assert {row["email"] for row in data["registrations"]} == {"anna@example.org", "Anna@Example.ORG"}
    first = data["registrations"][0]
    assert first["name"] == "Anna Andersson"
    assert first["status"] == {"code": "confirmed", "label": "Bekräftad"}
    assert first["municipality"] == "Nyköping"
    assert [change["action"]["code"] for change in first["history"]] == ["signed_up", "attended"]
    assert first["history"][0]["by"]["code"] == "person"
    assert [interest["theme_slug"] for interest in data["theme_interests"]] == ["finansiering"]
    assert data["calendar_feed"]["exists"] is True
    assert {message["kind"]["code"] for message in data["messages"]} == {"confirmation"}
    assert {message["recipient"].lower() for message in data["messages"]} == {"anna@example.org"}
    assert "bertil" not in json.dumps(data, default=str).lower()


def test_the_download_is_a_json_attachment_with_iso_times(client, anna):
    token = privacy_token(anna["registration"])

    response = client.get(reverse("registrations:privacy_download", args=[token]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"] == 'attachment; filename="mina-uppgifter.json"'
    data = json.loads(response.content)
    assert len(data["registrations"]) == 2
    starts = data["registrations"][0]["meeting"]["starts_at"]
    assert starts[:4].isdigit() and starts[10] == "T" and starts[-6] in "+-"  # ISO 8601 with offset
    assert "Bertil" not in response.content.decode()


def test_the_export_takes_a_fixed_number_of_queries(django_assert_num_queries, anna):
    registrations = RegistrationFactory.create_batch(5, email="anna@example.org", attended=True)
    ThemeInterest.objects.create(theme=ThemeFactory(), email="anna@example.org")
    for registration in registrations:
        answer = Feedback.objects.create(event=registration.event, registration=registration, rating=4)
        answer.wants_themes.set([ThemeFactory()])

    with django_assert_num_queries(6):
        data = personal_data_export(email="anna@example.org")

    answers = [row["survey_answer"] for row in data["registrations"] if row["survey_answer"]]
    assert [answer["rating"] for answer in answers] == [4] * 5


# The pages keep to the site's Content Security Policy


def _no_inline_script_or_style(html: str) -> None:
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)
    assert not re.search(r"\son[a-z]+\s*=", html), "inline event handler"
    assert not re.search(r"\sstyle\s*=", html), "style attribute"


@pytest.mark.parametrize("page", ["privacy", "privacy_erase", "invalid", "privacy_erased", "unknown", "manage"])
def test_the_pages_need_no_inline_script_or_style(client, anna, page):
    signed = privacy_token(anna["registration"])
    url = {
        "privacy": reverse("registrations:privacy", args=[signed]),
        "privacy_erase": reverse("registrations:privacy_erase", args=[signed]),
        "invalid": reverse("registrations:privacy", args=[signed + "x"]),
        "privacy_erased": reverse("registrations:privacy_erased"),
        "unknown": reverse("registrations:manage", args=["no-such-token"]),
        "manage": reverse("registrations:manage", args=[anna["token"]]),
    }[page]

    response = client.get(url)

    assert "script-src 'self'" in response["Content-Security-Policy"]
    _no_inline_script_or_style(response.content.decode())


def test_the_notice_editor_needs_no_inline_script_or_style(organiser_client):
    response = organiser_client.get(reverse("workspace:privacy"))

    assert response.status_code == 200
    _no_inline_script_or_style(response.content.decode())
