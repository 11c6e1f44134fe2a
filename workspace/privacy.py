"""The privacy notice of the sign-up form, in the organisers' words (one page, one form)."""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from registrations.models import PrivacyNotice
from registrations.personal_data.selectors import retention_period
from registrations.personal_data.services import privacy_notice_update

from .views import workspace_view

CHANGE_EVENTS = "events.change_event"


class PrivacyNoticeForm(forms.ModelForm):
    class Meta:
        model = PrivacyNotice
        fields = ["text_sv", "text_en"]
        widgets = {
            "text_sv": forms.Textarea(attrs={"rows": 12, "lang": "sv"}),
            "text_en": forms.Textarea(attrs={"rows": 12, "lang": "en"}),
        }
        help_texts = {
            "text_sv": gettext_lazy("Plain text: an empty line starts a new paragraph. Empty: the built-in notice."),
            "text_en": gettext_lazy("For the English pages. Empty: the Swedish text, or the built-in notice."),
        }


@workspace_view(CHANGE_EVENTS)
def privacy_notice_edit(request):
    notice = PrivacyNotice.load()
    form = PrivacyNoticeForm(request.POST or None, instance=notice)
    if request.method == "POST" and form.is_valid():
        privacy_notice_update(**form.cleaned_data, by=request.user)
        messages.success(request, _("The privacy notice was saved."))
        return redirect("workspace:privacy")
    context = {
        "form": form,
        "notice": notice,
        "retention": retention_period(),
        "retention_days": settings.PERSONAL_DATA_RETENTION_DAYS,
        "nav": "privacy",
    }
    return render(request, "workspace/privacy.html", context, status=400 if form.errors else 200)
