"""Optional two-factor login: an authenticator app (TOTP) and ten single-use backup codes.

A user has two-factor login when they have a confirmed TOTP device; the backup codes are a
static device beside it. Both are django-otp devices, so its middleware marks a session
that passed the code as verified (`request.user.is_verified()`).
"""

import math
import re
from base64 import b32encode

import segno
from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

BACKUP_CODE_COUNT = 10
_TOTP_CODE = re.compile(r"^\d{6}$")


def two_factor_enabled(user) -> bool:
    return bool(user and user.pk) and TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def totp_device_start(*, user) -> TOTPDevice:
    """A new, unconfirmed authenticator for the user; an earlier unconfirmed one is replaced."""
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user, confirmed=False).delete()
        return TOTPDevice.objects.create(user=user, name="app", confirmed=False)


def totp_device_pending(*, user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()


def _normalised(code: str) -> str:
    # People type codes with spaces or dashes ("123 456", "abcd-efgh"); backup codes are lower case.
    return re.sub(r"[\s-]", "", code or "").lower()


def _devices_for_code(*, user, code: str, lock: bool = False):
    # A six-digit code is the app's; anything else can only be a backup code. Trying only
    # the matching kind keeps a typo in one from slowing down (throttling) the other.
    model = TOTPDevice if _TOTP_CODE.match(code) else StaticDevice
    devices = model.objects.filter(user=user, confirmed=True)
    return devices.select_for_update() if lock else devices


def two_factor_retry_after(*, user, code: str) -> int:
    """Seconds until the user's device for this kind of code checks codes again; 0 when it
    does now. After each wrong code a device waits twice as long (1, 2, 4, 8 s ...)."""
    waits = [0]
    for device in _devices_for_code(user=user, code=_normalised(code)):
        allowed, details = device.verify_is_allowed()
        if not allowed and details and details.get("locked_until"):
            waits.append(math.ceil((details["locked_until"] - timezone.now()).total_seconds()))
    return max(waits)


@transaction.atomic
def two_factor_verify(*, user, code: str):
    """The user's device that accepts `code` (a current app code or an unused backup code),
    or None. A backup code is used up; each device's own throttle slows repeated failures.
    The device rows are locked, so one code cannot be used twice by racing requests."""
    code = _normalised(code)
    if not code:
        return None
    for device in _devices_for_code(user=user, code=code, lock=True):
        if device.verify_token(code):
            return device
    return None


@transaction.atomic
def totp_device_confirm(*, user, code: str) -> tuple[TOTPDevice, list[str]] | None:
    """Turns two-factor login on when `code` comes from the pending authenticator: confirms
    it, replaces any other devices and makes fresh backup codes. Returns the device and the
    codes (shown once), or None when the code is wrong."""
    device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=False).order_by("-pk").first()
    code = _normalised(code)
    if device is None or not _TOTP_CODE.match(code) or not device.verify_token(code):
        return None
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    return device, backup_codes_renew(user=user)


@transaction.atomic
def backup_codes_renew(*, user) -> list[str]:
    """Ten new backup codes; the old ones stop working."""
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name="backup", confirmed=True)
    codes = [StaticToken.random_token() for _ in range(BACKUP_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def backup_codes_left(*, user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


@transaction.atomic
def two_factor_disable(*, user) -> None:
    """Turns two-factor login off: removes the app and the backup codes (the caller has
    checked a code first)."""
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()


def totp_secret_text(device: TOTPDevice) -> str:
    """The secret in base32, in groups of four, for typing into an app by hand."""
    secret = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def totp_qr_svg(device: TOTPDevice, *, title: str) -> str:
    """The authenticator's setup link as an inline SVG QR code (no styles, no script)."""
    qr = segno.make(device.config_url, error="m")
    return qr.svg_inline(scale=5, border=4, omitsize=True, dark="#1b1b1b", light="#ffffff", title=title, svgclass="qr")
