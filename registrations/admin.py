from django.contrib import admin

from .models import PrivacyNotice, Registration, ThemeInterest

EDIT_PERMISSION = "events.change_event"


@admin.register(Registration)
class RegistrationAdmin(admin.ModelAdmin):
    list_display = ["name", "email", "event", "status", "attended", "municipality", "organisation_type", "created_at"]
    list_filter = ["status", "attended", "source", "organisation_type", "municipality", "event__kind"]
    search_fields = ["name", "email", "organisation", "event__title"]
    list_select_related = ["event"]
    autocomplete_fields = ["event"]
    readonly_fields = ["event", "status", "source", "created_at", "confirmed_at", "cancelled_at", "anonymised_at"]

    def has_add_permission(self, request):
        # Registrations are made through the sign-up services so capacity and the waiting list hold.
        return False


@admin.register(ThemeInterest)
class ThemeInterestAdmin(admin.ModelAdmin):
    list_display = ["email", "name", "theme", "created_at"]
    list_filter = ["theme"]
    search_fields = ["email", "name"]


@admin.register(PrivacyNotice)
class PrivacyNoticeAdmin(admin.ModelAdmin):
    """The sign-up form's privacy notice (also edited in the workspace); there is one."""

    list_display = ["__str__", "updated_at", "updated_by"]
    readonly_fields = ["updated_at", "updated_by"]

    # The workspace's rule: whoever may change meetings may change what the sign-up form says.
    def _may_edit(self, request) -> bool:
        return request.user.has_perm(EDIT_PERMISSION)

    def has_view_permission(self, request, obj=None):
        return self._may_edit(request)

    def has_change_permission(self, request, obj=None):
        return self._may_edit(request)

    def has_add_permission(self, request):
        return self._may_edit(request) and not PrivacyNotice.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        obj.pk = 1
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)
