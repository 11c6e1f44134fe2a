"""The sign-up form's privacy notice: built in (naming the retention period from the setting)
until organisers write their own, which is shown as plain text."""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from registrations.models import PrivacyNotice
from registrations.personal_data.selectors import retention_period

pytestmark = pytest.mark.django_db

EDIT = "/arrangor/integritet/"
SIGNUP = "/anmalan/"


@pytest.fixture(autouse=True)
def swedish():
    with translation.override("sv"):
        yield


def _privacy_section(html: str) -> str:
    return html[html.index('id="privacy-title"') : html.index('id="field-consent"')]


def test_an_organiser_edits_the_notice(organiser_client, organiser):
    page = organiser_client.get(EDIT)
    assert page.status_code == 200
    assert 'name="text_sv"' in page.content.decode() and 'name="text_en"' in page.content.decode()

    response = organiser_client.post(EDIT, {"text_sv": "Första stycket.\r\n\r\nAndra stycket.", "text_en": ""})

    assert response.status_code == 302 and response["Location"] == EDIT
    notice = PrivacyNotice.load()
    assert notice.text_sv == "Första stycket.\n\nAndra stycket."
    assert notice.updated_by == organiser


def test_the_workspace_nav_links_to_it_for_organisers(organiser_client):
    html = organiser_client.get(reverse("workspace:overview")).content.decode()

    assert f'href="{EDIT}"' in html


def test_a_helper_may_not_and_a_visitor_must_log_in(helper_client):
    assert helper_client.get(EDIT).status_code == 403
    assert helper_client.post(EDIT, {"text_sv": "Nej", "text_en": ""}).status_code == 403
    assert not PrivacyNotice.objects.exists()
    response = Client().get(EDIT)
    assert response.status_code == 302 and "/arrangor/logga-in/" in response["Location"]


def test_the_sign_up_form_shows_the_organisers_text_escaped_in_paragraphs(client, organiser_client):
    organiser_client.post(
        EDIT, {"text_sv": "Vi sparar dina uppgifter.\n\n<script>alert('x')</script> <b>fet</b>", "text_en": ""}
    )

    section = _privacy_section(client.get(SIGNUP).content.decode())

    assert "<p>Vi sparar dina uppgifter.</p>" in section
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &lt;b&gt;fet&lt;/b&gt;" in section
    assert "<script" not in section and "<b>" not in section
    assert "Samordningsförbundet RAR" not in section  # the built-in text is replaced


def test_the_english_form_shows_the_english_text_or_else_the_swedish(client):
    PrivacyNotice.objects.create(pk=1, text_sv="Svensk text.")
    assert "Svensk text." in _privacy_section(client.get("/en" + SIGNUP).content.decode())

    PrivacyNotice.objects.filter(pk=1).update(text_en="English text.")
    english = _privacy_section(client.get("/en" + SIGNUP).content.decode())
    swedish = _privacy_section(client.get(SIGNUP).content.decode())

    assert "English text." in english and "Svensk text." not in english
    assert "Svensk text." in swedish


@pytest.mark.parametrize(
    ("days", "swedish", "english"),
    [(365, "12 månader", "12 months"), (90, "3 månader", "3 months"), (45, "45 dagar", "45 days")],
)
def test_the_built_in_notice_names_the_retention_period_of_the_setting(client, settings, days, swedish, english):
    settings.PERSONAL_DATA_RETENTION_DAYS = days

    section = _privacy_section(client.get(SIGNUP).content.decode())
    english_section = _privacy_section(client.get("/en" + SIGNUP).content.decode())

    assert swedish in section
    assert english in english_section
    assert "Samordningsförbundet RAR" in section
    assert "mailto:" in section
    if days != 365:
        assert "12 månader" not in section


def test_the_retention_period_in_words():
    with translation.override("en"):
        assert [retention_period(days) for days in (365, 730, 180, 30, 45, 1)] == [
            "12 months",
            "24 months",
            "6 months",
            "1 month",
            "45 days",
            "1 day",
        ]


def test_the_notice_is_in_the_admin_for_organisers(organiser_client):
    PrivacyNotice.objects.create(pk=1, text_sv="Text")

    changelist = organiser_client.get("/admin/registrations/privacynotice/")
    change = organiser_client.post(
        "/admin/registrations/privacynotice/1/change/", {"text_sv": "Ny text", "text_en": ""}
    )

    assert changelist.status_code == 200
    assert change.status_code == 302
    assert PrivacyNotice.load().text_sv == "Ny text"
