from django.contrib import admin

from .models import Feedback


@admin.register(Feedback)
class FeedbackAdmin(admin.ModelAdmin):
    """Answers are the attendees' own words: organisers read them here, and change nothing."""

    list_display = ["event", "rating", "quote_allowed", "answered_at"]
    list_filter = ["rating", "quote_allowed", "event__kind"]
    search_fields = ["event__title", "comment"]
    date_hierarchy = "answered_at"
    list_select_related = ["event"]
    fields = ["event", "rating", "comment", "wants_themes", "wants_themes_text", "quote_allowed", "answered_at"]
    readonly_fields = fields

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
