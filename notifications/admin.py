from django.contrib import admin, messages
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import Announcement, Message


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    """Every e-mail the system sends; failed ones stay here with their error for organisers."""

    list_display = ["created_at", "kind", "recipient", "event", "state", "attempts", "sent_at", "last_error"]
    list_filter = ["state", "kind"]
    search_fields = ["recipient", "event__title"]
    list_select_related = ["event"]
    readonly_fields = [f.name for f in Message._meta.fields]
    actions = ["retry"]

    def has_add_permission(self, request):
        return False

    @admin.action(description=_("Send again"))
    def retry(self, request, queryset):
        count = queryset.filter(state=Message.State.FAILED).update(
            state=Message.State.PENDING, next_attempt_at=timezone.now(), attempts=0
        )
        self.message_user(request, _("%(count)d message(s) will be sent again.") % {"count": count}, messages.INFO)


@admin.register(Announcement)
class AnnouncementAdmin(admin.ModelAdmin):
    """Organisers' messages to registrants; written in the workspace or the API, read here."""

    list_display = ["created_at", "subject", "event", "audience", "created_by"]
    list_filter = ["audience"]
    search_fields = ["subject", "event__title"]
    list_select_related = ["event", "created_by"]
    readonly_fields = [f.name for f in Announcement._meta.fields]

    def has_add_permission(self, request):
        return False
