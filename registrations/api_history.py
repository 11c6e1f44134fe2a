"""A registration's history in the organiser API: who changed what and when. Organisers and
helpers, like the registration list it explains."""

from django.shortcuts import get_object_or_404
from ninja import Router

from accounts.auth import attendance_auth
from common.api import ErrorOut

from .models import Registration
from .schemas import RegistrationChangeOut
from .selectors import registration_history

router = Router(tags=["organiser: registrations"], auth=attendance_auth)


@router.get(
    "/registrations/{registration_id}/history",
    response={200: list[RegistrationChangeOut], 403: ErrorOut, 404: ErrorOut},
)
def organiser_registration_history(request, registration_id: int):
    """The registration's changes, oldest first: sign-up, cancellation, promotion, attendance marks."""
    get_object_or_404(Registration, pk=registration_id)
    return registration_history(registration_id=registration_id)
