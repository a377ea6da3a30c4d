"""View data for the import preview: counts, one status at a time, a page of rows."""

from collections.abc import Mapping
from dataclasses import dataclass

from feedback.people.importing import ExistingPerson, Preview, RowResult, Status

PREVIEW_PER_PAGE = 100
MISSING_SHOWN = 50
TABS = ("all", *(str(status) for status in Status))


@dataclass(frozen=True)
class PreviewView:
    upload_id: str
    filename: str
    total: int
    counts: dict[str, int]
    has_errors: bool
    status: str  # the tab shown
    rows: list[RowResult]
    page: int
    pages: int
    missing: list[ExistingPerson]
    missing_total: int


def preview_view(upload, preview: Preview, args: Mapping[str, str]) -> PreviewView:
    """Errors first when there are any; otherwise every row, a page at a time."""
    status = args.get("status") or ("error" if preview.has_errors else "all")
    if status not in TABS:
        status = "all"
    rows = preview.rows if status == "all" else [r for r in preview.rows if r.status == status]
    pages = max(1, -(-len(rows) // PREVIEW_PER_PAGE))
    try:
        page = min(pages, max(1, int(args.get("page", "1"))))
    except ValueError:
        page = 1
    start = (page - 1) * PREVIEW_PER_PAGE
    return PreviewView(
        upload_id=upload.id,
        filename=upload.filename,
        total=len(preview.rows),
        counts=preview.counts,
        has_errors=preview.has_errors,
        status=status,
        rows=rows[start : start + PREVIEW_PER_PAGE],
        page=page,
        pages=pages,
        missing=preview.missing[:MISSING_SHOWN],
        missing_total=len(preview.missing),
    )
