"""Swedish is the users' language: every message in the catalogue is translated, and the
compiled catalogue the site loads is the one in the source."""

import gettext
import re
from pathlib import Path

PO = Path(__file__).resolve().parents[2] / "locale" / "sv" / "LC_MESSAGES" / "django.po"


def _entries() -> list[str]:
    # Entries are separated by blank lines; the first is the header.
    return [block for block in PO.read_text().split("\n\n")[1:] if "msgid" in block and not block.startswith("#~")]


def _unquote(block: str, keyword: str) -> str:
    match = re.search(rf'^{keyword} ((?:".*"\n?)+)', block + "\n", re.MULTILINE)
    return "".join(re.findall(r'"((?:[^"\\]|\\.)*)"', match.group(1))) if match else ""


def test_every_swedish_message_is_translated_and_none_is_fuzzy():
    untranslated = []
    for block in _entries():
        msgid = _unquote(block, "msgid")
        if "#, fuzzy" in block or "fuzzy," in block:
            untranslated.append(f"fuzzy: {msgid}")
        elif "msgid_plural" in block:
            if not _unquote(block, r"msgstr\[0\]") or not _unquote(block, r"msgstr\[1\]"):
                untranslated.append(msgid)
        elif not _unquote(block, "msgstr"):
            untranslated.append(msgid)
    assert not untranslated, f"Swedish is missing for: {untranslated}"


def test_the_compiled_catalogue_has_every_translation():
    with open(PO.with_suffix(".mo"), "rb") as compiled:
        catalog = gettext.GNUTranslations(compiled)._catalog
    missing = []
    for block in _entries():
        msgid = _unquote(block, "msgid").encode().decode("unicode_escape").encode("latin-1").decode("utf-8")
        context = _unquote(block, "msgctxt")
        if context:
            msgid = f"{context.encode().decode('unicode_escape').encode('latin-1').decode('utf-8')}\x04{msgid}"
        keys = {msgid, (msgid, 0)}
        if not keys & catalog.keys():
            missing.append(msgid)
    assert not missing, f"run `make messages`: the .mo lacks {missing[:5]}"
