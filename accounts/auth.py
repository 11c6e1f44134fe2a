"""API authentication: Bearer tokens from `create_api_token`, or a workspace user's session (with CSRF).

Two roles use the organiser API: organisers (everything) and helpers at the door (reading
meetings and lists, marking attendance). Both are authenticated; an endpoint then names the
permission it needs, and a known user without it gets 403 rather than 401, so a helper's
client can tell "not allowed" from "not logged in".
"""

from django.utils import timezone
from django.utils.translation import gettext as _
from ninja.errors import HttpError
from ninja.security import HttpBearer, SessionAuth

from .models import ApiToken, hash_secret

ORGANISER_PERMISSION = "events.change_event"
ATTENDANCE_PERMISSION = "registrations.mark_attendance"
VIEW_EVENTS_PERMISSION = "events.view_event"


def is_organiser(user) -> bool:
    return bool(user and user.is_active and user.has_perm(ORGANISER_PERMISSION))


def is_workspace_user(user) -> bool:
    """An organiser or a helper: someone the organiser API and workspace know at all."""
    return bool(
        user and user.is_active and (user.has_perm(ORGANISER_PERMISSION) or user.has_perm(ATTENDANCE_PERMISSION))
    )


def require_permission(user, permission: str) -> None:
    """403 unless the (authenticated) user holds `permission`."""
    if not user.has_perm(permission):
        raise HttpError(403, _("You do not have permission to do this."))


class WorkspaceBearer(HttpBearer):
    def __init__(self, permission: str):
        super().__init__()
        self.permission = permission

    def authenticate(self, request, token: str):
        api_token = ApiToken.objects.select_related("user").filter(key_hash=hash_secret(token)).first()
        if api_token is None or not is_workspace_user(api_token.user):
            return None
        ApiToken.objects.filter(pk=api_token.pk).update(last_used_at=timezone.now())
        request.user = api_token.user
        require_permission(api_token.user, self.permission)
        return api_token.user


class WorkspaceSession(SessionAuth):
    def __init__(self, permission: str):
        super().__init__()
        self.permission = permission

    def authenticate(self, request, key):
        user = super().authenticate(request, key)
        if not is_workspace_user(user):
            return None
        require_permission(user, self.permission)
        return user


def workspace_auth(permission: str) -> list:
    """Ninja `auth` for endpoints that need `permission`: a Bearer token or the session."""
    return [WorkspaceBearer(permission), WorkspaceSession(permission)]


# Organiser-only endpoints; a helper is known here but refused with 403.
organiser_auth = workspace_auth(ORGANISER_PERMISSION)
# Endpoints for the door: lists and attendance marks, for organisers and helpers alike.
attendance_auth = workspace_auth(ATTENDANCE_PERMISSION)
# Reading meetings: organisers, and helpers finding the day's meetings at the door.
event_view_auth = workspace_auth(VIEW_EVENTS_PERMISSION)
