"""The survey page behind the e-mail's link: no login, works without JavaScript."""

from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from .forms import RATINGS, SurveyForm
from .models import Feedback
from .selectors import feedback_get_by_token, feedback_is_open
from .services import SurveyClosed, feedback_answer

# The query of the thank-you state the form redirects to after saving.
THANKED = "tack"


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def survey(request, token: str):
    feedback = feedback_get_by_token(token=token)
    if feedback is None:
        raise Http404
    if not feedback_is_open(feedback):
        return _closed(request, feedback)
    if request.method != "POST" and THANKED in request.GET and feedback.rating is not None:
        return render(request, "feedback/thanks.html", _context(feedback))
    form = SurveyForm(request.POST if request.method == "POST" else None, feedback=feedback)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            feedback_answer(
                feedback_id=feedback.id,
                rating=data["rating"],
                comment=data["comment"],
                theme_slugs=data["themes"],
                wants_themes_text=data["wants_themes_text"],
                quote_allowed=data["quote_allowed"],
            )
        except SurveyClosed:
            return _closed(request, feedback)
        except ValidationError as error:
            # Only a theme removed while the page was open gets here; the form checked the rest.
            form.add_error(None, error)
        else:
            return redirect(f"{request.path}?{THANKED}=1")
    return render(request, "feedback/survey.html", {**_context(feedback), "form": form})


def _closed(request, feedback: Feedback):
    return render(request, "feedback/closed.html", _context(feedback), status=410)


def _context(feedback: Feedback) -> dict:
    return {
        "feedback": feedback,
        "event": feedback.event,
        "closes_at": feedback.closes_at(),
        "answered": feedback.rating is not None,
        "rating_text": dict(RATINGS).get(feedback.rating, ""),
    }
