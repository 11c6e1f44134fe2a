"""Helpers that give every API error the same shape: {"detail": "<human-readable text>"}."""

from django.core.exceptions import ValidationError
from django.http import Http404


def detail(message) -> dict:
    return {"detail": str(message)}


def validation_detail(error: ValidationError) -> dict:
    if hasattr(error, "message_dict"):
        return detail("; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in error.message_dict.items()))
    return detail(" ".join(error.messages))


def found(obj):
    """The object, or a 404 when a selector found nothing."""
    if obj is None:
        raise Http404
    return obj
