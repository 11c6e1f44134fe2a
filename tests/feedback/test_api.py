"""The survey's API end to end through Django's test client: the survey behind a token
(`GET`/`POST /api/feedback/{token}`), the organiser's figures for a meeting, and the survey
settings of a meeting (create and PATCH)."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from accounts.services import api_token_create
from events.models import Event
from feedback.models import COMMENT_MAX, Feedback
from feedback.services import feedback_answer, feedback_links_issue, feedback_requests_due
from tests.factories import EventFactory, RegistrationFactory, ThemeFactory

pytestmark = pytest.mark.django_db

ENGLISH = {"Accept-Language": "en"}


def ended(**fields) -> Event:
    """A meeting that ended three hours ago, with its surveys due."""
    ends_at = timezone.now().replace(microsecond=0) - timedelta(hours=3)
    return EventFactory(starts_at=ends_at - timedelta(hours=2), ends_at=ends_at, **fields)


def surveys(event, count: int) -> list[Feedback]:
    """`count` attendees of the meeting, asked as beat asks them."""
    people = RegistrationFactory.create_batch(count, event=event, attended=True)
    feedback_requests_due()
    return [Feedback.objects.get(registration=person) for person in people]


def token_of(feedback: Feedback) -> str:
    return feedback_links_issue(feedback_ids=[feedback.id])[feedback.id]


@pytest.fixture
def survey():
    """An open survey and the token of its link."""
    ThemeFactory(slug="upphandling", name="Upphandling", name_en="Procurement")
    ThemeFactory(slug="finansiering", name="Finansiering", name_en="Funding")
    ThemeFactory(slug="gammalt", name="Gammalt tema", is_active=False)
    [feedback] = surveys(ended(title="Tematräff om upphandling"), 1)
    return feedback, token_of(feedback)


def post(client, token: str, body: dict, **headers):
    return client.post(f"/api/feedback/{token}", body, content_type="application/json", headers=headers)


# The survey


def test_the_survey_shows_the_meeting_the_themes_and_no_answer_before_one_is_given(client, survey):
    feedback, token = survey

    response = client.get(f"/api/feedback/{token}")

    assert response.status_code == 200
    body = response.json()
    event = feedback.event
    assert body["meeting"]["id"] == event.id and body["meeting"]["title"] == "Tematräff om upphandling"
    assert body["open"] is True
    assert body["answer"] is None
    # Only active themes can be asked for, named in the request's language.
    assert {theme["slug"]: theme["name"] for theme in body["themes"]} == {
        "upphandling": "Upphandling",
        "finansiering": "Finansiering",
    }
    in_english = client.get(f"/api/feedback/{token}", headers=ENGLISH).json()
    assert {theme["name"] for theme in in_english["themes"]} == {"Procurement", "Funding"}


def test_an_answer_is_stored_and_shown_afterwards(client, survey):
    feedback, token = survey
    answer = {
        "rating": 4,
        "comment": "Bra exempel från Flen.",
        "themes": ["upphandling"],
        "wants_themes_text": "Juridik för kooperativ",
        "quote_allowed": True,
    }

    response = post(client, token, answer)

    assert response.status_code == 200, response.content
    given = response.json()["answer"]
    assert {key: given[key] for key in answer} == answer
    assert given["answered_at"]
    assert client.get(f"/api/feedback/{token}").json()["answer"] == given
    feedback.refresh_from_db()
    assert (feedback.rating, feedback.comment, feedback.quote_allowed) == (4, "Bra exempel från Flen.", True)


def test_only_the_rating_is_required(client, survey):
    _feedback, token = survey

    response = post(client, token, {"rating": 1})

    assert response.status_code == 200
    assert response.json()["answer"] | {"answered_at": None} == {
        "rating": 1,
        "comment": "",
        "themes": [],
        "wants_themes_text": "",
        "quote_allowed": False,
        "answered_at": None,
    }


def test_answering_twice_updates_the_one_answer(client, survey):
    feedback, token = survey
    post(client, token, {"rating": 2, "comment": "Sådär", "themes": ["upphandling", "finansiering"]})

    response = post(client, token, {"rating": 5, "comment": "Jag ändrade mig", "themes": ["finansiering"]})

    assert response.status_code == 200
    assert Feedback.objects.count() == 1
    assert Feedback.objects.filter(rating__isnull=False).count() == 1
    answer = response.json()["answer"]
    assert (answer["rating"], answer["comment"], answer["themes"]) == (5, "Jag ändrade mig", ["finansiering"])
    # Another link of the same survey (a resent e-mail) shows the same answer.
    assert client.get(f"/api/feedback/{token_of(feedback)}").json()["answer"] == answer


# Refused answers


@pytest.mark.parametrize("rating", [0, 6, "5", 5.5, True, None], ids=["0", "6", "string", "fraction", "bool", "null"])
def test_a_rating_outside_one_to_five_or_not_a_whole_number_is_422_naming_rating(client, survey, rating):
    feedback, token = survey

    response = post(client, token, {"rating": rating, "comment": "Hm"})

    assert response.status_code == 422
    body = response.json()
    assert "rating" in body["detail"]
    assert [error["field"] for error in body["errors"]] == ["rating"]
    feedback.refresh_from_db()
    assert feedback.rating is None and feedback.comment == ""


def test_a_missing_rating_is_422(client, survey):
    _feedback, token = survey

    response = post(client, token, {"comment": "Bra"})

    assert response.status_code == 422
    assert "rating" in response.json()["detail"]


@pytest.mark.parametrize(
    ("field", "limit"), [("comment", COMMENT_MAX), ("wants_themes_text", 300)], ids=["comment", "themes-text"]
)
def test_a_text_over_its_length_is_422_and_one_at_its_length_is_taken(client, survey, field, limit):
    _feedback, token = survey

    too_long = post(client, token, {"rating": 3, field: "å" * (limit + 1)})
    at_limit = post(client, token, {"rating": 3, field: "å" * limit})

    assert too_long.status_code == 422
    assert too_long.json()["detail"].startswith(f"{field}:")
    assert str(limit) in too_long.json()["detail"]
    assert at_limit.status_code == 200
    assert at_limit.json()["answer"][field] == "å" * limit


def test_an_unknown_field_is_422(client, survey):
    _feedback, token = survey

    response = post(client, token, {"rating": 3, "name": "Anna"})

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "name"


def test_an_unknown_theme_is_404_naming_it_and_nothing_is_stored(client, survey):
    feedback, token = survey

    response = post(client, token, {"rating": 4, "themes": ["upphandling", "finns-inte"]})

    assert response.status_code == 404
    detail = response.json()["detail"]
    assert "finns-inte" in detail and "upphandling" not in detail
    feedback.refresh_from_db()
    assert feedback.rating is None


def test_a_wrong_token_is_404(client, survey):
    _feedback, token = survey

    for wrong in ("not-a-token", token[:-1], token + "x"):
        assert client.get(f"/api/feedback/{wrong}").status_code == 404
        assert post(client, wrong, {"rating": 3}).status_code == 404
    assert Feedback.objects.filter(rating__isnull=False).count() == 0


def test_a_closed_survey_is_shown_as_closed_and_takes_no_answer_with_410(client, survey):
    feedback, token = survey
    post(client, token, {"rating": 4, "comment": "I tid"})
    # Fourteen days after the meeting's end the survey closes.
    event = feedback.event
    ends_at = timezone.now() - timedelta(days=14, seconds=1)
    Event.objects.filter(pk=event.pk).update(starts_at=ends_at - timedelta(hours=2), ends_at=ends_at)

    shown = client.get(f"/api/feedback/{token}")
    refused = post(client, token, {"rating": 1, "comment": "För sent"})

    assert shown.status_code == 200
    assert shown.json()["open"] is False
    assert shown.json()["answer"]["rating"] == 4
    assert refused.status_code == 410
    assert refused.json()["detail"]
    feedback.refresh_from_db()
    assert (feedback.rating, feedback.comment) == (4, "I tid")


# The caller's language


def _details(client, token: str, body: dict) -> tuple[str, str]:
    swedish, english = post(client, token, body), post(client, token, body, **ENGLISH)
    assert swedish.status_code == english.status_code
    return swedish.json()["detail"], english.json()["detail"]


def test_errors_are_in_swedish_by_default_and_in_english_when_asked(client, survey):
    _feedback, token = survey

    for body, english_word in [
        ({"rating": 6}, "at most"),
        ({"rating": 3, "themes": ["finns-inte"]}, "Unknown theme"),
    ]:
        swedish, english = _details(client, token, body)
        assert swedish != english
        assert english_word in english and english_word not in swedish
    swedish = client.get("/api/feedback/not-a-token").json()["detail"]
    english = client.get("/api/feedback/not-a-token", headers=ENGLISH).json()["detail"]
    assert (swedish != english) and "Not found" in english


def test_the_closed_surveys_error_is_in_the_callers_language(client, survey):
    feedback, token = survey
    Event.objects.filter(pk=feedback.event_id).update(
        starts_at=timezone.now() - timedelta(days=20), ends_at=timezone.now() - timedelta(days=15)
    )

    swedish, english = _details(client, token, {"rating": 3})

    assert "closed" in english
    # Needs the Swedish translation of "The survey has closed." in locale/sv.
    assert swedish != english


# The organiser's figures


def test_the_organiser_sees_the_meetings_figures(auth_client):
    ThemeFactory(slug="upphandling", name="Upphandling", name_en="Procurement")
    ThemeFactory(slug="juridik", name="Juridik", name_en="Law")
    event = ended()
    RegistrationFactory(event=event, attended=False)  # a no-show is not asked
    asked = surveys(event, 4)
    for feedback, answer in zip(
        asked,
        [
            {"rating": 5, "comment": "Mycket bra", "theme_slugs": ["upphandling", "juridik"], "quote_allowed": True},
            {"rating": 4, "theme_slugs": ["upphandling"], "wants_themes_text": "Mer om stiftelser"},
            {"rating": 2, "comment": "För kort"},
        ],
        strict=False,
    ):
        feedback_answer(feedback_id=feedback.id, **answer)
    # Another meeting's answers are not counted.
    other = ended()
    [elsewhere] = surveys(other, 1)
    feedback_answer(feedback_id=elsewhere.id, rating=1, comment="Annan träff")

    response = auth_client.get(f"/api/organiser/events/{event.id}/feedback")

    assert response.status_code == 200
    body = response.json()
    assert (body["asked"], body["responses"]) == (4, 3)
    assert body["response_rate"] == 0.75
    assert body["average"] == 3.7  # 11 / 3, to one decimal
    assert body["distribution"] == {"1": 0, "2": 1, "3": 0, "4": 1, "5": 1}
    assert [(comment["comment"], comment["rating"], comment["quote_allowed"]) for comment in body["comments"]] == [
        ("För kort", 2, False),
        ("Mycket bra", 5, True),
    ]
    assert [(theme["slug"], theme["wanted"]) for theme in body["themes_wanted"]] == [("upphandling", 2), ("juridik", 1)]
    assert body["themes_wanted_text"] == ["Mer om stiftelser"]


def test_a_meeting_without_answers_has_empty_figures(auth_client):
    event = ended()
    surveys(event, 2)

    body = auth_client.get(f"/api/organiser/events/{event.id}/feedback").json()

    assert (body["asked"], body["responses"], body["response_rate"], body["average"]) == (2, 0, 0.0, None)
    assert body["distribution"] == {str(rating): 0 for rating in range(1, 6)}
    assert body["comments"] == body["themes_wanted"] == body["themes_wanted_text"] == []
    nobody_asked = auth_client.get(f"/api/organiser/events/{ended().id}/feedback").json()
    assert (nobody_asked["asked"], nobody_asked["response_rate"]) == (0, None)


def test_the_figures_are_for_organisers_only(client, helper):
    event = ended()
    [feedback] = surveys(event, 1)
    feedback_answer(feedback_id=feedback.id, rating=5, comment="Hemligt")
    helper_api = Client(headers={"Authorization": f"Bearer {api_token_create(user=helper)}"})
    path = f"/api/organiser/events/{event.id}/feedback"

    as_helper = helper_api.get(path)
    anonymous = client.get(path)

    assert as_helper.status_code == 403 and as_helper.json()["detail"]
    assert "Hemligt" not in as_helper.text
    assert anonymous.status_code == 401
    assert "Hemligt" not in anonymous.text


def test_the_figures_of_an_unknown_meeting_are_404(auth_client):
    response = auth_client.get("/api/organiser/events/987654/feedback")

    assert response.status_code == 404
    assert response.json()["detail"]


# The survey settings of a meeting


NEW_MEETING = {
    "title": "Nätverksträff",
    "kind": "network_meeting",
    "starts_at": "2030-03-05T17:00:00+01:00",
    "ends_at": "2030-03-05T19:00:00+01:00",
}


def test_a_new_meeting_has_the_survey_on_two_hours_after_by_default(auth_client):
    response = auth_client.post("/api/organiser/events", NEW_MEETING, content_type="application/json")

    assert response.status_code == 201, response.content
    assert (response.json()["feedback_survey"], response.json()["feedback_delay_minutes"]) == (True, 120)
    event = Event.objects.get(pk=response.json()["id"])
    assert (event.feedback_survey, event.feedback_delay_minutes) == (True, 120)


def test_a_meeting_is_created_with_the_survey_off_or_another_delay(auth_client):
    body = NEW_MEETING | {"feedback_survey": False, "feedback_delay_minutes": 30}

    response = auth_client.post("/api/organiser/events", body, content_type="application/json")

    assert response.status_code == 201, response.content
    assert (response.json()["feedback_survey"], response.json()["feedback_delay_minutes"]) == (False, 30)
    event = Event.objects.get(pk=response.json()["id"])
    assert (event.feedback_survey, event.feedback_delay_minutes) == (False, 30)


def test_patch_turns_the_survey_off_and_changes_its_delay(auth_client):
    event = EventFactory()
    path = f"/api/organiser/events/{event.id}"

    off = auth_client.patch(path, {"feedback_survey": False}, content_type="application/json")
    delayed = auth_client.patch(path, {"feedback_delay_minutes": 10080}, content_type="application/json")

    assert off.status_code == 200 and off.json()["feedback_survey"] is False
    assert delayed.status_code == 200 and delayed.json()["feedback_delay_minutes"] == 10080
    event.refresh_from_db()
    assert (event.feedback_survey, event.feedback_delay_minutes) == (False, 10080)
    assert auth_client.patch(path, {"feedback_delay_minutes": 0}, content_type="application/json").status_code == 200


@pytest.mark.parametrize(
    "value", [-1, 10081, 30.5, "60", None, True], ids=["negative", "over-7-days", "fraction", "string", "null", "bool"]
)
def test_a_delay_out_of_range_or_not_a_whole_number_is_422(auth_client, value):
    event = EventFactory()

    created = auth_client.post(
        "/api/organiser/events", NEW_MEETING | {"feedback_delay_minutes": value}, content_type="application/json"
    )
    patched = auth_client.patch(
        f"/api/organiser/events/{event.id}", {"feedback_delay_minutes": value}, content_type="application/json"
    )

    for response in (created, patched):
        assert response.status_code == 422, response.content
        assert "feedback_delay_minutes" in response.json()["detail"]
    assert Event.objects.count() == 1
    event.refresh_from_db()
    assert event.feedback_delay_minutes == 120


@pytest.mark.parametrize("value", ["false", 0, None], ids=["string", "number", "null"])
def test_feedback_survey_must_be_a_boolean(auth_client, value):
    event = EventFactory()

    response = auth_client.patch(
        f"/api/organiser/events/{event.id}", {"feedback_survey": value}, content_type="application/json"
    )

    assert response.status_code == 422
    assert "feedback_survey" in response.json()["detail"]
    event.refresh_from_db()
    assert event.feedback_survey is True
