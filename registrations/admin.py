from django.contrib import admin

from .models import Registration, ThemeInterest


@admin.register(Registration)
class RegistrationAdmin(admin.ModelAdmin):
    list_display = ["name", "email", "event", "status", "attended", "municipality", "organisation_type", "created_at"]
    list_filter = ["status", "attended", "source", "organisation_type", "municipality", "event__kind"]
    search_fields = ["name", "email", "organisation", "event__title"]
    list_select_related = ["event"]
    autocomplete_fields = ["event"]
    readonly_fields = ["event", "status", "source", "created_at", "confirmed_at", "cancelled_at"]

    def has_add_permission(self, request):
        # Registrations are made through the sign-up services so capacity and the waiting list hold.
        return False


@admin.register(ThemeInterest)
class ThemeInterestAdmin(admin.ModelAdmin):
    list_display = ["email", "name", "theme", "created_at"]
    list_filter = ["theme"]
    search_fields = ["email", "name"]
