"""The language of the current request, as one of the site's two."""

from django.utils.translation import get_language


def request_language() -> str:
    """The code "en" when the request is in English, else "sv" (also outside a request)."""
    return "en" if (get_language() or "").startswith("en") else "sv"
