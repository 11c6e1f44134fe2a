from django.contrib import admin

from .forms import AdminLoginForm
from .models import ApiToken


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["user", "created_at", "last_used_at"]
    readonly_fields = ["user", "created_at", "last_used_at"]

    def has_add_permission(self, request):
        # Tokens are shown once, so they are made with `manage.py create_api_token`.
        return False


# The admin's login asks for the two-factor code too (users without it leave the field empty).
admin.site.login_form = AdminLoginForm
admin.site.login_template = "accounts/admin_login.html"
