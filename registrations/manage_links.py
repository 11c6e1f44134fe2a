"""Manage links for e-mails: a fresh token per registration, of which only the hash is kept.

A module of its own so that the e-mails (notifications) can issue links without importing
the registration services, which themselves write to the outbox."""

import secrets
from collections.abc import Iterable

from accounts.models import hash_secret

from .models import ManageLink


def manage_links_issue(*, registration_ids: Iterable[int]) -> dict[int, str]:
    """A new manage token per registration, in one INSERT. Every e-mail carries a fresh link,
    and all of a registration's links stay valid until it is cancelled."""
    tokens = {registration_id: secrets.token_urlsafe(32) for registration_id in set(registration_ids)}
    ManageLink.objects.bulk_create(
        [ManageLink(registration_id=pk, token_hash=hash_secret(token)) for pk, token in tokens.items()]
    )
    return tokens
