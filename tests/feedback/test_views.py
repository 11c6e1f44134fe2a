"""The survey page behind the e-mail's link (/omdome/<token>/, English under /en/): the
meeting and an empty form, the answer stored and replaced through the form, errors shown
beside their fields with nothing changed, the thank-you state, the closed survey (410) and
an unknown link (the site's 404). Plain HTML: no script, no login."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone, translation

from feedback.models import COMMENT_MAX, OPEN_FOR, WANTS_TEXT_MAX, Feedback
from feedback.services import feedback_answer, feedback_links_issue, feedback_requests_due
from tests.factories import EventFactory, RegistrationFactory, ThemeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def swedish():
    """A request under /en/ leaves English active in the thread; the next test must not inherit it."""
    with translation.override("sv"):
        yield


@pytest.fixture
def themes(db):
    return [
        ThemeFactory(slug="finansiering", name="Finansiering", name_en="Funding"),
        ThemeFactory(slug="upphandling", name="Offentlig upphandling", name_en="Public procurement"),
    ]


def ended(*, ago: timedelta = timedelta(hours=3), **fields):
    """A two-hour meeting that ended `ago`."""
    ends_at = timezone.now().replace(second=0, microsecond=0) - ago
    return EventFactory(starts_at=ends_at - timedelta(hours=2), ends_at=ends_at, **fields)


def survey(event=None, **fields) -> tuple[Feedback, str]:
    """An attendee's survey, as beat writes it, and a link's token, as its e-mail issues it."""
    registration = RegistrationFactory(event=event or ended(), attended=True, **fields)
    feedback_requests_due(now=registration.event.ends_at + timedelta(hours=3))
    feedback = Feedback.objects.get(registration=registration)
    return feedback, feedback_links_issue(feedback_ids=[feedback.id])[feedback.id]


def answer(**fields) -> dict:
    """A valid POST body; a field given as None is left out."""
    body = {"rating": "4", "comment": "", "themes": [], "wants_themes_text": "", **fields}
    return {key: value for key, value in body.items() if value is not None}


def checked(html: str, name: str) -> list[str]:
    """The values of the ticked inputs named `name` ("on" for a checkbox without a value)."""
    ticked = [tag for tag in re.findall(rf'<input[^>]*name="{name}"[^>]*>', html) if " checked" in tag]
    return [value.group(1) if (value := re.search(r'value="([^"]*)"', tag)) else "on" for tag in ticked]


def field_html(html: str, name: str) -> str:
    """The markup of one field's box, up to the next field's."""
    return re.split(r'id="field-|</form>', html.split(f'id="field-{name}"')[1])[0]


def test_the_page_shows_the_meeting_and_an_empty_form(client, themes):
    ThemeFactory(slug="nedlagt", name="Nedlagt tema", is_active=False)
    feedback, token = survey(ended(title="Tematräff: Finansiering"))

    response = client.get(f"/omdome/{token}/")

    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="sv">' in html
    assert '<meta name="robots" content="noindex">' in html
    assert "no-cache" in response["Cache-Control"]
    assert "<script" not in html  # works without JavaScript: there is none
    assert "Tematräff: Finansiering" in html
    assert f'datetime="{timezone.localtime(feedback.event.starts_at).isoformat()}"' in html
    # The 1–5 scale is a radio group with a legend; 1 and 5 say what they mean.
    group = field_html(html, "rating")
    assert "<legend" in group and len(re.findall(r'type="radio" name="rating"', group)) == 5
    assert re.search(r'<span class="rating__number">1</span> <span class="rating__text">[^<]+</span>', group)
    assert checked(html, "rating") == []
    assert f'maxlength="{COMMENT_MAX}"' in html and f'maxlength="{WANTS_TEXT_MAX}"' in html
    assert re.findall(r'name="themes" value="([^"]+)"', html) == ["finansiering", "upphandling"]
    assert ">Finansiering</label>" in html and "Nedlagt tema" not in html
    assert checked(html, "quote_allowed") == []  # not allowed unless ticked
    assert checked(html, "themes") == []


def test_the_english_page_is_in_english_with_english_theme_names(client, themes):
    ThemeFactory(slug="effektmatning", name="Effektmätning", name_en="Impact measurement")
    _, token = survey(language="en")

    html = client.get(f"/en/omdome/{token}/").content.decode()
    swedish = client.get(f"/omdome/{token}/").content.decode()

    assert '<html lang="en">' in html
    assert "How was the meeting?" in html
    assert "How useful was the meeting to you?" in html
    assert ">Funding</label>" in html and ">Public procurement</label>" in html
    assert ">Finansiering</label>" not in html
    assert "Send my answer" in html
    # Each page lists the themes in its own alphabetical order.
    assert re.findall(r'name="themes" value="([^"]+)"', html) == ["finansiering", "effektmatning", "upphandling"]
    assert re.findall(r'name="themes" value="([^"]+)"', swedish) == ["effektmatning", "finansiering", "upphandling"]


def test_answering_stores_the_answer_and_shows_the_thank_you_state(client, themes):
    feedback, token = survey()
    url = f"/omdome/{token}/"

    response = client.post(
        url,
        answer(
            rating="5",
            comment="  Ett tips om mikrolån.\r\nOch en kontakt.  ",
            themes=["upphandling"],
            wants_themes_text=" Arbetsintegrering ",
            quote_allowed="on",
        ),
    )

    assert response.status_code == 302
    assert response["Location"] == f"{url}?tack=1"
    feedback.refresh_from_db()
    assert feedback.rating == 5
    assert feedback.comment == "Ett tips om mikrolån.\nOch en kontakt."
    assert [theme.slug for theme in feedback.wants_themes.all()] == ["upphandling"]
    assert feedback.wants_themes_text == "Arbetsintegrering"
    assert feedback.quote_allowed is True
    assert feedback.answered_at is not None

    thanks = client.get(response["Location"])
    html = thanks.content.decode()
    assert thanks.status_code == 200
    assert thanks.templates[0].name == "feedback/thanks.html"
    assert 'role="status"' in html
    assert "Ett tips om mikrolån.<br>Och en kontakt." in html
    assert "<li>Offentlig upphandling</li>" in html and "Arbetsintegrering" in html
    assert f'href="{url}"' in html  # back to the form, to change the answer


def test_the_thank_you_address_before_any_answer_shows_the_form(client):
    _, token = survey()

    response = client.get(f"/omdome/{token}/?tack=1")

    assert response.templates[0].name == "feedback/survey.html"


def test_answering_again_shows_the_answer_and_updates_the_one_answer(client, themes):
    feedback, token = survey(language="en")
    url = f"/en/omdome/{token}/"
    client.post(url, answer(rating="2", comment="Too long.", themes=["finansiering"], quote_allowed="on"))

    html = client.get(url).content.decode()

    closes = timezone.localtime(feedback.event.ends_at + OPEN_FOR)
    assert f"You can change it until {closes:%-d %B %Y} at {closes:%H:%M}." in html
    assert checked(html, "rating") == ["2"]
    assert ">\nToo long.</textarea>" in html
    assert checked(html, "themes") == ["finansiering"]
    assert checked(html, "quote_allowed") == ["on"]
    assert "Save my changes" in html

    response = client.post(url, answer(rating="4", comment="", themes=["upphandling"], wants_themes_text="Lokaler"))

    assert response.status_code == 302
    [stored] = Feedback.objects.filter(registration=feedback.registration)
    assert (stored.rating, stored.comment, stored.wants_themes_text) == (4, "", "Lokaler")
    assert [theme.slug for theme in stored.wants_themes.all()] == ["upphandling"]
    assert stored.quote_allowed is False  # nothing to quote without a comment
    assert Feedback.objects.count() == 1


def test_quoting_is_stored_only_with_a_comment(client):
    feedback, token = survey()

    client.post(f"/omdome/{token}/", answer(comment="", quote_allowed="on"))

    feedback.refresh_from_db()
    assert feedback.rating == 4 and feedback.quote_allowed is False


def test_a_comment_as_long_as_the_browser_allows_is_taken_with_its_line_breaks(client):
    """The browser counts a line break as one character against maxlength but sends two (CRLF)."""
    feedback, token = survey()
    comment = ("x" * 99 + "\r\n") * (COMMENT_MAX // 100)

    response = client.post(f"/omdome/{token}/", answer(comment=comment))

    assert response.status_code == 302
    feedback.refresh_from_db()
    assert len(feedback.comment) == COMMENT_MAX - 1  # the last line break is stripped


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"rating": None}, "rating"),
        ({"rating": ""}, "rating"),
        ({"rating": "0"}, "rating"),
        ({"rating": "6"}, "rating"),
        ({"rating": "fyra"}, "rating"),
        ({"comment": "x" * (COMMENT_MAX + 1)}, "comment"),
        ({"themes": ["finns-inte"]}, "themes"),
        ({"wants_themes_text": "x" * (WANTS_TEXT_MAX + 1)}, "wants_themes_text"),
        ({"wants_themes_text": "två\nrader"}, "wants_themes_text"),
    ],
    ids=[
        "rating missing",
        "rating empty",
        "rating 0",
        "rating 6",
        "rating not a number",
        "comment too long",
        "unknown theme",
        "other theme too long",
        "other theme on two lines",
    ],
)
def test_an_invalid_answer_is_shown_again_with_its_error_and_changes_nothing(client, themes, fields, field):
    feedback, token = survey()
    feedback_answer(feedback_id=feedback.id, rating=3, comment="Bra.", theme_slugs=["finansiering"])
    before = Feedback.objects.get(pk=feedback.pk)
    body = answer(**{"comment": "Ändrad", "themes": ["upphandling"], **fields})

    response = client.post(f"/omdome/{token}/", body)

    html = response.content.decode()
    assert response.status_code == 200
    assert response.templates[0].name == "feedback/survey.html"
    assert html.count('class="errorlist') == 1
    # The error sits in its field, is described to screen readers, and the summary links to it.
    error_id = f"id_{field}_error"
    assert f'id="{error_id}"' in field_html(html, field)
    assert re.search(rf'aria-describedby="[^"]*\b{error_id}\b', html)
    assert f'<a href="#field-{field}">' in html.split('class="error-summary"')[1]
    assert html.startswith("<!DOCTYPE html>") and "<title>Fel: " in html
    # What was typed is kept (the other fields as sent).
    if field != "comment":
        assert ">\nÄndrad</textarea>" in html
    after = Feedback.objects.get(pk=feedback.pk)
    assert (after.rating, after.comment, after.answered_at) == (before.rating, before.comment, before.answered_at)
    assert [theme.slug for theme in after.wants_themes.all()] == ["finansiering"]


def test_a_theme_retired_after_it_was_chosen_stays_ticked(client, themes):
    feedback, token = survey()
    feedback_answer(feedback_id=feedback.id, rating=3, theme_slugs=["upphandling"])
    themes[1].is_active = False
    themes[1].save()

    html = client.get(f"/omdome/{token}/").content.decode()

    assert checked(html, "themes") == ["upphandling"]


def test_a_closed_survey_answers_410_with_its_page_and_takes_no_answer(client):
    feedback, token = survey(ended(ago=OPEN_FOR + timedelta(minutes=1), title="Nätverksträff"))
    url = f"/omdome/{token}/"

    shown = client.get(url)
    sent = client.post(url, answer())

    for response in (shown, sent):
        assert response.status_code == 410
        assert response.templates[0].name == "feedback/closed.html"
        assert "Nätverksträff" in response.content.decode()
        assert '<form method="post" novalidate>' not in response.content.decode()
    feedback.refresh_from_db()
    assert feedback.rating is None and feedback.answered_at is None


def test_the_survey_closes_fourteen_days_after_the_meeting_ended(client):
    _, token = survey(ended(ago=OPEN_FOR - timedelta(minutes=1)))

    assert client.get(f"/omdome/{token}/").status_code == 200


def test_an_unknown_link_is_the_sites_404(client):
    survey()

    for url in ("/omdome/no-such-token/", "/en/omdome/no-such-token/"):
        response = client.get(url)
        assert response.status_code == 404
        assert response.templates[0].name == "404.html"


def test_only_get_and_post_are_answered(client):
    _, token = survey()

    assert client.put(f"/omdome/{token}/").status_code == 405
    assert client.delete(f"/omdome/{token}/").status_code == 405


# The Swedish wording needs the Swedish catalogue (locale/sv), which the lead completes.

SURVEY_WORDS = [
    "How was the meeting?",
    "How useful was the meeting to you?",
    "Not useful",
    "Very useful",
    "What do you take with you from the meeting?",
    "You may quote my comment, without my name, in the programme's report.",
    "Which themes would you like meetings on next?",
    "Something else",
    "Send my answer",
]


def test_the_swedish_pages_are_in_swedish(client):
    _, token = survey()
    _, closed_token = survey(ended(ago=OPEN_FOR + timedelta(days=1)))
    with translation.override("sv"):
        untranslated = [english for english in SURVEY_WORDS if translation.gettext(english) == english]
        words = [translation.gettext(english) for english in SURVEY_WORDS]
        thanks, closed = translation.gettext("Thank you for your answer!"), translation.gettext("The survey has closed")

    html = client.get(f"/omdome/{token}/").content.decode()
    client.post(f"/omdome/{token}/", answer())
    thanks_html = client.get(f"/omdome/{token}/?tack=1").content.decode()
    closed_html = client.get(f"/omdome/{closed_token}/").content.decode()

    assert not untranslated, f"no Swedish in locale/sv for {untranslated}"
    assert [word for word in words if word not in html.replace("&#x27;", "'")] == []
    assert thanks in thanks_html and closed in closed_html
