"""The survey in the workspace: the meeting page's figures and bars, the meeting list's
averages, the meeting form's two fields and the theme demand's survey column."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone, translation

from events.models import Event
from feedback.models import Feedback
from feedback.services import feedback_answer
from registrations.models import ThemeInterest
from tests.factories import EventFactory, RegistrationFactory, ThemeFactory

from .test_meetings import _form_data

pytestmark = pytest.mark.django_db

# Pages whose English words the tests read (Swedish ones may change with the translation).
EN = "/en/arrangor"


@pytest.fixture(autouse=True)
def swedish():
    """A request under /en/ leaves English active in the thread; the next test must not inherit it."""
    with translation.override("sv"):
        yield


def _answered(event, *ratings, asked: int | None = None, **answer) -> list[Feedback]:
    """A survey for `asked` attendees (default: one per rating), answered with `ratings`."""
    surveys = [
        Feedback.objects.create(event=event, registration=RegistrationFactory(event=event, attended=True))
        for _ in range(asked if asked is not None else len(ratings))
    ]
    for survey, rating in zip(surveys, ratings, strict=False):
        feedback_answer(feedback_id=survey.id, rating=rating, **answer)
    return surveys


def _bar_rows(html: str) -> dict[int, tuple[int, int]]:
    """The bar chart's rows as rating → (count, per cent), as the page prints them."""
    rows = re.findall(
        r'<span class="ws-dist__rating">(\d)</span>.*?<td class="ws-num ws-dist__count">(\d+) '
        r'<span class="ws-soft">\((\d+)%\)</span>',
        html,
        flags=re.S,
    )
    return {int(rating): (int(count), int(percent)) for rating, count, percent in rows}


def test_the_meeting_page_shows_the_figures_the_bars_the_comments_and_the_themes(organiser_client):
    event = EventFactory(past=True)
    wanted = ThemeFactory(name="Upphandling", name_en="Public procurement")
    surveys = _answered(event, 5, 4, 4, asked=5)
    feedback_answer(
        feedback_id=surveys[0].id,
        rating=5,
        comment="Bästa träffen hittills!",
        quote_allowed=True,
        theme_slugs=[wanted.slug],
        wants_themes_text="Sociala investeringar",
    )
    feedback_answer(feedback_id=surveys[1].id, rating=4, comment="Lite för kort.", theme_slugs=[wanted.slug])

    response = organiser_client.get(f"{EN}/traffar/{event.id}/")

    html = response.content.decode()
    summary = response.context["feedback"]["summary"]
    assert (summary["asked"], summary["responses"], summary["average"]) == (5, 3, 4.3)
    assert "3 of 5 (60%)" in html
    assert "4.3 of 5" in html
    assert _bar_rows(html) == {5: (1, 33), 4: (2, 67), 3: (0, 0), 2: (0, 0), 1: (0, 0)}
    assert '<rect width="67" height="1"/>' in html
    comments = dict(
        re.findall(r'<p class="ws-comment__text">(.*?)</p>.*?<p class="ws-soft">(.*?)</p>', html, flags=re.S)
    )
    assert "May be quoted without name" in comments["Bästa träffen hittills!"]
    assert "Not for quoting" in comments["Lite för kort."]
    assert 'Public procurement <span class="ws-soft">(2 answers)</span>' in html
    assert "Sociala investeringar" in html
    assert f"{EN}/traffar/{event.id}/omdomen.xlsx" in html


def test_the_meeting_page_says_when_the_survey_goes_out_or_that_it_is_off(organiser_client):
    upcoming = EventFactory(feedback_delay_minutes=90)
    without = EventFactory(feedback_survey=False)
    held_today = EventFactory(
        starts_at=timezone.now() - timedelta(hours=1), ends_at=timezone.now() - timedelta(minutes=10)
    )

    assert "90 minutes after the meeting ends" in organiser_client.get(f"{EN}/traffar/{upcoming.id}/").content.decode()
    assert "turned off" in organiser_client.get(f"{EN}/traffar/{without.id}/").content.decode()
    page = organiser_client.get(f"{EN}/traffar/{held_today.id}/")
    assert page.context["feedback"]["state"] == "due"
    assert "2 hours after the meeting ended" in page.content.decode()


def test_a_held_meeting_that_asked_nobody_says_whether_it_still_may(organiser_client):
    now = timezone.now()
    recent = EventFactory(starts_at=now - timedelta(hours=5), ends_at=now - timedelta(hours=3))
    long_ago = EventFactory(starts_at=now - timedelta(days=10), ends_at=now - timedelta(days=10) + timedelta(hours=2))
    cancelled = EventFactory(past=True, status="cancelled")

    assert organiser_client.get(f"{EN}/traffar/{recent.id}/").context["feedback"]["state"] == "waiting"
    assert organiser_client.get(f"{EN}/traffar/{long_ago.id}/").context["feedback"]["state"] == "none"
    assert organiser_client.get(f"{EN}/traffar/{cancelled.id}/").context["feedback"] is None


def test_a_held_meeting_whose_survey_nobody_answered_says_so(organiser_client):
    event = EventFactory(past=True)
    _answered(event, asked=2)

    html = organiser_client.get(f"{EN}/traffar/{event.id}/").content.decode()

    assert "0 of 2 (0%)" in html
    assert "Nobody has answered yet." in html
    assert "ws-dist" not in html


def test_a_helper_sees_the_meeting_without_the_survey_and_may_not_export_it(helper_client):
    event = EventFactory(past=True)
    _answered(event, 5, comment="Mycket bra.")
    day = timezone.localdate(event.starts_at).isoformat()

    page = helper_client.get(f"/arrangor/traffar/{event.id}/")

    assert page.status_code == 200
    assert "Mycket bra." not in page.content.decode()
    assert 'id="survey-title"' not in page.content.decode()
    for path in [
        f"/arrangor/traffar/{event.id}/omdomen.xlsx",
        f"/arrangor/traffar/{event.id}/omdomen.csv",
        f"/arrangor/omdomen/?start={day}&end={day}",
        f"/arrangor/omdomen/{day}/{day}/omdomen.xlsx",
    ]:
        assert helper_client.get(path).status_code == 403, path
    assert "ws-survey-line" not in helper_client.get(f"{EN}/?visa=tidigare").content.decode()


def test_the_meeting_list_shows_each_held_meetings_average_in_a_fixed_number_of_queries(
    organiser_client, django_assert_num_queries
):
    rated = EventFactory(past=True, title="Betygsatt")
    _answered(rated, 5, 4, asked=3)  # three attended, two answered
    RegistrationFactory(event=rated, attended=False)
    EventFactory(past=True, title="Obesvarad")
    organiser_client.get(f"{EN}/?visa=tidigare")  # session and permissions cached alike

    # The session, the user, their two-factor device, their own and their groups' permissions,
    # and one query for the meetings with every figure.
    with django_assert_num_queries(6):
        response = organiser_client.get(f"{EN}/?visa=tidigare")
    for _ in range(10):
        _answered(EventFactory(past=True), 3, 2, 1, asked=4)
    with django_assert_num_queries(6):
        organiser_client.get(f"{EN}/?visa=tidigare")

    events = {event.title: event for event in response.context["events"]}
    # Registrations and answers are counted apart: neither multiplies the other.
    assert (events["Betygsatt"].attended_count, events["Betygsatt"].no_show_count) == (3, 1)
    assert (events["Betygsatt"].feedback_responses, events["Betygsatt"].feedback_average) == (2, 4.5)
    assert events["Obesvarad"].feedback_average is None
    html = response.content.decode()
    assert "<strong>4.5 of 5</strong> (2 responses)" in html
    assert "No survey answers yet." in html


def test_the_meeting_form_saves_the_survey_and_its_delay(organiser_client):
    response = organiser_client.post(
        "/arrangor/traffar/ny/", _form_data(feedback_survey="on", feedback_delay_minutes="45")
    )

    event = Event.objects.get()
    assert response.status_code == 302
    assert (event.feedback_survey, event.feedback_delay_minutes) == (True, 45)

    organiser_client.post(f"/arrangor/traffar/{event.id}/andra/", _form_data(feedback_delay_minutes="1440"))
    event.refresh_from_db()
    assert (event.feedback_survey, event.feedback_delay_minutes) == (False, 1440)


def test_the_meeting_form_offers_the_survey_on_and_refuses_a_delay_over_a_week(organiser_client):
    page = organiser_client.get("/arrangor/traffar/ny/").content.decode()
    assert re.search(r'<input type="checkbox" name="feedback_survey"[^>]* checked', page)
    assert 'name="feedback_delay_minutes" value="120"' in page

    response = organiser_client.post("/arrangor/traffar/ny/", _form_data(feedback_delay_minutes=str(7 * 24 * 60 + 1)))

    assert response.status_code == 400
    assert "feedback_delay_minutes" in response.context["form"].errors
    assert not Event.objects.exists()


def test_theme_demand_counts_answered_surveys_that_asked_for_each_theme(organiser_client, auth_client):
    wanted = ThemeFactory(name="Upphandling")
    ThemeInterest.objects.create(theme=wanted, email="a@example.org")
    event = EventFactory(past=True, themes=[wanted])
    surveys = _answered(event, 5, 3, asked=3, theme_slugs=[wanted.slug])
    # Asked but not answered: not counted, even if somehow linked to a theme.
    surveys[2].wants_themes.add(wanted)

    page = organiser_client.get(f"{EN}/teman/")
    api = auth_client.get("/api/organiser/themes/demand").json()

    row = next(theme for theme in page.context["themes"] if theme.slug == wanted.slug)
    assert (row.interested, row.feedback_wanted, row.upcoming_events) == (1, 2, 0)
    assert {"slug": wanted.slug, "interested": 1, "feedback_wanted": 2, "upcoming_events": 0}.items() <= next(
        theme for theme in api if theme["slug"] == wanted.slug
    ).items()
    assert "Asked for in surveys" in page.content.decode()
