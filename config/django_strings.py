"""Strings Django itself shows on our pages whose Swedish its own catalogue lacks; listing
them here puts them in ours (locale/sv)."""

from django.utils.translation import gettext_noop

# The empty choice of a select (django.db.models.fields.BLANK_CHOICE_LABEL, new in Django 6.1).
gettext_noop("- Select an option -")
