"""A session counts as logged in only once it has passed the user's second factor.

Sessions reach the "password but no code" state when two-factor login is turned on in one
browser while another is still logged in, or through Django's admin login form before the
code is asked; either way such a session is logged out on its next request. With
REQUIRE_ORGANISER_2FA, an organiser without two-factor login can only reach the page that
turns it on (and log out).
"""

from django.conf import settings
from django.contrib.auth import logout
from django.shortcuts import redirect

from .auth import is_organiser
from .two_factor import two_factor_enabled

# Where an organiser who must turn on two-factor login may still go.
_SETUP_VIEWS = {
    "workspace:security",
    "workspace:two_factor_start",
    "workspace:two_factor_setup",
    "workspace:login",
    "workspace:login_code",
    "workspace:logout",
    "admin:logout",
}


class TwoFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated and not user.is_verified() and two_factor_enabled(user):
            logout(request)
            # What django-otp's middleware gives every user, for code that asks afterwards.
            request.user.otp_device = None
            request.user.is_verified = lambda: False
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not settings.REQUIRE_ORGANISER_2FA or not request.user.is_authenticated:
            return None
        match = request.resolver_match
        if match is None or not ({"workspace", "admin"} & set(match.namespaces)):
            return None
        if match.view_name in _SETUP_VIEWS or request.user.is_verified() or not is_organiser(request.user):
            return None
        return redirect("workspace:security")
