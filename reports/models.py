from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from events.choices import Municipality
from registrations.choices import Gender


class Programme(models.Model):
    """The programme (insats) the progress reports are about. There is one; `load()` gets it."""

    name = models.CharField(_("programme name"), max_length=200, default="")
    funder = models.CharField(_("funder"), max_length=200, default="Samordningsförbundet RAR")
    # How the form calls the funder in running text ("För RAR:s budgetplanering ...").
    funder_short = models.CharField(_("funder, short name"), max_length=60, default="RAR")
    started_on = models.DateField(_("programme start"), null=True, blank=True)
    planned_participants_women = models.PositiveIntegerField(_("planned participants, women"), default=0)
    planned_participants_men = models.PositiveIntegerField(_("planned participants, men"), default=0)
    planned_activities = models.TextField(_("planned activities"), blank=True)

    class Meta:
        verbose_name = _("programme")
        verbose_name_plural = _("programme")

    def __str__(self) -> str:
        return self.name or str(_("The programme"))

    @classmethod
    def load(cls) -> "Programme":
        """The programme, or its unsaved defaults before an organiser has set it."""
        return cls.objects.filter(pk=1).first() or cls(pk=1)


class Participant(models.Model):
    """A participant in the funder's sense (deltagare): someone far from the labour market who
    takes part in the programme, e.g. matched to a social enterprise for work training."""

    name = models.CharField(_("name"), max_length=200)
    gender = models.CharField(_("gender"), max_length=16, choices=Gender.choices, default=Gender.UNSTATED)
    municipality = models.CharField(_("municipality"), max_length=32, choices=Municipality.choices, blank=True)
    started_on = models.DateField(_("started"))
    ended_on = models.DateField(_("ended"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-started_on", "name", "id"]
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=F("started_on")),
                name="participant_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Outcome(models.Model):
    """A change in a participant's livelihood or occupation (section 8 of the form)."""

    class Kind(models.TextChoices):
        WORK = "work", _("Work")
        STUDIES = "studies", _("Studies")
        WORK_TRAINING = "work_training", _("Work training")
        OTHER = "other", _("Other positive result")

    participant = models.ForeignKey(
        Participant, on_delete=models.CASCADE, related_name="outcomes", verbose_name=_("participant")
    )
    kind = models.CharField(_("outcome"), max_length=16, choices=Kind.choices)
    occurred_on = models.DateField(_("date"))
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        ordering = ["occurred_on", "id"]
        verbose_name = _("outcome")
        verbose_name_plural = _("outcomes")

    def __str__(self) -> str:
        return f"{self.participant}: {self.get_kind_display()} ({self.occurred_on})"


class ProgressReport(models.Model):
    """One period's report: the organiser's own words for the judgement sections, kept with it.

    While a draft, its figures are computed from the records each time. Finalising stores
    everything the documents show in `snapshot`, so a finalised report no longer changes when
    records change or personal data is deleted.
    """

    period_start = models.DateField(_("from"))
    period_end = models.DateField(_("to"))
    # Sections 2, 7 and 8 start as drafts written from the data; empty means "use the draft".
    activities = models.TextField(_("activities of the period"), blank=True)
    deviations = models.TextField(_("deviations from the application"), blank=True)
    budget_on_track = models.BooleanField(_("finances in line with the budget"), null=True, blank=True)
    budget_comment = models.TextField(_("if not, why"), blank=True)
    below_plan_reason = models.TextField(_("why fewer participants than planned"), blank=True)
    coming_activities = models.TextField(_("coming activities"), blank=True)
    livelihood_changes = models.TextField(_("changes in livelihood and occupation"), blank=True)
    implementation = models.TextField(_("implementation against the plan"), blank=True)
    signed_by = models.CharField(_("signed by (chair of the steering group)"), max_length=200, blank=True)
    signed_on = models.DateField(_("date of signature"), null=True, blank=True)
    # Counts under 5 in the by-gender and by-municipality breakdowns show as "<5".
    suppress_small_numbers = models.BooleanField(_("show counts under 5 as <5"), default=False)
    snapshot = models.JSONField(null=True, blank=True, editable=False)
    finalised_at = models.DateTimeField(_("finalised"), null=True, blank=True, editable=False)
    finalised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("finalised by"),
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-period_start", "-period_end"]
        verbose_name = _("progress report")
        verbose_name_plural = _("progress reports")
        constraints = [
            models.UniqueConstraint(fields=["period_start", "period_end"], name="one_report_per_period"),
            models.CheckConstraint(condition=Q(period_end__gte=F("period_start")), name="report_ends_after_start"),
        ]

    def __str__(self) -> str:
        return f"{self.period_start:%Y-%m-%d}–{self.period_end:%Y-%m-%d}"

    @property
    def is_final(self) -> bool:
        return self.finalised_at is not None
