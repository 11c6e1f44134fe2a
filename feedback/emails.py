"""The survey e-mail: a personal link to the one-page survey, made when the e-mail is made."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from .models import OPEN_FOR, Feedback
from .services import feedback_links_issue


def survey_url(token: str) -> str:
    # Reversed in the recipient's language: Swedish at /omdome/<token>/, English under /en/.
    return settings.SITE_URL + reverse("feedback:survey", args=[token])


def survey_email(message) -> EmailMultiAlternatives:
    """The e-mail for an outbox row of kind feedback_request, in the recipient's language."""
    feedback = Feedback.objects.select_related("event").get(registration_id=message.registration_id)
    token = feedback_links_issue(feedback_ids=[feedback.id])[feedback.id]
    with translation.override(message.language or settings.LANGUAGE_CODE):
        context = {
            "message": message,
            "name": message.registration.name,
            "event": feedback.event,
            "survey_url": survey_url(token),
            "closes_at": feedback.closes_at(),
            "open_days": OPEN_FOR.days,
            "site_url": settings.SITE_URL,
        }
        email = EmailMultiAlternatives(
            subject=_("How was it? %(title)s") % {"title": feedback.event.title},
            body=render_to_string("feedback/email/survey.txt", context),
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[message.recipient],
            headers={"Auto-Submitted": "auto-generated"},
        )
        email.attach_alternative(render_to_string("feedback/email/survey.html", context), "text/html")
    return email
