from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from events.choices import Municipality

WEEKDAYS = range(1, 8)  # ISO: 1 is Monday
MAX_SERIES_DAYS = 366


class CoachingKind(models.Model):
    """A kind of coaching (business, life, ...); organisers may add more."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name (Swedish)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("kind of coaching")
        verbose_name_plural = _("kinds of coaching")

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.name_en if get_language() == "en" and self.name_en else self.name


def _weekdays(value) -> None:
    if not isinstance(value, list) or not value or any(day not in WEEKDAYS for day in value):
        raise ValidationError(_("Weekdays are numbers 1 (Monday) to 7 (Sunday)."))


class CoachingSeries(models.Model):
    """Times with one coach, published as slots: each slot is a meeting of kind coaching with
    one seat (events.Event.coaching_series), booked like any meeting but with no waiting list."""

    coach_name = models.CharField(_("coach"), max_length=200)
    coach_presentation = models.TextField(_("presentation"), blank=True, max_length=2000)
    # The coach's own login, if any (a helper sees their own day in the workspace).
    coach_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="coaching_series",
        verbose_name=_("coach's login"),
    )
    kind = models.ForeignKey(CoachingKind, on_delete=models.PROTECT, related_name="series", verbose_name=_("kind"))
    municipality = models.CharField(_("municipality"), max_length=32, choices=Municipality.choices, blank=True)
    location = models.CharField(_("place"), max_length=300, blank=True)
    online_url = models.URLField(_("online meeting link"), max_length=500, blank=True)
    starts_on = models.DateField(_("first day"))
    ends_on = models.DateField(_("last day"))
    weekdays = models.JSONField(_("weekdays"), default=list, validators=[_weekdays])
    day_start = models.TimeField(_("from (local time)"))
    day_end = models.TimeField(_("until (local time)"))
    slot_minutes = models.PositiveIntegerField(
        _("length of a time (minutes)"), validators=[MinValueValidator(10), MaxValueValidator(480)]
    )
    gap_minutes = models.PositiveIntegerField(
        _("gap between times (minutes)"), default=0, validators=[MaxValueValidator(240)]
    )
    notice_hours = models.PositiveIntegerField(
        _("booking closes (hours before)"), default=24, validators=[MaxValueValidator(24 * 60)]
    )
    horizon_days = models.PositiveIntegerField(
        _("bookable (days ahead)"), default=42, validators=[MinValueValidator(1), MaxValueValidator(366)]
    )
    per_person_limit = models.PositiveIntegerField(
        _("upcoming bookings per person"), default=1, validators=[MinValueValidator(1), MaxValueValidator(50)]
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["coach_name", "id"]
        verbose_name = _("coaching series")
        verbose_name_plural = _("coaching series")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="coaching_last_day_after_first"
            ),
            models.CheckConstraint(
                condition=Q(day_end__gt=models.F("day_start")), name="coaching_day_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.coach_name} – {self.kind}"

    def clean(self) -> None:
        errors = {}
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            errors["ends_on"] = ValidationError(
                _("The last day must not be before the first."), code="ends_before_start"
            )
        if self.starts_on and self.ends_on and (self.ends_on - self.starts_on).days > MAX_SERIES_DAYS:
            message = _("A series spans at most a year; make a new one for the next.")
            errors["ends_on"] = ValidationError(message, code="series_too_long")
        if self.day_start and self.day_end and self.day_end <= self.day_start:
            errors["day_end"] = ValidationError(_("The day must end after it starts."), code="ends_before_start")
        if errors:
            raise ValidationError(errors)

    @property
    def online(self) -> bool:
        return bool(self.online_url)
