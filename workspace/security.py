"""Logging in (password, then the two-factor code when the user has turned it on) and the
security page where a workspace user turns two-factor login on or off.

Failed passwords and failed codes count alike towards the lockout of a user name at a client
address (django-axes, settings AXES_*); the session is logged in only after the last step.
"""

import time

from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth import login as auth_login
from django.contrib.auth.views import LoginView
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST
from django_otp import login as otp_login

from accounts.auth import is_organiser
from accounts.forms import CodeForm, code_check
from accounts.lockout import lockout_response
from accounts.two_factor import (
    backup_codes_left,
    backup_codes_renew,
    totp_device_confirm,
    totp_device_pending,
    totp_device_start,
    totp_qr_svg,
    totp_secret_text,
    two_factor_disable,
    two_factor_enabled,
)

from .views import VIEW_LISTS, workspace_view

# The password step leaves this in the session; the code step needs it within PENDING_SECONDS.
PENDING_KEY = "workspace_login_pending"
PENDING_SECONDS = 300


class PasswordStepView(LoginView):
    """Django's login view, except that a user with two-factor login goes on to the code step
    instead of being logged in."""

    template_name = "workspace/login.html"
    redirect_authenticated_user = True

    def form_valid(self, form):
        user = form.get_user()
        if not two_factor_enabled(user):
            return super().form_valid(form)
        self.request.session.cycle_key()
        self.request.session[PENDING_KEY] = {
            "user_id": user.pk,
            "backend": user.backend,
            "since": time.time(),
            "next": self.get_success_url(),
        }
        return redirect("workspace:login_code")


def _pending_login(request):
    """The user who gave the right password a moment ago, with where to go next; or None."""
    pending = request.session.get(PENDING_KEY)
    if not pending or time.time() - pending.get("since", 0) > PENDING_SECONDS:
        return None, None
    user = get_user_model().objects.filter(pk=pending["user_id"], is_active=True).first()
    if user is None:
        return None, None
    return user, pending


@sensitive_post_parameters("code")
@csrf_protect
@never_cache
def login_code(request):
    user, pending = _pending_login(request)
    if user is None:
        request.session.pop(PENDING_KEY, None)
        if request.method == "POST":
            messages.error(request, _("The login took too long. Please enter your password again."))
        return redirect("workspace:login")
    username = user.get_username()
    form = CodeForm(request.POST or None)
    if request.method == "POST":
        if AxesProxyHandler.is_locked(request, {"username": username}):
            request.session.pop(PENDING_KEY, None)
            return lockout_response(request, None, {"username": username})
        if form.is_valid():
            device, error = code_check(request, user=user, code=form.cleaned_data["code"])
            if device is not None:
                request.session.pop(PENDING_KEY, None)
                # Logging in sends user_logged_in: django-otp marks the session verified with
                # this device, and the failure count of the user name is cleared.
                user.otp_device = device
                auth_login(request, user, backend=pending["backend"])
                return redirect(pending["next"])
            if getattr(request, "axes_locked_out", False):
                # The lockout page replaces this answer (axes' middleware); start again later.
                request.session.pop(PENDING_KEY, None)
            form.add_error("code", error)
    return render(request, "workspace/login_code.html", {"form": form}, status=400 if form.errors else 200)


def _security_context(request, **extra) -> dict:
    user = request.user
    enabled = two_factor_enabled(user)
    return {
        "enabled": enabled,
        "codes_left": backup_codes_left(user=user) if enabled else 0,
        "required": settings.REQUIRE_ORGANISER_2FA and is_organiser(user),
        "nav": "security",
        **extra,
    }


@workspace_view(VIEW_LISTS)
@never_cache
def security_page(request):
    return render(request, "workspace/security.html", _security_context(request))


@workspace_view(VIEW_LISTS)
@require_POST
def two_factor_start(request):
    if not two_factor_enabled(request.user):
        totp_device_start(user=request.user)
    return redirect("workspace:two_factor_setup")


@sensitive_post_parameters("code")
@workspace_view(VIEW_LISTS)
@never_cache
def two_factor_setup(request):
    """Shows the pending authenticator as a QR code; the right code from it turns two-factor
    login on and shows the backup codes, once."""
    device = totp_device_pending(user=request.user)
    if two_factor_enabled(request.user) or device is None:
        return redirect("workspace:security")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        confirmed = totp_device_confirm(user=request.user, code=form.cleaned_data["code"])
        if confirmed is not None:
            device, codes = confirmed
            otp_login(request, device)
            messages.success(request, _("Two-factor login is on."))
            return render(request, "workspace/two_factor_codes.html", {"codes": codes, "nav": "security"})
        form.add_error("code", _("The code is wrong or has expired. Enter the code your app shows now."))
    context = {
        "form": form,
        "qr_svg": totp_qr_svg(device, title=_("QR code for your authenticator app")),
        "secret": totp_secret_text(device),
        "nav": "security",
    }
    return render(request, "workspace/two_factor_setup.html", context, status=400 if form.errors else 200)


@sensitive_post_parameters("code")
@workspace_view(VIEW_LISTS)
@require_POST
@never_cache
def two_factor_off(request):
    form = CodeForm(request.POST)
    if form.is_valid():
        device, error = code_check(request, user=request.user, code=form.cleaned_data["code"], count_failure=False)
        if device is not None:
            two_factor_disable(user=request.user)
            messages.success(request, _("Two-factor login is off. Logging in now needs only your password."))
            return redirect("workspace:security")
        form.add_error("code", error)
    return render(request, "workspace/security.html", _security_context(request, off_form=form), status=400)


@sensitive_post_parameters("code")
@workspace_view(VIEW_LISTS)
@require_POST
@never_cache
def backup_codes_new(request):
    form = CodeForm(request.POST)
    if not two_factor_enabled(request.user):
        return redirect("workspace:security")
    if form.is_valid():
        device, error = code_check(request, user=request.user, code=form.cleaned_data["code"], count_failure=False)
        if device is not None:
            codes = backup_codes_renew(user=request.user)
            return render(request, "workspace/two_factor_codes.html", {"codes": codes, "nav": "security"})
        form.add_error("code", error)
    return render(request, "workspace/security.html", _security_context(request, codes_form=form), status=400)
