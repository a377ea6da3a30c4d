"""Words for the codes the people area stores and shows: roles, languages, import statuses."""

from flask_babel import lazy_gettext as _l

LANGUAGE_LABELS = {"nl": _l("Dutch"), "en": _l("English")}
ROLE_LABELS = {
    "rep": _l("Sales rep"),
    "manager": _l("Sales manager"),
    "director": _l("Sales director"),
}

STATUS_LABELS = {  # of a row in the import preview
    "new": _l("new"),
    "update": _l("update"),
    "unchanged": _l("unchanged"),
    "error": _l("error"),
}


def status_label(status: str) -> str:
    label = STATUS_LABELS.get(str(status))
    return str(label) if label is not None else str(status)


def language_label(code: str | None) -> str:
    """ "nl" -> "Dutch" / "Nederlands"; an unknown code is shown as it is."""
    label = LANGUAGE_LABELS.get(code or "")
    return str(label) if label is not None else (code or "")


def role_label(role: str | None) -> str:
    """ "rep" -> "Sales rep" / "Verkoper"; a role of HR's own wording is shown as it is."""
    label = ROLE_LABELS.get(role or "")
    return str(label) if label is not None else (role or "")


def labels() -> dict:
    """For the people templates (a blueprint context processor)."""
    return {
        "language_label": language_label,
        "role_label": role_label,
        "status_label": status_label,
    }
