"""Forms of the two-factor login: the code step, turning it on and off, and the admin login."""

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.signals import user_login_failed
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .two_factor import two_factor_enabled, two_factor_retry_after, two_factor_verify


def _code_field(*, label, required: bool = True) -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=20,
        required=required,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autocapitalize": "none", "spellcheck": "false", "size": 12}
        ),
    )


class CodeForm(forms.Form):
    code = _code_field(label=_("Code"))


WRONG_CODE = _("The code is wrong or has expired. Enter the code your app shows now, or a backup code.")


def code_check(request, *, user, code: str, count_failure: bool = True):
    """(device, None) when `code` is the user's, else (None, what to tell them).

    A wrong code counts as a failed login of the user name at the client address (the
    lockout, django-axes) when `count_failure`. While the device is still waiting after
    recent wrong codes, the code is not checked and the answer says how long to wait."""
    wait = two_factor_retry_after(user=user, code=code)
    if wait:
        message = ngettext(
            "Too many wrong codes in a row. Wait %(seconds)d second and try again.",
            "Too many wrong codes in a row. Wait %(seconds)d seconds and try again.",
            wait,
        )
        return None, message % {"seconds": wait}
    device = two_factor_verify(user=user, code=code)
    if device is None:
        if count_failure:
            user_login_failed.send(sender=__name__, credentials={"username": user.get_username()}, request=request)
        return None, str(WRONG_CODE)
    return device, None


class AdminLoginForm(AdminAuthenticationForm):
    """Django admin's login, plus the code for users who have two-factor login turned on.
    Users without it leave the field empty and log in as before."""

    otp_token = _code_field(label=_("Two-factor code (if you have turned it on)"), required=False)

    def clean(self):
        cleaned = super().clean()
        user = self.get_user()
        if user is not None and two_factor_enabled(user):
            device, error = code_check(self.request, user=user, code=cleaned.get("otp_token", ""))
            if device is None:
                raise forms.ValidationError(error, code="invalid_code")
            # django-otp's login signal handler marks the session as verified with this device.
            user.otp_device = device
        return cleaned
