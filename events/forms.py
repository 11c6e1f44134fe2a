"""The filter form of the public meeting list (GET)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .choices import Kind, Municipality
from .selectors import theme_list

ONLINE = "online"
ON_SITE = "on_site"


class EventFilterForm(forms.Form):
    theme = forms.ChoiceField(label=_("Theme"), required=False)
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=[("", _("All kinds")), *Kind.choices])
    municipality = forms.ChoiceField(
        label=_("Municipality"), required=False, choices=[("", _("All municipalities")), *Municipality.choices]
    )
    place = forms.ChoiceField(
        label=_("Online or on site"),
        required=False,
        choices=[("", _("Both")), (ONLINE, _("Online")), (ON_SITE, _("On site"))],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.themes = list(theme_list())
        self.fields["theme"].choices = [("", _("All themes"))] + [(t.slug, t.display_name) for t in self.themes]

    def selector_filters(self) -> dict:
        """Keyword arguments for event_list_upcoming; a filter with an unknown value is ignored."""
        self.is_valid()
        # Only the fields that passed validation are in cleaned_data; the others are ignored.
        data = self.cleaned_data
        place = data.get("place")
        return {
            "theme": data.get("theme") or None,
            "kind": data.get("kind") or None,
            "municipality": data.get("municipality") or None,
            "online": {ONLINE: True, ON_SITE: False}.get(place),
        }

    def selected_theme(self):
        self.is_valid()
        slug = self.cleaned_data.get("theme")
        return next((theme for theme in self.themes if theme.slug == slug), None)
