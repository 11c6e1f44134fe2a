"""Booking a coaching time: the sign-up form's questions about the person, with the same
fields, rules and messages (registrations.forms.SignupForm), and nothing about meetings."""

from django import forms

from registrations.forms import SignupForm

# What a person typed, kept for the next booking page when their time was just taken.
DETAILS = ("name", "email", "organisation", "organisation_type", "municipality", "language")


class BookingForm(forms.Form):
    # The sign-up form's own fields: every form gets a deep copy, so sharing them is safe.
    name = SignupForm.base_fields["name"]
    email = SignupForm.base_fields["email"]
    organisation = SignupForm.base_fields["organisation"]
    organisation_type = SignupForm.base_fields["organisation_type"]
    municipality = SignupForm.base_fields["municipality"]
    language = SignupForm.base_fields["language"]
    consent = SignupForm.base_fields["consent"]

    clean_name = SignupForm.clean_name
    clean_email = SignupForm.clean_email
    clean_organisation = SignupForm.clean_organisation
    clean_municipality = SignupForm.clean_municipality

    def __init__(self, *args, language: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["language"].initial = language

    def details(self) -> dict[str, str]:
        return {name: self.cleaned_data[name] for name in DETAILS}
