from django.contrib import admin
from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from registrations.choices import Status
from registrations.models import Registration

from .choices import EventStatus
from .models import Event, Theme
from .selectors import seats_left, theme_demand
from .services import event_cancel, event_update


class RegistrationInline(admin.TabularInline):
    model = Registration
    fields = ["name", "email", "organisation", "municipality", "status", "attended", "created_at"]
    readonly_fields = ["name", "email", "organisation", "municipality", "status", "created_at"]
    extra = 0
    can_delete = False
    show_change_link = True
    ordering = ["status", "id"]

    def has_add_permission(self, request, obj=None):
        # Seats are given by the sign-up services, which lock the meeting; not by a raw insert.
        return False


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = [
        "title",
        "kind",
        "starts_at",
        "municipality",
        "status",
        "capacity",
        "confirmed",
        "waitlisted",
        "free",
    ]
    list_filter = ["status", "kind", "municipality", "themes"]
    search_fields = ["title", "location"]
    date_hierarchy = "starts_at"
    filter_horizontal = ["themes"]
    inlines = [RegistrationInline]
    readonly_fields = ["coaching_series", "sequence", "created_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["title", "kind", "themes", "audience", "description", "status"]}),
        (_("Time and place"), {"fields": ["starts_at", "ends_at", "municipality", "location", "online_url"]}),
        (
            _("Registration"),
            {"fields": ["capacity", "registration_opens_at", "registration_closes_at", "reminder_minutes_before"]},
        ),
        (_("Feedback"), {"fields": ["feedback_survey", "feedback_delay_minutes"]}),
        (_("Record"), {"fields": ["coaching_series", "sequence", "created_at", "updated_at"]}),
    ]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.save()
            return
        # Changes go through the services so invites are re-sequenced and the waiting list moves.
        changes = {name: form.cleaned_data[name] for name in form.changed_data if name != "themes"}
        cancelling = changes.pop("status", None) == EventStatus.CANCELLED
        if changes:
            event_update(event_id=obj.pk, **changes)
        if cancelling:
            event_cancel(event_id=obj.pk)
        obj.refresh_from_db()

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                confirmed_count=Count("registrations", filter=Q(registrations__status=Status.CONFIRMED)),
                waitlisted_count=Count("registrations", filter=Q(registrations__status=Status.WAITLISTED)),
            )
        )

    @admin.display(description=_("confirmed"), ordering="confirmed_count")
    def confirmed(self, obj):
        return obj.confirmed_count

    @admin.display(description=_("waiting list"), ordering="waitlisted_count")
    def waitlisted(self, obj):
        return obj.waitlisted_count

    @admin.display(description=_("seats left"))
    def free(self, obj):
        left = seats_left(obj)
        return "∞" if left is None else left


@admin.register(Theme)
class ThemeAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "is_active", "interested", "upcoming_events"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name", "slug"]

    def get_queryset(self, request):
        return theme_demand()

    @admin.display(description=_("interested"), ordering="interested")
    def interested(self, obj):
        return obj.interested

    @admin.display(description=_("upcoming meetings"), ordering="upcoming_events")
    def upcoming_events(self, obj):
        return obj.upcoming_events
