import hashlib

from django.http import Http404, HttpResponse
from django.views.decorators.http import condition, require_safe

from .feeds import feed_registrations
from .invites import personal_feed


def _feed_etag(request, token: str) -> str | None:
    registrations = feed_registrations(token)
    if registrations is None:
        return None
    # Changes to a meeting (time, place, link, status) or to a registration change the feed.
    parts = registrations.values_list("id", "status", "event_id", "event__sequence", "event__updated_at")
    return hashlib.sha256(repr(list(parts)).encode()).hexdigest()[:32]


# HEAD as well as GET (RFC 9110 9.3.2): a client checking the feed must not read 405 as a dead feed.
@require_safe
@condition(etag_func=_feed_etag)
def feed(request, token: str):
    """A person's confirmed meetings as a subscribable calendar (webcal)."""
    registrations = feed_registrations(token)
    if registrations is None:
        raise Http404
    response = HttpResponse(personal_feed(registrations), content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, max-age=900"
    return response
