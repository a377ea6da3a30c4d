"""The bare stack that bench/survey_http.py compares the survey against.

Flask + SQLAlchemy (ORM, one scoped session per request) + one Jinja template compiled once,
serving the same three requests as the survey, with the same form field names, a page of
about the same size and the same rows stored:

  GET  /s/<token>          the page: the invitation by its token's hash, its drafts, the
                           template (24 statements x 6 options, 3 textareas, a grade);
  POST /s/<token>/answer   one draft answer upserted (select, then insert or update);
  POST /s/<token>          1 response + 24 answers + comments, the invitation marked
                           submitted, its drafts deleted: one transaction.

No session, CSRF, i18n or security headers: that is the point, it is the floor. gunicorn loads
it as `baseline_app:create()`; `prepare(db_url, tokens)` builds its tables.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import Flask, abort, request
from jinja2 import Environment

STATEMENTS = 24
QUESTIONS = ("q:strengths", "q:improve", "q:other")
OPTIONS = ("1", "2", "3", "4", "5", "dk")
AUTOSAVE_CONTROLS = ("changed_at", "draft_fingerprint")  # posted beside the answer
# Padding so that the page has about the survey page's size (set by the benchmark).
PAGE_BYTES = int(os.environ.get("BASELINE_PAGE_BYTES", "47000"))


class Base(so.DeclarativeBase):
    pass


class Invitation(Base):
    __tablename__ = "b_invitation"
    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    token_hash: so.Mapped[str] = so.mapped_column(sa.String(64), unique=True)
    group: so.Mapped[str] = so.mapped_column(sa.String(20))
    submitted: so.Mapped[bool] = so.mapped_column(default=False)


class Draft(Base):
    __tablename__ = "b_draft"
    invitation_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("b_invitation.id"), primary_key=True
    )
    field: so.Mapped[str] = so.mapped_column(sa.String(40), primary_key=True)
    value: so.Mapped[str] = so.mapped_column(sa.Text)


class Response(Base):
    __tablename__ = "b_response"
    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    group: so.Mapped[str] = so.mapped_column(sa.String(20))
    grade: so.Mapped[int | None]
    answers: so.Mapped[list[Answer]] = so.relationship()
    comments: so.Mapped[list[Comment]] = so.relationship()


class Answer(Base):
    __tablename__ = "b_answer"
    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    response_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("b_response.id"))
    statement: so.Mapped[int]
    score: so.Mapped[int | None]


class Comment(Base):
    __tablename__ = "b_comment"
    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    response_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("b_response.id"))
    question: so.Mapped[str] = so.mapped_column(sa.String(40))
    text: so.Mapped[str] = so.mapped_column(sa.Text)


PAGE = (Path(__file__).parent / "baseline_survey.html").read_text()
SAVED = '<span class="save-state saved">Saved {{ field }}</span>'
THANKS = '<!doctype html><html><body><main class="survey-done">Thank you</main></body></html>'


def _legs() -> list[dict]:
    legs = []
    for leg in range(6):
        statements = [
            {
                "name": f"s{leg * 4 + i + 1}",
                "text": f"Statement {leg * 4 + i + 1}: my manager makes time to coach me in "
                "the field and tells me clearly what went well and what to do differently.",
            }
            for i in range(STATEMENTS // 6)
        ]
        legs.append({"title": f"Leg {leg + 1} of the sales manager", "statements": statements})
    return legs


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def prepare(db_url: str, tokens: list[str]) -> None:
    engine = sa.create_engine(db_url)
    Base.metadata.create_all(engine)
    groups = ["self", "supervisor"] + ["direct_report"] * 6 + ["peer"] * 2
    with engine.begin() as conn:
        conn.execute(
            sa.insert(Invitation),
            [
                {"token_hash": hash_token(t), "group": groups[i % 10], "submitted": False}
                for i, t in enumerate(tokens)
            ],
        )
    engine.dispose()


def count_rows(db_url: str) -> dict[str, int]:
    engine = sa.create_engine(db_url)
    with engine.connect() as conn:

        def one(sql: str) -> int:
            return conn.execute(sa.text(sql)).scalar_one()

        out = {
            "responses": one("SELECT count(*) FROM b_response"),
            "answers": one("SELECT count(*) FROM b_answer"),
            "drafts_of_submitted": one(
                "SELECT count(*) FROM b_draft d JOIN b_invitation i ON i.id = d.invitation_id "
                "WHERE i.submitted"
            ),
        }
    engine.dispose()
    return out


def _sqlite_pragmas(engine: sa.Engine) -> None:
    @sa.event.listens_for(engine, "connect")
    def _connect(dbapi_conn, _record):
        dbapi_conn.execute("PRAGMA journal_mode=WAL")
        dbapi_conn.execute("PRAGMA synchronous=NORMAL")
        dbapi_conn.execute("PRAGMA busy_timeout=5000")


def create() -> Flask:
    app = Flask(__name__)
    db_url = os.environ["DATABASE_URL"]
    engine = sa.create_engine(db_url)
    if engine.dialect.name == "sqlite":
        _sqlite_pragmas(engine)
    Session = so.scoped_session(so.sessionmaker(engine))
    env = Environment(autoescape=True)
    page, saved, thanks = env.from_string(PAGE), env.from_string(SAVED), env.from_string(THANKS)
    legs = _legs()
    names = ("Never", "Rarely", "Sometimes", "Often", "Always", "Don't know")
    labels = dict(zip(OPTIONS, names, strict=True))
    empty = page.render(
        manager="A manager",
        intro="",
        token="x" * 43,
        legs=legs,
        options=OPTIONS,
        labels=labels,
        questions=QUESTIONS,
        drafts={},
        padding="",
    )
    padding = "x" * max(0, PAGE_BYTES - len(empty.encode()))

    @app.teardown_request
    def _remove(_exc):
        Session.remove()

    def invitation(token: str) -> Invitation:
        found = Session.scalars(
            sa.select(Invitation).where(Invitation.token_hash == hash_token(token))
        ).first()
        if found is None or found.submitted:
            abort(404)
        return found

    @app.get("/healthz")
    def healthz():
        return "ok"

    @app.get("/s/<token>")
    def form(token: str):
        inv = invitation(token)
        drafts = dict(
            Session.execute(
                sa.select(Draft.field, Draft.value).where(Draft.invitation_id == inv.id)
            ).all()
        )
        return page.render(
            manager="A manager",
            intro="Your answers are anonymous.",
            token=token,
            legs=legs,
            options=OPTIONS,
            labels=labels,
            questions=QUESTIONS,
            drafts=drafts,
            padding=padding,
        )

    @app.post("/s/<token>/answer")
    def answer(token: str):
        inv = invitation(token)
        for name, value in request.form.items():
            if name in AUTOSAVE_CONTROLS:
                continue  # when the answer was given, which draft the tab shows: not stored
            draft = Session.get(Draft, (inv.id, name))
            if draft is None:
                Session.add(Draft(invitation_id=inv.id, field=name, value=value))
            else:
                draft.value = value
        Session.commit()
        return saved.render(field=next(iter(request.form), ""))

    @app.post("/s/<token>")
    def submit(token: str):
        inv = invitation(token)
        form = request.form
        grade = form.get("grade")
        response = Response(group=inv.group, grade=int(grade) if grade else None)
        for i in range(1, STATEMENTS + 1):
            value = form.get(f"s{i}")
            score = int(value) if value and value.isdigit() else None
            response.answers.append(Answer(statement=i, score=score))
        for q in QUESTIONS:
            if form.get(q):
                response.comments.append(Comment(question=q, text=form[q]))
        Session.add(response)
        inv.submitted = True
        Session.execute(sa.delete(Draft).where(Draft.invitation_id == inv.id))
        Session.commit()
        return thanks.render()

    return app
