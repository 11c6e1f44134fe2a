from ninja import Router
from ninja.errors import HttpError

from accounts.auth import organiser_auth
from common.api import ErrorOut, described, found
from events.api import NO_MEETING, themes_exist
from events.models import Event, Theme

from .models import Feedback
from .schemas import EventFeedbackOut, FeedbackIn, SurveyOut
from .selectors import event_feedback_summary, feedback_get_by_token, feedback_is_open
from .services import SurveyClosed, feedback_answer

router = Router(tags=["feedback"])
organiser_router = Router(tags=["organiser: feedback"], auth=organiser_auth)

NO_SURVEY = "The token names no survey."


def _survey(feedback: Feedback) -> dict:
    answered = feedback.rating is not None
    return {
        "meeting": feedback.event,
        "open": feedback_is_open(feedback),
        "closes_at": feedback.closes_at(),
        "themes": [{"slug": theme.slug, "name": theme.display_name} for theme in Theme.objects.filter(is_active=True)],
        "answer": {
            "rating": feedback.rating,
            "comment": feedback.comment,
            "themes": sorted(theme.slug for theme in feedback.wants_themes.all()),
            "wants_themes_text": feedback.wants_themes_text,
            "quote_allowed": feedback.quote_allowed,
            "answered_at": feedback.answered_at,
        }
        if answered
        else None,
    }


@router.get("/feedback/{token}", response={200: SurveyOut, 404: ErrorOut}, openapi_extra=described({404: NO_SURVEY}))
def survey_detail(request, token: str):
    """The survey behind an e-mail's link: the meeting, the themes one may ask for, and the
    answer given so far (null until answered)."""
    return _survey(found(feedback_get_by_token(token=token)))


@router.post(
    "/feedback/{token}",
    response={200: SurveyOut, 404: ErrorOut, 410: ErrorOut, 422: ErrorOut},
    openapi_extra=described(
        {
            404: f"{NO_SURVEY} Or a theme in `themes` does not exist; `detail` names it.",
            410: "The survey has closed (14 days after the meeting).",
        }
    ),
)
def survey_answer(request, token: str, payload: FeedbackIn):
    """Answers the survey; answering again replaces the answer, until the survey closes."""
    feedback = found(feedback_get_by_token(token=token))
    themes_exist(payload.themes)
    try:
        feedback_answer(
            feedback_id=feedback.id,
            rating=payload.rating,
            comment=payload.comment,
            theme_slugs=payload.themes,
            wants_themes_text=payload.wants_themes_text,
            quote_allowed=payload.quote_allowed,
        )
    except SurveyClosed as error:
        raise HttpError(410, str(error)) from error
    return _survey(feedback_get_by_token(token=token))


@organiser_router.get(
    "/events/{event_id}/feedback",
    response={200: EventFeedbackOut, 404: ErrorOut},
    openapi_extra=described({404: NO_MEETING}),
)
def event_feedback(request, event_id: int):
    """The meeting's survey: how many were asked and answered, the average and distribution
    of the ratings, the comments and the themes asked for. Organisers only."""
    found(Event.objects.filter(pk=event_id).first())
    return event_feedback_summary(event_id=event_id)
