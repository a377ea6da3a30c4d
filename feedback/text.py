"""User text made safe to store and to show: no bidirectional control characters.

A comment or a name with U+202E (RIGHT-TO-LEFT OVERRIDE) or one of its relatives reorders
what comes after it on screen, in the PDF and in a spreadsheet: "gnp.exe" can read as
"exe.png", and a comment can appear to say something it does not. `strip_bidi` removes
them. It runs at input (survey answers, the people import) so they are never stored, and
at output for whatever was stored before: every `{{ ... }}` of every template (web pages,
the PDF's HTML, mail) passes through it (`init_app`), and so do the export cells, the
charts' labels and mail subjects. Letters of right-to-left scripts are left alone; only
the invisible controls go.
"""

import re
import unicodedata

from flask import Flask

#: The explicit directional formatting characters of Unicode's bidirectional algorithm
#: (UAX #9): embeddings and overrides, isolates, and the implicit marks.
BIDI_CONTROLS = frozenset(
    "\u202a\u202b\u202c\u202d\u202e"  # LRE RLE PDF LRO RLO
    "\u2066\u2067\u2068\u2069"  # LRI RLI FSI PDI
    "\u200e\u200f\u061c"  # LRM RLM ALM
)
_REMOVE = dict.fromkeys(map(ord, BIDI_CONTROLS))
_ANY = re.compile(f"[{''.join(sorted(BIDI_CONTROLS))}]")


def strip_bidi(text: str) -> str:
    """`text` without bidirectional control characters (a Markup stays Markup). Looking
    for one is far quicker than `translate`, which copies the text character by character
    (a survey page's 35 KB of steps took milliseconds), so text without any is returned
    as it is."""
    if _ANY.search(text) is None:
        return text
    return text.translate(_REMOVE)


def has_control_character(text: str) -> bool:
    """True when `text` holds a control character (NUL, escape, DEL, C1 controls...).

    Meant for short single-line values, after whitespace has been collapsed: tabs and line
    breaks are whitespace to `str.split` and are gone by then."""
    return any(unicodedata.category(char) == "Cc" for char in text)


def _finalize(value):
    """Jinja's last step for every expression: strings lose their bidi controls."""
    if isinstance(value, str):  # Markup too; removing these characters never changes markup
        return strip_bidi(value)
    return value


def init_app(app: Flask) -> None:
    # Templates are compiled lazily, on first use, so every one of them picks this up.
    app.jinja_env.finalize = _finalize
