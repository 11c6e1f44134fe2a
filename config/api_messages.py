"""Pydantic's validation errors in the request's language: pydantic words its messages in
English only, so each common error type has a translatable text here, filled from the
error's context (`min_length`, `expected`, ...). A message raised by our own validators
(`value_error`) is already translated and is used as it is."""

import re

from django.utils.translation import gettext as _
from django.utils.translation import ngettext


def _choices(ctx: dict) -> str:
    # Pydantic lists the choices in English ("'a', 'b' or 'c'"); only the codes are kept.
    return ", ".join(re.findall(r"'([^']*)'", ctx.get("expected", "")))


def _text(error_type: str, ctx: dict) -> str | None:
    match error_type:
        case "missing":
            return _("This field is required.")
        case "extra_forbidden":
            return _("Unknown field.")
        case "object_type" | "model_type" | "model_attributes_type" | "dict_type":
            return _("Must be a JSON object.")
        case "string_type":
            return _("Must be text (a JSON string).")
        case "string_too_short":
            count = ctx["min_length"]
            return ngettext(
                "Must be at least %(count)d character long.", "Must be at least %(count)d characters long.", count
            ) % {"count": count}
        case "string_too_long":
            count = ctx["max_length"]
            return ngettext(
                "Must be at most %(count)d character long.", "Must be at most %(count)d characters long.", count
            ) % {"count": count}
        case "string_pattern_mismatch":
            return _("Must match the pattern %(pattern)s.") % {"pattern": ctx["pattern"]}
        case "bool_type" | "bool_parsing":
            return _("Must be true or false.")
        case "int_type" | "int_parsing" | "int_from_float":
            return _("Must be a whole number.")
        case "float_type" | "float_parsing" | "finite_number":
            return _("Must be a number.")
        case "greater_than_equal":
            return _("Must be at least %(limit)s.") % {"limit": ctx["ge"]}
        case "greater_than":
            return _("Must be greater than %(limit)s.") % {"limit": ctx["gt"]}
        case "less_than_equal":
            return _("Must be at most %(limit)s.") % {"limit": ctx["le"]}
        case "less_than":
            return _("Must be less than %(limit)s.") % {"limit": ctx["lt"]}
        case "enum" | "literal_error":
            return _("Must be one of: %(choices)s.") % {"choices": _choices(ctx)}
        case "list_type" | "tuple_type" | "set_type":
            return _("Must be a list (a JSON array).")
        case "too_short":
            count = ctx["min_length"]
            return ngettext("Must have at least %(count)d item.", "Must have at least %(count)d items.", count) % {
                "count": count
            }
        case "too_long":
            count = ctx["max_length"]
            return ngettext("Must have at most %(count)d item.", "Must have at most %(count)d items.", count) % {
                "count": count
            }
        case "date_type" | "date_parsing" | "date_from_datetime_parsing" | "date_from_datetime_inexact":
            return _("Must be a date as YYYY-MM-DD.")
        case "date_range":
            return _("Must be a date from 1900 to 2999.")
        case "datetime_type" | "datetime_parsing" | "datetime_from_date_parsing" | "datetime_object_invalid":
            return _("Must be a date and time in ISO 8601, e.g. 2027-03-01T17:00:00+01:00.")
        case "time_type" | "time_parsing":
            return _("Must be a time as HH:MM.")
        case "json_invalid" | "json_type":
            return _("Must be valid JSON.")
        case "none_required":
            return _("Must be null.")
    return None


def validation_message(error: dict) -> str:
    """One pydantic error (an item of `ValidationError.errors()`) in the request's language."""
    ctx = error.get("ctx") or {}
    if error.get("type") in ("value_error", "assertion_error") and "error" in ctx:
        return str(ctx["error"])
    return _text(error.get("type", ""), ctx) or _("Invalid value.")
