from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from events.choices import Municipality
from events.models import Event, Theme

from .choices import Gender, Language, OrganisationType, Source, Status


class Registration(models.Model):
    """One person's place (or place in line) at one meeting, with the details they gave."""

    event = models.ForeignKey(Event, on_delete=models.PROTECT, related_name="registrations", verbose_name=_("meeting"))
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
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    attended = models.BooleanField(_("attended"), null=True, blank=True)
    created_at = models.DateTimeField(_("registered"), auto_now_add=True)
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)

    class Meta:
        ordering = ["event", "id"]
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        # A helper at the door (group "Värd") may mark attendance without changing anything else.
        permissions = [("mark_attendance", _("Can mark attendance"))]
        indexes = [models.Index(fields=["event", "status", "id"])]
        constraints = [
            # The last line of defence for "one active registration per person and meeting".
            models.UniqueConstraint(
                Lower("email"),
                "event",
                condition=~Q(status=Status.CANCELLED) & ~Q(email=""),
                name="one_active_registration_per_email",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} – {self.event.title}"

    @property
    def is_active(self) -> bool:
        return self.status != Status.CANCELLED


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
