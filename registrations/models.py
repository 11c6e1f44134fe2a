from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from events.choices import Municipality
from events.models import Event, Theme

from .choices import Gender, Language, OrganisationType, Source, Status


class Registration(models.Model):
    """One person's place (or place in line) at one meeting, with the details they gave."""

    # Indexed by (event, status, id) below, not alone: see Meta.indexes.
    event = models.ForeignKey(
        Event, on_delete=models.PROTECT, related_name="registrations", verbose_name=_("meeting"), db_index=False
    )
    status = models.CharField(_("status"), max_length=16, choices=Status.choices)
    name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("e-mail"), max_length=254, blank=True)
    organisation = models.CharField(_("organisation"), max_length=200, blank=True)
    organisation_type = models.CharField(
        _("organisation type"), max_length=32, choices=OrganisationType.choices, default=OrganisationType.OTHER
    )
    municipality = models.CharField(_("municipality"), max_length=32, choices=Municipality.choices)
    gender = models.CharField(_("gender"), max_length=16, choices=Gender.choices, default=Gender.UNSTATED)
    language = models.CharField(_("language"), max_length=2, choices=Language.choices, default=Language.SWEDISH)
    source = models.CharField(_("source"), max_length=16, choices=Source.choices, default=Source.ONLINE)
    # SHA-256 of the manage token; the token itself is only ever shown to its owner.
    token_hash = models.CharField(max_length=64, editable=False)
    attended = models.BooleanField(_("attended"), null=True, blank=True)
    created_at = models.DateTimeField(_("registered"), auto_now_add=True)
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    # Set when the person's name, address and organisation were removed (on request or after
    # the retention period); what the reports count (status, attendance, gender, ...) is kept.
    anonymised_at = models.DateTimeField(_("personal details deleted"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ["event", "id"]
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        # A helper at the door (group "Värd") may mark attendance without changing anything else.
        permissions = [("mark_attendance", _("Can mark attendance"))]
        # Every lookup by meeting uses this index. An index on the meeting alone would only cost
        # each sign-up's INSERT, and on a table without statistics PostgreSQL chose it for the
        # seat count and the address lookup and read all of the meeting's rows for them.
        indexes = [models.Index(fields=["event", "status", "id"])]
        constraints = [
            # A constraint rather than unique=True, which on PostgreSQL adds a second index for
            # LIKE that nothing uses and every INSERT maintains.
            models.UniqueConstraint(fields=["token_hash"], name="registration_token_hash_unique"),
            # The last line of defence for "one active registration per person and meeting".
            models.UniqueConstraint(
                Lower("email"),
                "event",
                condition=~Q(status=Status.CANCELLED) & ~Q(email=""),
                name="one_active_registration_per_email",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name or _('(details deleted)')} – {self.event.title}"

    @property
    def is_active(self) -> bool:
        return self.status != Status.CANCELLED

    @property
    def display_name(self) -> str:
        """The name, or what stands in its place once the person's details are deleted."""
        if self.anonymised_at:
            return str(_("(details deleted)"))
        return self.name


class ThemeInterest(models.Model):
    """Someone wants meetings on a theme, whether or not one is planned yet."""

    theme = models.ForeignKey(Theme, on_delete=models.CASCADE, related_name="interests", verbose_name=_("theme"))
    email = models.EmailField(_("e-mail"), max_length=254)
    name = models.CharField(_("name"), max_length=200, blank=True)
    language = models.CharField(_("language"), max_length=2, choices=Language.choices, default=Language.SWEDISH)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("theme interest")
        verbose_name_plural = _("theme interests")
        constraints = [
            models.UniqueConstraint(Lower("email"), "theme", name="one_interest_per_email_and_theme"),
        ]

    def __str__(self) -> str:
        return f"{self.email} – {self.theme}"


class ManageLink(models.Model):
    """A further manage token for a registration, issued for a link in an e-mail.

    Tokens are stored only as hashes, so a later e-mail cannot repeat the sign-up's link;
    it carries a new one, and every link of a registration stays valid until it is cancelled.
    """

    registration = models.ForeignKey(Registration, on_delete=models.CASCADE, related_name="manage_links")
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("manage link")
        verbose_name_plural = _("manage links")

    def __str__(self) -> str:
        return f"{self.registration} ({self.created_at:%Y-%m-%d})"


class RegistrationChange(models.Model):
    """One line of a registration's history: what happened, when, and who did it.

    Written by the services in registrations/services/ in the same transaction as the
    change itself, so the history never claims something that was rolled back.
    """

    class Action(models.TextChoices):
        SIGNED_UP = "signed_up", _("Signed up")
        WAITLISTED = "waitlisted", _("Joined the waiting list")
        PROMOTED = "promoted", _("Got a seat from the waiting list")
        CANCELLED = "cancelled", _("Cancelled the registration")
        ATTENDED = "attended", _("Marked as attended")
        NO_SHOW = "no_show", _("Marked as no-show")
        ATTENDANCE_UNDONE = "attendance_undone", _("Attendance mark undone")
        ADDED_BY_ORGANISER = "added_by_organiser", _("Added by an organiser")
        ANONYMISED = "anonymised", _("Personal details deleted")

    # With no acting user these were done by the person (sign-up form, manage link);
    # every other action without one was done by the system (promotions, scheduled marks).
    SELF_SERVICE_ACTIONS = frozenset({Action.SIGNED_UP, Action.WAITLISTED, Action.CANCELLED})

    # Indexed by (registration, at) below, not alone.
    registration = models.ForeignKey(
        Registration, on_delete=models.CASCADE, related_name="changes", verbose_name=_("registration"), db_index=False
    )
    action = models.CharField(_("action"), max_length=24, choices=Action.choices)
    # PROTECT: an account that changed registrations is deactivated, not deleted, so the
    # history never turns an organiser's action into one "by the person themself".
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    at = models.DateTimeField(_("when"), default=timezone.now)
    detail = models.JSONField(_("detail"), default=dict, blank=True)

    class Meta:
        ordering = ["registration", "at", "id"]
        verbose_name = _("registration change")
        verbose_name_plural = _("registration changes")
        indexes = [models.Index(fields=["registration", "at"])]

    def __str__(self) -> str:
        return f"{self.registration_id} {self.action} {self.at:%Y-%m-%d %H:%M}"

    @property
    def by_kind(self) -> str:
        """ "organiser" (an account), "person" (the registrant themself) or "system"."""
        if self.by_id is not None:
            return "organiser"
        if self.action in self.SELF_SERVICE_ACTIONS:
            return "person"
        # Deleting one's own details is the person's act; the retention task's is the system's.
        if self.action == self.Action.ANONYMISED and self.detail.get("reason") == "request":
            return "person"
        return "system"

    @property
    def by_label(self) -> str:
        """Who did it, as the history shows it."""
        if self.by_id is None:
            return str(_("the person themself") if self.by_kind == "person" else _("the system"))
        return self.by.get_full_name() or self.by.get_username()


class PrivacyNotice(models.Model):
    """The privacy notice of the sign-up form in the organisers' words; there is one row
    (`load()`). An empty text means the built-in notice, which names the retention period."""

    text_sv = models.TextField(_("text in Swedish"), max_length=5000, blank=True)
    text_en = models.TextField(_("text in English"), max_length=5000, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("updated by"),
    )

    class Meta:
        verbose_name = _("privacy notice")
        verbose_name_plural = _("privacy notice")

    def __str__(self) -> str:
        return str(_("Privacy notice"))

    @classmethod
    def load(cls) -> "PrivacyNotice":
        """The notice, or an unsaved empty one before an organiser has written it."""
        return cls.objects.filter(pk=1).first() or cls(pk=1)

    def text_for(self, language: str) -> str:
        """The text in `language`, else the other one (the organiser's words rather than the
        built-in notice they replaced), else "" for the built-in notice."""
        own, other = (self.text_en, self.text_sv) if language.startswith("en") else (self.text_sv, self.text_en)
        return own.strip() or other.strip()
