"""The survey form of the public page. Its rules are those of the API (feedback.schemas)."""

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.formats import number_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from events.models import Theme
from registrations.validators import clean_single_line

from .models import COMMENT_MAX, WANTS_TEXT_MAX, Feedback

# What each step of the scale means, so a screen reader says more than a bare number.
RATINGS = [
    (1, _("Not useful")),
    (2, _("Of little use")),
    (3, _("Fairly useful")),
    (4, _("Useful")),
    (5, _("Very useful")),
]


class CommentField(forms.CharField):
    """Counts a line break as one character, as the browser's maxlength does; it sends CRLF,
    which would otherwise count twice and reject a text the browser let through."""

    def to_python(self, value):
        return super().to_python(value).replace("\r\n", "\n")


class SurveyForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=_("How useful was the meeting to you?"),
        help_text=_("From 1, not useful, to 5, very useful."),
        choices=RATINGS,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose how useful the meeting was, from 1 to 5."),
            "invalid_choice": _("Choose a number from 1 to 5."),
        },
    )
    comment = CommentField(
        label=_("What do you take with you from the meeting?"),
        required=False,
        max_length=COMMENT_MAX,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={
            "max_length": _("Your comment is too long: at most %(limit_value)d characters (it has %(show_value)d).")
        },
    )
    quote_allowed = forms.BooleanField(
        label=_("You may quote my comment, without my name, in the programme's report."),
        help_text=_("Only applies if you write a comment. Your name is never published."),
        required=False,
    )
    themes = forms.MultipleChoiceField(
        label=_("Which themes would you like meetings on next?"),
        help_text=_("Tick as many as you like."),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": _("Choose among the themes listed.")},
    )
    wants_themes_text = forms.CharField(
        label=_("Something else"),
        help_text=_("A theme that is not in the list."),
        required=False,
        max_length=WANTS_TEXT_MAX,
        error_messages={
            "max_length": _("The other theme is too long: at most %(limit_value)d characters (it has %(show_value)d).")
        },
    )

    def __init__(self, *args, feedback: Feedback, **kwargs):
        kwargs.setdefault("initial", current_answer(feedback))
        super().__init__(*args, **kwargs)
        # Made here, in the page's language, so the number is grouped as its readers write it.
        limit = number_format(COMMENT_MAX, force_grouping=True)
        hint = gettext("An idea, a contact, something you will try. At most %(max)s characters.")
        self.fields["comment"].help_text = hint % {"max": limit}
        # A theme retired since the person chose it stays ticked, so saving again keeps it.
        chosen = [theme.pk for theme in feedback.wants_themes.all()]
        themes = Theme.objects.filter(Q(is_active=True) | Q(pk__in=chosen))
        # In the alphabetical order of the page's language, not of the Swedish names.
        names = sorted(((theme.slug, theme.display_name) for theme in themes), key=lambda pair: pair[1].casefold())
        self.fields["themes"].choices = names
        if not self.fields["themes"].choices:
            self.fields["themes"].help_text = ""  # nothing to tick: only the text field is shown

    def clean_wants_themes_text(self) -> str:
        try:
            return clean_single_line(self.cleaned_data["wants_themes_text"])
        except ValidationError as error:
            # The page lists errors without their labels, so the message names its field.
            raise ValidationError(_("The other theme must be one line, without control characters.")) from error


def current_answer(feedback: Feedback) -> dict:
    """The answer given so far, as the form's initial values (nothing before the first answer)."""
    if feedback.rating is None:
        return {}
    return {
        "rating": feedback.rating,
        "comment": feedback.comment,
        "quote_allowed": feedback.quote_allowed,
        "themes": [theme.slug for theme in feedback.wants_themes.all()],
        "wants_themes_text": feedback.wants_themes_text,
    }
