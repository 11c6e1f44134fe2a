from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Status(models.TextChoices):
    CONFIRMED = "confirmed", _("Confirmed")
    WAITLISTED = "waitlisted", _("Waiting list")
    CANCELLED = "cancelled", pgettext_lazy("registration status", "Cancelled")


ACTIVE_STATUSES = (Status.CONFIRMED, Status.WAITLISTED)


class Gender(models.TextChoices):
    WOMAN = "woman", _("Woman")
    MAN = "man", _("Man")
    OTHER = "other", pgettext_lazy("gender", "Other")
    UNSTATED = "unstated", _("Prefer not to say")


class OrganisationType(models.TextChoices):
    SOCIAL_ENTERPRISE = "social_enterprise", _("Social enterprise")
    PUBLIC_SECTOR = "public_sector", _("Public sector")
    OTHER = "other", pgettext_lazy("organisation type", "Other")


class Language(models.TextChoices):
    SWEDISH = "sv", "Svenska"
    ENGLISH = "en", "English"


class Source(models.TextChoices):
    ONLINE = "online", _("Online sign-up")
    ORGANISER = "organiser", _("Added by organiser")
