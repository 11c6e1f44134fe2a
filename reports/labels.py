"""Codes (kinds, genders, municipalities) as words, for the documents and the workspace."""


def code_label(choices, code: str) -> str:
    """The label of a code in the active language; an unknown (older) code as stored."""
    try:
        return str(choices(code).label)
    except ValueError:
        return code or "–"
