"""What every app's API shares: the shape of an error answer, and a 404 for what a selector
did not find. The handlers that produce these answers are installed in config/api_errors.py."""

from django.http import Http404
from ninja import Schema


class ErrorOut(Schema):
    detail: str


def found(obj):
    """The object, or a 404 when a selector found nothing."""
    if obj is None:
        raise Http404
    return obj
