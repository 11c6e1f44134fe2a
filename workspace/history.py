"""A registration's history in the workspace: who changed what and when. Organisers and
helpers alike, since helpers may see the lists it explains."""

from django.shortcuts import get_object_or_404, render

from registrations.models import Registration
from registrations.selectors import registration_history

from .views import VIEW_LISTS, workspace_view


@workspace_view(VIEW_LISTS)
def registration_history_page(request, registration_id: int):
    registration = get_object_or_404(Registration.objects.select_related("event"), pk=registration_id)
    context = {"registration": registration, "changes": registration_history(registration_id=registration_id)}
    return render(request, "workspace/history.html", context)
