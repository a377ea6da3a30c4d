"""The one way a figure of a report, a chart or the organisation overview is rounded and written.

    with force_locale("nl"):
        decimal(3.65)      # "3,7"    (English: "3.7")
        signed(0.46)       # "+0,5"
        count(1234)        # "1.234"
        percent(0.33)      # "33%"

`rounded` is the only rounding rule (half up, on the number as written: 2.25 gives 2.3,
never the binary 2.2499...); every text goes through Flask-Babel's `format_decimal` /
`format_percent` in the current locale, so a report rendered inside
`flask_babel.force_locale(lang)` writes "4,3" in Dutch and "4.3" in English. The table,
the chart beside it and its screen-reader label therefore always show the same figure.
`rounded` itself needs no app: the charts' default formatter (charts.py) and the exports'
numbers (insights/exports.py) use it too. Pass `locale` to bind a formatter to a locale
(view.chart_text does, so the charts' words and numbers cannot disagree).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from babel import Locale, numbers
from flask_babel import get_locale

NONE = "–"  # no value (nobody answered, or hidden)


def rounded(value: float, digits: int = 1) -> Decimal:
    """`value` rounded half up to `digits` decimals; never a negative zero."""
    exact = Decimal(repr(float(value))).quantize(Decimal(1).scaleb(-digits), ROUND_HALF_UP)
    return abs(exact) if exact == 0 else exact


def _pattern(digits: int, sign: bool = False) -> str:
    body = "#,##0" + ("." + "0" * digits if digits else "")
    return f"+{body};-{body}" if sign else body


def _format(number, pattern: str, locale: Locale | str | None) -> str:
    """Flask-Babel's format_decimal (the current locale), or Babel's for a given locale."""
    return numbers.format_decimal(number, format=pattern, locale=locale or _current())


def decimal(value: float | None, digits: int = 1, *, locale=None) -> str:
    """A mean or norm in the current locale: "3,6" / "3.6"; "–" for no value."""
    if value is None:
        return NONE
    return _format(rounded(value, digits), _pattern(digits), locale)


def signed(value: float | None, digits: int = 1, *, locale=None) -> str:
    """A difference with its sign: "+0,5", "-0,3", and "0,0" for no change."""
    if value is None:
        return NONE
    exact = rounded(value, digits)
    return _format(exact, _pattern(digits, sign=exact != 0), locale)


def count(value: int | None, *, locale=None) -> str:
    """A whole number (n, managers) in the current locale."""
    if value is None:
        return NONE
    return _format(value, "#,##0", locale)


def percent(share: float, *, locale=None) -> str:
    """A share from 0 to 1 as a whole percentage in the current locale ("33%")."""
    return numbers.format_percent(share, format="#,##0%", locale=locale or _current())


def _current() -> Locale | str:
    """The current locale; English outside an app (as gettext gives the English msgids)."""
    return get_locale() or "en"
