from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from events.models import Event
from registrations.models import Registration


class Announcement(models.Model):
    """What an organiser wrote to a meeting's registrants, stored once; the outbox has a row
    (a Message pointing here) per recipient."""

    class Audience(models.TextChoices):
        CONFIRMED = "confirmed", _("Confirmed")
        WAITLISTED = "waitlisted", _("Waiting list")
        BOTH = "both", _("Confirmed and waiting list")

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="announcements", verbose_name=_("meeting"))
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("text"), max_length=5000, validators=[MaxLengthValidator(5000)])
    audience = models.CharField(_("to"), max_length=16, choices=Audience.choices)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("sent by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("message to registrants")
        verbose_name_plural = _("messages to registrants")

    def __str__(self) -> str:
        return self.subject


class Message(models.Model):
    """One outgoing e-mail (the outbox). Written in the transaction that causes it, sent after.

    `key` is unique, so whatever writes a message twice (a retried request, two beat
    processes, a duplicated tick) still leaves one row, and one row is sent once.
    """

    class Kind(models.TextChoices):
        CONFIRMATION = "confirmation", _("Confirmation")
        WAITLISTED = "waitlisted", _("On the waiting list")
        PROMOTED = "promoted", _("Seat from the waiting list")
        REMINDER = "reminder", _("Reminder")
        EVENT_CHANGED = "event_changed", _("Meeting changed")
        EVENT_CANCELLED = "event_cancelled", _("Meeting cancelled")
        REGISTRATION_CANCELLED = "registration_cancelled", _("Registration cancelled")
        MANAGE_LINK = "manage_link", _("Manage link again")
        THEME_ANNOUNCEMENT = "theme_announcement", _("New meeting on a theme")
        ORGANISER_MESSAGE = "organiser_message", _("Message from the organiser")
        PRIVACY_LINK = "privacy_link", _("Link to the person's data")
        FEEDBACK_REQUEST = "feedback_request", _("Feedback survey")

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting to be sent")
        SENDING = "sending", _("Being sent")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        SKIPPED = "skipped", _("Not needed any more")

    key = models.CharField(max_length=200, editable=False)
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    # Indexed by (registration, kind, offset_minutes) below, not alone.
    registration = models.ForeignKey(
        Registration, on_delete=models.CASCADE, null=True, blank=True, related_name="messages", db_index=False
    )
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="messages", verbose_name=_("meeting"))
    recipient = models.EmailField(_("recipient"), max_length=254)
    language = models.CharField(_("language"), max_length=2, default="sv")
    # For reminders: which one, and for which start (a moved meeting gets new reminders).
    offset_minutes = models.PositiveIntegerField(null=True, blank=True)
    event_starts_at = models.DateTimeField(null=True, blank=True)
    # For organiser messages: what they wrote (stored once, not per recipient).
    announcement = models.ForeignKey(
        Announcement, on_delete=models.CASCADE, null=True, blank=True, related_name="messages"
    )
    # Facts from the moment the message was caused (e.g. whether a cancelled seat was confirmed).
    context = models.JSONField(default=dict, blank=True)

    state = models.CharField(_("state"), max_length=16, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        indexes = [
            models.Index(fields=["state", "next_attempt_at"]),
            models.Index(fields=["registration", "kind", "offset_minutes"]),
        ]
        # A constraint rather than unique=True, which on PostgreSQL adds a LIKE index nothing uses.
        constraints = [models.UniqueConstraint(fields=["key"], name="message_key_unique")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} → {self.recipient}"


class CalendarFeed(models.Model):
    """A person's secret calendar address. The token is derived from the address with the
    site's secret (so every e-mail can carry it) and only its hash is stored, for lookup."""

    email = models.EmailField(unique=True)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")

    def __str__(self) -> str:
        return self.email
