"""Helpers for the login tests: codes from a user's authenticator, two-factor turned on."""

import time

import pytest
from django_otp.oath import hotp
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.two_factor import backup_codes_renew


def app_code(device: TOTPDevice) -> str:
    """The code the user's app would show next that the device still accepts (each time step
    is accepted once, so a second login in the same 30 s takes the next step's code)."""
    device.refresh_from_db()
    now_step = int((time.time() - device.t0) // device.step)
    step = max(now_step + device.drift, device.last_t + 1)
    return str(hotp(device.bin_key, step, digits=device.digits)).zfill(device.digits)


@pytest.fixture
def two_factor_organiser(organiser):
    """The organiser with two-factor login on; `.backup_codes` holds their ten codes."""
    TOTPDevice.objects.create(user=organiser, name="app", confirmed=True)
    organiser.backup_codes = backup_codes_renew(user=organiser)
    return organiser


def totp_device(user) -> TOTPDevice:
    return TOTPDevice.objects.get(user=user, confirmed=True)


def wait_out_throttle() -> None:
    """As if the user took long enough after a wrong code (devices wait 1, 2, 4 ... s)."""
    for model in (TOTPDevice, StaticDevice):
        model.objects.update(throttling_failure_count=0, throttling_failure_timestamp=None)
