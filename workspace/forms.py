"""The walk-in form at the door. Its rules are the sign-up's (registrations.validators)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from events.choices import Municipality
from registrations.choices import Gender
from registrations.validators import clean_email, clean_single_line


class WalkInForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    email = forms.CharField(
        label=_("E-mail"), max_length=254, required=False, widget=forms.EmailInput(attrs={"autocomplete": "off"})
    )
    organisation = forms.CharField(label=_("Organisation"), max_length=200, required=False)
    municipality = forms.ChoiceField(label=_("Municipality"), choices=Municipality.choices)
    gender = forms.ChoiceField(
        label=_("Gender"), required=False, choices=Gender.choices, initial=Gender.UNSTATED, widget=forms.RadioSelect
    )

    def clean_name(self) -> str:
        return clean_single_line(self.cleaned_data["name"])

    def clean_organisation(self) -> str:
        return clean_single_line(self.cleaned_data["organisation"])

    def clean_email(self) -> str:
        # A walk-in may leave no address.
        value = self.cleaned_data["email"].strip()
        return clean_email(value) if value else ""
