"""Public sign-up pages: the form, its confirmation, and the personal manage and cancel pages."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from common.language import request_language
from events.selectors import event_list_upcoming, theme_list
from notifications.invites import personal_feed

from .choices import Status
from .forms import SignupForm
from .models import Registration
from .personal_data.selectors import privacy_notice_current
from .personal_data.tokens import LINK_HOURS
from .ratelimit import signup_limited
from .selectors import registration_get_by_token, waitlist_position
from .services import (
    PersonDetails,
    RegistrationConflict,
    SignupRejected,
    registration_cancel,
    signup_create,
    theme_interest_add,
)

# The outcome of the last sign-up, shown by the confirmation page after the redirect.
DONE_SESSION_KEY = "signup_done"


@dataclass(frozen=True)
class DoneOutcome:
    title: str
    starts_at: datetime
    ends_at: datetime
    status: str
    waitlist_position: int | None
    manage_url: str | None


def _signup_form(request) -> SignupForm:
    options = {
        "events": [event for event in event_list_upcoming() if event.registration_open],
        "themes": theme_list(),
        "language": request_language(),
    }
    if request.method == "POST":
        return SignupForm(request.POST, **options)
    preselected = [value for value in request.GET.getlist("event") if value.isascii() and value.isdigit()]
    return SignupForm(initial={"event": preselected}, **options)


def _outcomes_for_session(outcomes) -> list[dict]:
    return [
        {
            "title": outcome.event.title,
            "starts_at": outcome.event.starts_at.isoformat(),
            "ends_at": outcome.event.ends_at.isoformat(),
            "status": outcome.status,
            "waitlist_position": outcome.waitlist_position,
            "manage_token": outcome.manage_token,
        }
        for outcome in outcomes
    ]


def signup_done_remember(request, outcomes, *, email: str, themes: Sequence[str] = ()) -> None:
    """Keeps a sign-up's outcome for the confirmation page (registrations:done) to show after
    the redirect; a coaching booking is confirmed there too."""
    request.session[DONE_SESSION_KEY] = {
        "outcomes": _outcomes_for_session(outcomes),
        "themes": list(themes),
        "email": email,
    }


@require_http_methods(["GET", "POST"])
def signup(request):
    form = _signup_form(request)
    status = 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if signup_limited(request, email=data["email"]):
            form.add_error(None, _("Too many sign-ups in a short time. Please wait a minute and try again."))
            status = 429
        else:
            person = PersonDetails.from_cleaned(data, default_language=request_language())
            try:
                if data["event"]:
                    outcomes = signup_create(
                        person=person, event_ids=data["event"], theme_slugs=data["theme_interests"]
                    )
                else:
                    theme_interest_add(person=person, theme_slugs=data["theme_interests"])
                    outcomes = []
            except SignupRejected as error:
                form.add_error("event", str(error))
            else:
                themes = [theme.display_name for theme in form.theme_choices if theme.slug in data["theme_interests"]]
                signup_done_remember(request, outcomes, email=data["email"], themes=themes)
                return redirect("registrations:done")
    context = {"form": form, "privacy": privacy_notice_current(language=request_language())}
    return render(request, "registrations/signup.html", context, status=status)


def _manage_url(token: str | None) -> str | None:
    # Absolute, because people copy it or compare it with the one in their e-mail.
    return settings.SITE_URL + reverse("registrations:manage", args=[token]) if token else None


@never_cache
def signup_done(request):
    done = request.session.get(DONE_SESSION_KEY)
    if not done:
        return redirect("registrations:signup")
    outcomes = [
        DoneOutcome(
            title=outcome["title"],
            starts_at=datetime.fromisoformat(outcome["starts_at"]),
            ends_at=datetime.fromisoformat(outcome["ends_at"]),
            status=outcome["status"],
            waitlist_position=outcome["waitlist_position"],
            manage_url=_manage_url(outcome["manage_token"]),
        )
        for outcome in done["outcomes"]
    ]
    context = {"outcomes": outcomes, "themes": done["themes"], "email": done["email"]}
    return render(request, "registrations/done.html", context)


def unknown_manage_link(request):
    """A manage token that finds nothing: mistyped, or the details were deleted."""
    return render(request, "registrations/link_unknown.html", status=404)


def _cancelled_page(request, registration: Registration, token: str):
    context = {"registration": registration, "token": token, "link_hours": LINK_HOURS}
    return render(request, "registrations/cancelled.html", context, status=410)


@never_cache
def manage(request, token: str):
    registration = registration_get_by_token(token)
    if registration is None:
        return unknown_manage_link(request)
    if registration.status == Status.CANCELLED:
        return _cancelled_page(request, registration, token)
    context = {
        "registration": registration,
        "event": registration.event,
        "token": token,
        "link_hours": LINK_HOURS,
        "event_started": registration.event.starts_at <= timezone.now(),
        "waitlist_position": waitlist_position(registration),
        # The link is the seat: only confirmed registrants get it, never the public pages.
        "online_url": registration.event.online_url if registration.status == Status.CONFIRMED else "",
    }
    return render(request, "registrations/manage.html", context)


@never_cache
@require_safe
def calendar_file(request, token: str):
    """A confirmed meeting as a calendar file, for someone whose invitation went astray. It
    has the invitation's UID, so importing both leaves one entry, and the online link, which
    the manage page shows too. Only this registration: the token proves nothing about the
    person's other meetings."""
    registration = registration_get_by_token(token)
    if registration is None or registration.status != Status.CONFIRMED:
        raise Http404
    response = HttpResponse(personal_feed([registration]), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="traffpunkt.ics"'
    return response


@never_cache
@require_http_methods(["GET", "POST"])
def cancel(request, token: str):
    """GET only asks: mail scanners and link previews follow links, so only a POST cancels."""
    registration = registration_get_by_token(token)
    if registration is None:
        return unknown_manage_link(request)
    if registration.status == Status.CANCELLED:
        return _cancelled_page(request, registration, token)
    if request.method == "POST":
        try:
            registration_cancel(registration_id=registration.id)
        except RegistrationConflict:
            pass  # cancelled by a second click or another tab: the outcome the person wanted
        messages.success(request, _("Your registration is cancelled. Thank you for letting us know."))
        return redirect("registrations:manage", token=token)
    return render(request, "registrations/cancel_confirm.html", {"registration": registration, "token": token})
