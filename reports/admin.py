from django.contrib import admin

from .models import Outcome, Participant, Programme, ProgressReport


@admin.register(Programme)
class ProgrammeAdmin(admin.ModelAdmin):
    list_display = ["name", "started_on", "planned_participants_women", "planned_participants_men"]

    def has_add_permission(self, request):
        # There is one programme; the workspace creates it on first save.
        return not Programme.objects.exists() and super().has_add_permission(request)


class OutcomeInline(admin.TabularInline):
    model = Outcome
    extra = 0


@admin.register(Participant)
class ParticipantAdmin(admin.ModelAdmin):
    list_display = ["name", "gender", "municipality", "started_on", "ended_on"]
    list_filter = ["gender", "municipality"]
    search_fields = ["name"]
    inlines = [OutcomeInline]


@admin.register(ProgressReport)
class ProgressReportAdmin(admin.ModelAdmin):
    list_display = ["__str__", "finalised_at", "finalised_by", "updated_at"]
    readonly_fields = ["finalised_at", "finalised_by"]

    def has_change_permission(self, request, obj=None):
        # A finalised report is frozen, here as everywhere.
        if obj is not None and obj.is_final:
            return False
        return super().has_change_permission(request, obj)
