"""Codes shared by the API, the pages and the reports. Values are the contract's codes."""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    THEME_MEETING = "theme_meeting", _("Theme meeting")
    DIGITAL_MEETING_PLACE = "digital_meeting_place", _("Digital meeting place")
    NETWORK_MEETING = "network_meeting", _("Network meeting")
    SUPERVISOR_TRAINING = "supervisor_training", _("Supervisor training")
    COACHING = "coaching", _("Coaching")
    OTHER = "other", _("Other")


class EventStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    CANCELLED = "cancelled", _("Cancelled")


class Audience(models.TextChoices):
    ALL = "all", _("Everyone")
    SOCIAL_ENTERPRISES = "social_enterprises", _("Social enterprises")
    PUBLIC_SECTOR = "public_sector", _("Public sector")


class Municipality(models.TextChoices):
    # The value is the Swedish name, which the API accepts case-insensitively.
    ESKILSTUNA = "Eskilstuna", "Eskilstuna"
    FLEN = "Flen", "Flen"
    GNESTA = "Gnesta", "Gnesta"
    KATRINEHOLM = "Katrineholm", "Katrineholm"
    NYKOPING = "Nyköping", "Nyköping"
    OXELOSUND = "Oxelösund", "Oxelösund"
    STRANGNAS = "Strängnäs", "Strängnäs"
    TROSA = "Trosa", "Trosa"
    VINGAKER = "Vingåker", "Vingåker"
    # Swedish words for "other" agree with their noun: "annan kommun", "annat kön".
    OTHER = "Annan", pgettext_lazy("municipality", "Other")

    @classmethod
    def canonical(cls, value: str) -> str | None:
        """The stored name for `value` in any case, or None when it is no municipality of ours."""
        wanted = value.strip().casefold()
        return next((m.value for m in cls if m.value.casefold() == wanted), None)

    @classmethod
    def clean(cls, value: str) -> str:
        """The stored name for `value`, or a ValidationError listing the choices."""
        canonical = cls.canonical(value)
        if canonical is None:
            raise ValidationError(
                gettext("Unknown municipality “%(value)s”; choose one of %(choices)s.")
                % {"value": value[:50], "choices": ", ".join(cls.values)}
            )
        return canonical
