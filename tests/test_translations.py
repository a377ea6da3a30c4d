"""The catalogue is whole: every message in the code is in both catalogues, translated.

The messages are gathered here the way `make messages` gathers them (babel.cfg), so a
message added to a template or a module without its Dutch translation fails the suite,
and so does one left empty or fuzzy, or one whose placeholders do not match.
"""

from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

import feedback

ROOT = Path(feedback.__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "feedback" / "translations"
KEYWORDS = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None, "N_": None}


def extracted() -> dict[str | tuple, str]:
    """Every message id the code holds, with the first place it was found."""
    with (ROOT / "babel.cfg").open() as cfg:
        method_map, options_map = parse_mapping_cfg(cfg, str(ROOT / "babel.cfg"))
    found: dict[str | tuple, str] = {}
    for filename, line, message, _comments, _context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords=KEYWORDS
    ):
        key = message if isinstance(message, str) else tuple(m for m in message if m)
        key = key[0] if isinstance(key, tuple) and len(key) == 1 else key
        found.setdefault(key, f"{filename}:{line}")
    return found


@pytest.fixture(scope="module")
def messages():
    return extracted()


def catalogue(language: str):
    with (TRANSLATIONS / language / "LC_MESSAGES" / "messages.po").open("rb") as source:
        return read_po(source, locale=language)


def test_the_code_has_messages_to_translate(messages):
    # The extraction itself works: without this, an empty result would pass everything.
    assert len(messages) > 100
    assert "Log out" in messages


@pytest.mark.parametrize("language", ["nl", "en"])
def test_every_message_is_in_the_catalogue_and_translated(messages, language):
    cat = catalogue(language)
    problems = []
    for message_id, where in sorted(messages.items(), key=lambda item: item[1]):
        lookup = message_id[0] if isinstance(message_id, tuple) else message_id
        entry = cat.get(lookup)
        if entry is None:
            problems.append(f"missing  {where}  {lookup!r}")
        elif not (all(entry.string) if isinstance(entry.string, tuple) else entry.string):
            problems.append(f"empty    {where}  {lookup!r}")
        elif entry.fuzzy:
            problems.append(f"fuzzy    {where}  {lookup!r}")
    assert problems == [], f"{language}: run `make messages` and translate:\n" + "\n".join(problems)


@pytest.mark.parametrize("language", ["nl", "en"])
def test_placeholders_match_their_message(language):
    cat = catalogue(language)
    errors = [
        f"{message.id!r}: {'; '.join(map(str, errs))}" for message, errs in cat.check() if errs
    ]
    assert errors == []


def test_the_dutch_catalogue_says_which_form_of_address_it_uses():
    header = (TRANSLATIONS / "nl" / "LC_MESSAGES" / "messages.po").read_text().split("msgid")[0]
    assert '"je"' in header and 'never with "u"' in header
