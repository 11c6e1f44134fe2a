"""The survey form of the public page. Its rules are those of the API (feedback.schemas)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from events.models import Theme
from registrations.validators import clean_single_line

from .models import COMMENT_MAX, WANTS_TEXT_MAX


class SurveyForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=_("How useful was the meeting to you?"),
        choices=[(value, str(value)) for value in range(1, 6)],
        coerce=int,
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("What do you take with you from the meeting?"),
        required=False,
        max_length=COMMENT_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    themes = forms.ModelMultipleChoiceField(
        label=_("Which themes would you like next?"),
        queryset=Theme.objects.filter(is_active=True),
        to_field_name="slug",
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    wants_themes_text = forms.CharField(label=_("Something else"), required=False, max_length=WANTS_TEXT_MAX)
    quote_allowed = forms.BooleanField(
        label=_("My comment may be quoted without my name in the programme's report."), required=False
    )

    def clean_wants_themes_text(self) -> str:
        return clean_single_line(self.cleaned_data["wants_themes_text"])
