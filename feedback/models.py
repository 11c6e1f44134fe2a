from datetime import datetime, timedelta

from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from events.models import Event, Theme
from registrations.models import Registration

# The survey takes answers until this long after the meeting's end.
OPEN_FOR = timedelta(days=14)
COMMENT_MAX = 2000
WANTS_TEXT_MAX = 300


class Feedback(models.Model):
    """One attendee's survey for one meeting: written when the survey e-mail is queued (so a
    person is asked once), answered (`rating` set) or not.

    When the person's data is deleted the row is unlinked and its free text emptied; the
    score stays, so averages in reports do not change."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="feedback", verbose_name=_("meeting"))
    registration = models.OneToOneField(
        Registration, on_delete=models.SET_NULL, null=True, blank=True, related_name="feedback"
    )
    rating = models.PositiveSmallIntegerField(
        _("how useful"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    comment = models.TextField(_("what they take with them"), blank=True, validators=[MaxLengthValidator(COMMENT_MAX)])
    wants_themes = models.ManyToManyField(
        Theme, blank=True, related_name="wanted_in_feedback", verbose_name=_("themes wanted")
    )
    wants_themes_text = models.CharField(_("other themes wanted"), max_length=WANTS_TEXT_MAX, blank=True)
    quote_allowed = models.BooleanField(_("may be quoted without name"), default=False)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    created_at = models.DateTimeField(_("asked"), auto_now_add=True)

    class Meta:
        ordering = ["event", "id"]
        verbose_name = _("feedback")
        verbose_name_plural = _("feedback")
        constraints = [
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5), name="feedback_rating_1_to_5"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event} – {self.rating or '–'}"

    def closes_at(self) -> datetime:
        return self.event.ends_at + OPEN_FOR


class FeedbackLink(models.Model):
    """A survey token, issued for the link in an e-mail; only its hash is stored. Every link
    of a survey stays valid until the survey closes (a resent e-mail carries a new one)."""

    feedback = models.ForeignKey(Feedback, on_delete=models.CASCADE, related_name="links")
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("survey link")
        verbose_name_plural = _("survey links")

    def __str__(self) -> str:
        return f"{self.feedback} ({self.created_at:%Y-%m-%d})"
