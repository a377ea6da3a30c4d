"""The organisation: listing people, and importing them from a file (preview, then confirm).

The preview's rows wait in the database (`ImportPreview`), so the confirmation may land on
any web worker or host; they expire after UPLOAD_MAX_AGE and go on confirm or cancel.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_sqlalchemy.pagination import Pagination

from feedback.clock import utcnow
from feedback.db import begin_write, contains, paginate
from feedback.extensions import db
from feedback.models import ImportPreview, Person, User
from feedback.people.importing import (
    ExistingPerson,
    Preview,
    RawRow,
    RowResult,
    Status,
    validate,
)

PER_PAGE = 50
UPLOAD_MAX_AGE = 2 * 60 * 60  # seconds a preview stays confirmable
_UPLOAD_ID = re.compile(r"^[A-Za-z0-9_-]{20,64}$")


# ---------------------------------------------------------------------------- listing


@dataclass(frozen=True)
class PeopleFilter:
    q: str = ""
    team: str = ""
    managers_only: bool = False
    active: str = ""  # "", "yes" or "no"

    def as_args(self) -> dict[str, str]:
        """The non-default filters as query-string arguments (for page links)."""
        args = {"q": self.q, "team": self.team, "active": self.active}
        if self.managers_only:
            args["managers"] = "1"
        return {key: value for key, value in args.items() if value}


@dataclass
class PeoplePage:
    pagination: Pagination
    report_counts: dict[int, int]
    teams: list[str]


def list_people(filters: PeopleFilter, page: int = 1, per_page: int = PER_PAGE) -> PeoplePage:
    """One page of people (with their manager loaded) and the direct-report counts for it."""
    query = (
        sa.select(Person)
        .options(so.joinedload(Person.manager))
        .order_by(sa.func.lower(Person.name), Person.id)
    )
    q = filters.q.strip()
    if q:
        query = query.where(
            sa.or_(
                contains(Person.name, q),
                contains(Person.email, q),
            )
        )
    if filters.team:
        query = query.where(Person.team == filters.team)
    if filters.active in ("yes", "no"):
        query = query.where(Person.active.is_(filters.active == "yes"))
    if filters.managers_only:
        report = so.aliased(Person)
        query = query.where(sa.exists().where(report.manager_id == Person.id))
    pagination = paginate(query, page, per_page)
    ids = [person.id for person in pagination.items]
    counts: dict[int, int] = {}
    if ids:
        rows = db.session.execute(
            sa.select(Person.manager_id, sa.func.count())
            .where(Person.manager_id.in_(ids))
            .group_by(Person.manager_id)
        )
        counts = {manager_id: n for manager_id, n in rows}
    return PeoplePage(pagination=pagination, report_counts=counts, teams=list_teams())


def list_teams() -> list[str]:
    return list(
        db.session.scalars(
            sa.select(Person.team).where(Person.team.is_not(None)).distinct().order_by(Person.team)
        )
    )


@dataclass
class TreeNode:
    id: int
    name: str
    email: str
    team: str | None
    role: str
    children: list[TreeNode]


def org_tree() -> list[TreeNode]:
    """Reporting lines of active people, from the top down, loaded in one query.

    Someone whose manager is inactive (or unknown) starts a tree of their own. Managers
    come before the people without reports, then by name.
    """
    rows = db.session.execute(
        sa.select(
            Person.id, Person.name, Person.email, Person.team, Person.role, Person.manager_id
        ).where(Person.active.is_(True))
    ).all()
    nodes = {row.id: TreeNode(row.id, row.name, row.email, row.team, row.role, []) for row in rows}
    roots: list[TreeNode] = []
    for row in rows:
        parent = nodes.get(row.manager_id) if row.manager_id != row.id else None
        (parent.children if parent else roots).append(nodes[row.id])
    reachable: set[int] = set()
    stack = list(roots)
    while stack:
        node = stack.pop()
        reachable.add(node.id)
        node.children.sort(key=lambda n: (not n.children, n.name.lower()))
        stack.extend(node.children)
    # A loop in old data has no top: show its members at the top level rather than lose them.
    for node_id, node in nodes.items():
        if node_id not in reachable:
            roots.append(TreeNode(node.id, node.name, node.email, node.team, node.role, []))
    roots.sort(key=lambda n: (not n.children, n.name.lower()))
    return roots


# ---------------------------------------------------------------------------- importing


class PeopleImportError(Exception):
    """Base for import problems with a message for HR."""


class UploadNotFound(PeopleImportError):
    pass


class ImportHasErrors(PeopleImportError):
    """Rows have errors and the caller did not ask to skip them: nothing was imported."""

    def __init__(self, rows: int):
        super().__init__(rows)
        self.rows = rows

    def __str__(self) -> str:  # in the language of wherever it is shown
        return ngettext(
            "%(num)d row has errors: nothing was imported.",
            "%(num)d rows have errors: nothing was imported.",
            self.rows,
        )


@dataclass(frozen=True)
class ImportResult:
    created: int
    updated: int
    unchanged: int
    deactivated: int
    skipped: list[RowResult]


def load_existing() -> dict[str, ExistingPerson]:
    """Everybody in the database, keyed by lowercased e-mail, in one query."""
    manager = so.aliased(Person)
    rows = db.session.execute(
        sa.select(
            Person.id,
            Person.email,
            Person.name,
            Person.language,
            Person.team,
            Person.role,
            manager.email,
            Person.active,
        ).outerjoin(manager, Person.manager_id == manager.id)
    )
    return {
        email.lower(): ExistingPerson(
            id=pid,
            email=email.lower(),
            name=name,
            language=language,
            team=team,
            role=role,
            manager_email=manager_email.lower() if manager_email else None,
            active=active,
        )
        for pid, email, name, language, team, role, manager_email, active in rows
    }


def preview_import(rows: Sequence[RawRow]) -> Preview:
    """What importing `rows` would do. Writes nothing."""
    return validate(rows, load_existing())


def apply_import(
    rows: Sequence[RawRow], *, deactivate_missing: bool = False, skip_invalid: bool = False
) -> ImportResult:
    """Import in one transaction: upsert people by e-mail, then link managers, then deactivate.

    Validates again against the database as it is now. Refuses (writing nothing) when a row
    has an error, unless `skip_invalid`: then those rows are left out and returned.
    """
    begin_write()
    try:
        existing = load_existing()
        preview = validate(rows, existing)
        if preview.has_errors and not skip_invalid:
            raise ImportHasErrors(len(preview.error_rows))
        valid = [row for row in preview.rows if row.ok]
        new = [row for row in valid if row.status == Status.NEW]
        if new:
            db.session.execute(
                sa.insert(Person),
                [
                    {
                        "name": row.name,
                        "email": row.email,
                        "language": row.language,
                        "team": row.team,
                        "role": row.role,
                        "active": True,
                    }
                    for row in new
                ],
            )
        ids = {p.email: p.id for p in existing.values()}
        if new:
            ids.update(
                (email.lower(), pid)
                for pid, email in db.session.execute(sa.select(Person.id, Person.email))
            )
        updates = [
            {
                "id": row.existing_id,
                "name": row.name,
                "language": row.language,
                "team": row.team,
                "role": row.role,
                "active": True,
                "manager_id": ids.get(row.manager_email) if row.manager_email else None,
            }
            for row in valid
            if row.status == Status.UPDATE
        ]
        links = [
            {"id": ids[row.email], "manager_id": ids[row.manager_email]}
            for row in new
            if row.manager_email
        ]
        deactivate = (
            [{"id": p.id, "active": False} for p in preview.missing] if (deactivate_missing) else []
        )
        for batch in (updates, links, deactivate):
            if batch:
                db.session.execute(sa.update(Person), batch)
        # Someone who left can no longer log in; someone back in the file can again.
        _set_accounts_active([d["id"] for d in deactivate], active=False)
        _set_accounts_active([u["id"] for u in updates], active=True)
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    return ImportResult(
        created=len(new),
        updated=len(updates),
        unchanged=sum(1 for row in valid if row.status == Status.UNCHANGED),
        deactivated=len(deactivate),
        skipped=preview.error_rows,
    )


def _set_accounts_active(person_ids: list[int], *, active: bool) -> None:
    values = {"active": active}
    if not active:  # their open sessions end too, and stay ended if they come back
        values["session_version"] = User.session_version + 1
    for start in range(0, len(person_ids), 500):  # stay under the bind-parameter limit
        chunk = person_ids[start : start + 500]
        db.session.execute(
            sa.update(User)
            .where(User.person_id.in_(chunk), User.active.is_not(active))
            .values(**values)
        )


# ---------------------------------------------------------------------------- uploads


def _preview_key(upload_id: str) -> str:
    return hashlib.sha256(upload_id.encode()).hexdigest()


def save_upload(rows: Sequence[RawRow], *, filename: str, user_id: int) -> str:
    """Keep parsed rows in the database until HR confirms; returns the random id naming them.

    Any host can show and confirm the preview. Expired previews are deleted on the way.
    """
    upload_id = secrets.token_urlsafe(24)
    begin_write()
    _remove_stale()
    db.session.add(
        ImportPreview(
            id_hash=_preview_key(upload_id),
            user_id=user_id,
            filename=filename[:300],
            rows=[row.to_dict() for row in rows],
        )
    )
    db.session.commit()
    return upload_id


@dataclass(frozen=True)
class Upload:
    id: str
    filename: str
    rows: list[RawRow]


def load_upload(upload_id: str, *, user_id: int) -> Upload:
    """The rows of an earlier upload by this user; UploadNotFound when unknown or stale."""
    message = _l("This import is unknown or has expired. Upload the file again.")
    if not _UPLOAD_ID.match(upload_id or ""):
        raise UploadNotFound(message)
    preview = db.session.get(ImportPreview, _preview_key(upload_id))
    if preview is None or preview.user_id != user_id:
        raise UploadNotFound(message)
    if preview.created_at < _stale_before():
        delete_upload(upload_id)
        raise UploadNotFound(message)
    rows = [RawRow.from_dict(row) for row in preview.rows]
    return Upload(id=upload_id, filename=preview.filename, rows=rows)


def delete_upload(upload_id: str) -> None:
    if _UPLOAD_ID.match(upload_id or ""):
        begin_write()
        db.session.execute(
            sa.delete(ImportPreview).where(ImportPreview.id_hash == _preview_key(upload_id))
        )
        db.session.commit()


def _stale_before() -> datetime:
    return utcnow() - timedelta(seconds=UPLOAD_MAX_AGE)


def _remove_stale() -> None:
    """Delete every preview older than UPLOAD_MAX_AGE (inside the caller's transaction)."""
    db.session.execute(sa.delete(ImportPreview).where(ImportPreview.created_at < _stale_before()))
