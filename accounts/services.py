import secrets

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.db.models import Q

from .models import ApiToken, hash_secret

ORGANISER_GROUP = "Arrangör"
# What an organiser may do; admin and the API both check these permissions.
ORGANISER_PERMISSIONS = [
    ("events", "add_event"),
    ("events", "change_event"),
    ("events", "view_event"),
    ("events", "add_theme"),
    ("events", "change_theme"),
    ("events", "view_theme"),
    ("registrations", "add_registration"),
    ("registrations", "change_registration"),
    ("registrations", "view_registration"),
    ("registrations", "view_themeinterest"),
]


def organiser_group_ensure() -> Group:
    """The organiser group exists with exactly its permissions; safe to call repeatedly."""
    group, _ = Group.objects.get_or_create(name=ORGANISER_GROUP)
    wanted = Q()
    for app_label, codename in ORGANISER_PERMISSIONS:
        wanted |= Q(content_type__app_label=app_label, codename=codename)
    # During migrate, apps' permissions appear one app at a time; the last call sees them all.
    group.permissions.set(Permission.objects.filter(wanted))
    return group


@transaction.atomic
def organiser_create(*, username: str, email: str = "", password: str | None = None):
    """Creates (or finds) a staff user in the organiser group."""
    user, created = get_user_model().objects.get_or_create(username=username, defaults={"email": email})
    if created:
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
    user.is_staff = True
    user.save()
    user.groups.add(organiser_group_ensure())
    return user


def api_token_create(*, user) -> str:
    """Returns a new random token (256 bits); only its hash is kept."""
    token = secrets.token_urlsafe(32)
    ApiToken.objects.create(user=user, key_hash=hash_secret(token))
    return token
