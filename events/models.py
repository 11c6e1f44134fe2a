from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from .choices import Audience, EventStatus, Kind, Municipality

# Surveys go out within a week of the meeting's end (see feedback.services), so no later.
MAX_FEEDBACK_DELAY_MINUTES = 7 * 24 * 60


def default_reminders() -> list[int]:
    return [7 * 24 * 60, 24 * 60]


class Theme(models.Model):
    slug = models.SlugField(_("code"), max_length=60, unique=True, allow_unicode=False)
    name = models.CharField(_("name (Swedish)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100, blank=True)
    description = models.TextField(_("description"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("theme")
        verbose_name_plural = _("themes")

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        if get_language() == "en" and self.name_en:
            return self.name_en
        return self.name


class Event(models.Model):
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True, help_text=_("Simple HTML is allowed."))
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices, default=Kind.THEME_MEETING)
    themes = models.ManyToManyField(Theme, related_name="events", blank=True, verbose_name=_("themes"))
    audience = models.CharField(_("audience"), max_length=32, choices=Audience.choices, default=Audience.ALL)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    capacity = models.PositiveIntegerField(_("capacity"), null=True, blank=True, help_text=_("Empty means unlimited."))
    location = models.CharField(_("place"), max_length=300, blank=True)
    online_url = models.URLField(
        _("online meeting link"), max_length=500, blank=True, help_text=_("Sent only to confirmed registrants.")
    )
    municipality = models.CharField(_("municipality"), max_length=32, choices=Municipality.choices, blank=True)
    registration_opens_at = models.DateTimeField(_("registration opens"), null=True, blank=True)
    registration_closes_at = models.DateTimeField(
        _("registration closes"), null=True, blank=True, help_text=_("Empty means when the meeting starts.")
    )
    reminder_minutes_before = models.JSONField(_("reminders (minutes before)"), default=default_reminders, blank=True)
    # A coaching slot: one seat, no waiting list, booked from the series' day view.
    coaching_series = models.ForeignKey(
        "coaching.CoachingSeries",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="slots",
        verbose_name=_("coaching series"),
    )
    # The short survey to those who attended; off e.g. for coaching.
    feedback_survey = models.BooleanField(_("feedback survey"), default=True)
    feedback_delay_minutes = models.PositiveIntegerField(
        _("survey sent (minutes after the end)"),
        default=120,
        validators=[MaxValueValidator(MAX_FEEDBACK_DELAY_MINUTES)],
    )
    status = models.CharField(_("status"), max_length=16, choices=EventStatus.choices, default=EventStatus.PUBLISHED)
    # Raised on every change of time, place or link, so calendar invites can be updated (RFC 5545 SEQUENCE).
    sequence = models.PositiveIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["starts_at", "id"]
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        indexes = [models.Index(fields=["status", "starts_at"])]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="event_ends_after_start"),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({timezone.localtime(self.starts_at):%Y-%m-%d %H:%M})"

    def clean(self) -> None:
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            # A rule between two fields: the API answers it 409, as JSON Schema cannot state it.
            message = _("The meeting must end after it starts.")
            raise ValidationError({"ends_at": ValidationError(message, code="ends_before_start")})

    @property
    def online(self) -> bool:
        return bool(self.online_url)

    @property
    def closes_at(self):
        return self.registration_closes_at or self.starts_at

    def registration_closed_reason(self, now=None) -> str | None:
        """Why this meeting takes no sign-ups now, in the user's language, or None when it does."""
        now = now or timezone.now()
        if self.status == EventStatus.CANCELLED:
            return _("the meeting is cancelled")
        if self.status != EventStatus.PUBLISHED:
            return _("the meeting is not published")
        if self.starts_at <= now:
            return _("the meeting has already taken place")
        if self.registration_opens_at and now < self.registration_opens_at:
            return _("registration has not opened yet")
        if now >= self.closes_at:
            return _("registration has closed")
        return None

    @property
    def registration_open(self) -> bool:
        return self.registration_closed_reason() is None
