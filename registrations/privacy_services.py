"""Writes about a person's own data: e-mailing them the link to it, and the organisers'
privacy notice of the sign-up form. Deleting the data is in erasure.py."""

from django.db import transaction
from django.utils import timezone

from notifications import outbox

from .models import PrivacyNotice, Registration


def privacy_link_request(*, registration_id: int) -> bool:
    """Queues an e-mail to the registration's address with a signed link to everything held
    about it; at most one per registration and hour. False for a registration without an
    address or already anonymised (then nothing is sent)."""
    with transaction.atomic(durable=True):
        registration = Registration.objects.get(pk=registration_id)
        if not registration.email or registration.anonymised_at:
            return False
        outbox.queue_privacy_link(registration, now=timezone.now())
    return True


def privacy_notice_update(*, text_sv: str, text_en: str, by) -> PrivacyNotice:
    """Saves the organisers' privacy notice (plain text; empty brings back the built-in one)."""

    def clean(text: str) -> str:
        return text.replace("\r\n", "\n").replace("\r", "\n").strip()

    with transaction.atomic(durable=True):
        notice, _created = PrivacyNotice.objects.update_or_create(
            pk=1, defaults={"text_sv": clean(text_sv), "text_en": clean(text_en), "updated_by": by}
        )
    return notice
