"""The language of the current request, as one of the site's two."""

from django.utils import translation
from django.utils.cache import patch_vary_headers


def request_language() -> str:
    """The code "en" when the request is in English, else "sv" (also outside a request)."""
    return "en" if (translation.get_language() or "").startswith("en") else "sv"


class ApiLanguageMiddleware:
    """The API's language: what the client asks for (the language cookie the site's switch
    sets, else Accept-Language), Swedish when it asks for neither or for a language the site
    lacks. Pages have their language in the path (English under /en/), and LocaleMiddleware,
    which runs before this, gives every unprefixed path Swedish; the API has no prefix."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path_info.startswith("/api/"):
            return self.get_response(request)
        translation.activate(translation.get_language_from_request(request))
        request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        patch_vary_headers(response, ("Accept-Language", "Cookie"))
        return response
