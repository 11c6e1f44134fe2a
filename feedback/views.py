"""The survey page behind the e-mail's link: no login, works without JavaScript."""

from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from .forms import SurveyForm
from .selectors import feedback_get_by_token, feedback_is_open
from .services import SurveyClosed, feedback_answer


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def survey(request, token: str):
    feedback = feedback_get_by_token(token=token)
    if feedback is None:
        raise Http404
    if not feedback_is_open(feedback):
        return render(request, "feedback/closed.html", {"feedback": feedback}, status=410)
    initial = {}
    if feedback.rating is not None:
        initial = {
            "rating": feedback.rating,
            "comment": feedback.comment,
            "themes": list(feedback.wants_themes.all()),
            "wants_themes_text": feedback.wants_themes_text,
            "quote_allowed": feedback.quote_allowed,
        }
    form = SurveyForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            feedback_answer(
                feedback_id=feedback.id,
                rating=data["rating"],
                comment=data["comment"],
                theme_slugs=[theme.slug for theme in data["themes"]],
                wants_themes_text=data["wants_themes_text"],
                quote_allowed=data["quote_allowed"],
            )
        except SurveyClosed:
            return render(request, "feedback/closed.html", {"feedback": feedback}, status=410)
        return redirect(f"{request.path}?tack=1")
    context = {"feedback": feedback, "event": feedback.event, "form": form, "thanked": "tack" in request.GET}
    return render(request, "feedback/survey.html", context)
