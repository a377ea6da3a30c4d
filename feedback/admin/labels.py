"""Words and formats of HR's pages: round states in words, dates, times and percentages
in the page's locale (Flask-Babel), for templates and flash messages alike."""

from datetime import date, datetime

from flask_babel import format_date, format_percent, format_time
from flask_babel import lazy_gettext as _l

from feedback.models import RoundStatus

STATUS_LABELS = {
    RoundStatus.DRAFT: _l("draft"),
    RoundStatus.OPEN: _l("open"),
    RoundStatus.CLOSED: _l("closed"),
    RoundStatus.PUBLISHED: _l("published"),
}


def status_label(status: str) -> str:
    """A round's state in words ("draft" / "concept")."""
    try:
        return str(STATUS_LABELS[RoundStatus(status)])
    except ValueError:
        return str(status)


def day(value: date | None) -> str:
    """A date as the locale writes it: "2 dec 2026" / "Dec 2, 2026"."""
    return "" if value is None else format_date(value, "medium")


def moment(value: datetime | None) -> str:
    """A stored (UTC) moment in the app's time zone (BABEL_DEFAULT_TIMEZONE), its date as
    the locale writes it: "2 dec 2026, 10:05" / "Dec 2, 2026, 10:05"."""
    if value is None:
        return ""
    return f"{format_date(value, 'medium')}, {clock(value)}"


def clock(value: datetime | None) -> str:
    """The time of day of a stored (UTC) moment in the app's time zone, on the 24-hour
    clock in both languages (the organisation's clock): "10:05"."""
    return "" if value is None else format_time(value, "HH:mm")


def percent(value: int | None) -> str:
    """A whole percentage (0 to 100) as the locale writes it: "42%" / "42 %"."""
    return "" if value is None else format_percent(value / 100)


def template_helpers() -> dict:
    return {
        "status_label": status_label,
        "format_day": day,
        "format_moment": moment,
        "format_clock": clock,
        "format_rate": percent,
    }
