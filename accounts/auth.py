"""API authentication: Bearer tokens from `create_api_token`, or the organiser's session (with CSRF)."""

from django.utils import timezone
from ninja.security import HttpBearer, SessionAuth

from .models import ApiToken, hash_secret


def is_organiser(user) -> bool:
    return bool(user and user.is_active and user.has_perm("events.change_event"))


class OrganiserBearer(HttpBearer):
    def authenticate(self, request, token: str):
        api_token = ApiToken.objects.select_related("user").filter(key_hash=hash_secret(token)).first()
        if api_token is None or not is_organiser(api_token.user):
            return None
        ApiToken.objects.filter(pk=api_token.pk).update(last_used_at=timezone.now())
        request.user = api_token.user
        return api_token.user


class OrganiserSession(SessionAuth):
    def authenticate(self, request, key):
        user = super().authenticate(request, key)
        return user if is_organiser(user) else None


organiser_auth = [OrganiserBearer(), OrganiserSession()]
