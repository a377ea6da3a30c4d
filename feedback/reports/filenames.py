"""File names of the report PDFs and of a round's ZIP folder, in lower-case ASCII."""

import re
import unicodedata


def report_filename(round_name: str, manager_name: str) -> str:
    """feedback-<round>-<manager>.pdf in lower-case ASCII."""
    return f"feedback-{_slug(round_name)}-{_slug(manager_name)}.pdf"


def round_slug(round_name: str) -> str:
    """The round's name in lower-case ASCII, for file and folder names."""
    return _slug(round_name)


# Letters that Unicode does not decompose into an ASCII base letter.
_ASCII_LETTERS = str.maketrans(
    {"Ł": "L", "ł": "l", "Ø": "O", "ø": "o", "ß": "ss", "Æ": "AE", "æ": "ae", "Đ": "D", "đ": "d"}
)


def _slug(text: str) -> str:
    text = text.translate(_ASCII_LETTERS)
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-") or "report"
