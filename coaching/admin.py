from django.contrib import admin

from .models import CoachingKind, CoachingSeries


@admin.register(CoachingKind)
class CoachingKindAdmin(admin.ModelAdmin):
    list_display = ["name", "name_en", "code"]
    search_fields = ["name", "name_en", "code"]


@admin.register(CoachingSeries)
class CoachingSeriesAdmin(admin.ModelAdmin):
    """Read here; series are created and changed in the workspace or the API, which also
    make and change their slots."""

    list_display = ["coach_name", "kind", "municipality", "starts_on", "ends_on"]
    list_filter = ["kind", "municipality"]
    search_fields = ["coach_name"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
