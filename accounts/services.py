import secrets

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.db.models import Q

from .models import ApiToken, hash_secret

ORGANISER_GROUP = "Arrangör"
# A helper at the door (e.g. a coach): sees the lists and marks attendance, nothing more.
HELPER_GROUP = "Värd"
# What an organiser may do; admin, the API and the workspace all check these permissions.
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
    ("registrations", "mark_attendance"),
    ("reports", "view_progressreport"),
    ("reports", "change_progressreport"),
    ("reports", "view_programme"),
    ("reports", "change_programme"),
    ("reports", "add_participant"),
    ("reports", "change_participant"),
    ("reports", "view_participant"),
    ("reports", "add_outcome"),
    ("reports", "change_outcome"),
    ("reports", "delete_outcome"),
    ("reports", "view_outcome"),
]
HELPER_PERMISSIONS = [
    ("events", "view_event"),
    ("events", "view_theme"),
    ("registrations", "view_registration"),
    ("registrations", "mark_attendance"),
]


def _group_ensure(name: str, permissions: list[tuple[str, str]]) -> Group:
    group, _ = Group.objects.get_or_create(name=name)
    wanted = Q()
    for app_label, codename in permissions:
        wanted |= Q(content_type__app_label=app_label, codename=codename)
    # During migrate, apps' permissions appear one app at a time; the last call sees them all.
    group.permissions.set(Permission.objects.filter(wanted))
    return group


def organiser_group_ensure() -> Group:
    """The organiser group exists with exactly its permissions; safe to call repeatedly."""
    return _group_ensure(ORGANISER_GROUP, ORGANISER_PERMISSIONS)


def helper_group_ensure() -> Group:
    """The helper group exists with exactly its permissions; safe to call repeatedly."""
    return _group_ensure(HELPER_GROUP, HELPER_PERMISSIONS)


def groups_ensure() -> None:
    """Both roles exist with exactly their permissions (run after every migrate)."""
    organiser_group_ensure()
    helper_group_ensure()


@transaction.atomic
def _member_create(*, username: str, email: str, password: str | None, group: Group, staff: bool):
    user, created = get_user_model().objects.get_or_create(username=username, defaults={"email": email})
    if created:
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
    if staff:
        user.is_staff = True
    user.save()
    user.groups.add(group)
    return user


def organiser_create(*, username: str, email: str = "", password: str | None = None):
    """Creates (or finds) a staff user in the organiser group."""
    return _member_create(username=username, email=email, password=password, group=organiser_group_ensure(), staff=True)


def helper_create(*, username: str, email: str = "", password: str | None = None):
    """Creates (or finds) a user in the helper group; not staff, so no Django admin."""
    return _member_create(username=username, email=email, password=password, group=helper_group_ensure(), staff=False)


def api_token_create(*, user) -> str:
    """Returns a new random token (256 bits); only its hash is kept."""
    token = secrets.token_urlsafe(32)
    ApiToken.objects.create(user=user, key_hash=hash_secret(token))
    return token
