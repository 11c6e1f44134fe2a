"""The public sign-up form. Its rules are those of the API (registrations.validators)."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from events.choices import Municipality

from .choices import Gender, Language, OrganisationType
from .validators import clean_email, clean_single_line

MAX_MEETINGS = 50


class MeetingChoiceField(forms.TypedMultipleChoiceField):
    """Meeting ids. Any id is accepted here so that a meeting that closed while the form was
    open is named by the sign-up service ("you cannot sign up for X: ...") instead of being
    reported as an anonymous invalid choice."""

    def __init__(self, **kwargs):
        super().__init__(coerce=int, required=False, **kwargs)

    def valid_value(self, value) -> bool:
        value = str(value)
        return value.isascii() and value.isdigit() and len(value) < 12

    def validate(self, value):
        super().validate(value)
        if len(value) > MAX_MEETINGS:
            raise ValidationError(_("Choose at most %(count)d meetings at a time.") % {"count": MAX_MEETINGS})


class SignupForm(forms.Form):
    # Named like the list page's checkboxes, so /anmalan/?event=1&event=2 pre-ticks them.
    event = MeetingChoiceField(label=_("Meetings"))
    name = forms.CharField(label=_("Name"), max_length=200, widget=forms.TextInput(attrs={"autocomplete": "name"}))
    email = forms.CharField(label=_("E-mail"), max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    organisation = forms.CharField(
        label=_("Organisation"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
    )
    organisation_type = forms.ChoiceField(
        label=_("Type of organisation"), choices=OrganisationType.choices, widget=forms.RadioSelect
    )
    municipality = forms.ChoiceField(
        label=_("Municipality"), choices=[("", _("Choose a municipality")), *Municipality.choices]
    )
    gender = forms.ChoiceField(
        label=_("Gender"),
        required=False,
        choices=Gender.choices,
        widget=forms.RadioSelect,
        help_text=_("Only ever reported as totals, to follow up the programme."),
    )
    language = forms.ChoiceField(label=_("Language for e-mails"), choices=Language.choices, widget=forms.RadioSelect)
    theme_interests = forms.MultipleChoiceField(
        label=_("Themes I would like more meetings on"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Also themes that have no meeting yet: we tell you when one is planned."),
    )
    consent = forms.BooleanField(
        label=_("I have read the privacy notice and agree that my details are handled as it describes."),
        error_messages={"required": _("You need to accept the privacy notice to sign up.")},
    )

    def __init__(self, *args, events, themes, language: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.event_choices = list(events)
        self.theme_choices = list(themes)
        self.fields["event"].choices = [(event.id, event.title) for event in self.event_choices]
        self.fields["theme_interests"].choices = [(theme.slug, theme.display_name) for theme in self.theme_choices]
        self.fields["language"].initial = language

    def clean_name(self) -> str:
        return clean_single_line(self.cleaned_data["name"])

    def clean_email(self) -> str:
        return clean_email(self.cleaned_data["email"])

    def clean_organisation(self) -> str:
        return clean_single_line(self.cleaned_data["organisation"])

    def clean_municipality(self) -> str:
        return Municipality.clean(self.cleaned_data["municipality"])

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("event") and not cleaned.get("theme_interests") and "event" not in self.errors:
            raise ValidationError(_("Choose at least one meeting, or a theme you would like meetings on."))
        return cleaned

    def chosen_event_ids(self) -> set[str]:
        """Ids ticked in the submitted form, or pre-ticked from the link (?event=1&event=2)."""
        return {str(value) for value in self["event"].value() or []}

    def ticked_events(self) -> list:
        chosen = self.chosen_event_ids()
        return [event for event in self.event_choices if str(event.id) in chosen]

    def other_events(self) -> list:
        """The meetings not ticked: folded away under the ticked ones when some are, so that
        someone who chose on the list page does not scroll past every meeting again."""
        chosen = self.chosen_event_ids()
        return [event for event in self.event_choices if str(event.id) not in chosen]
