"""One whole feedback round, end to end, the way HR, raters and managers meet the product.

Everything goes through HTTP with the Flask test client (CSRF protection on, tokens taken
from the pages like a browser would), mail through a real SMTP server on 127.0.0.1, and
background jobs in the local job process (no REDIS_URL), just like a laptop install:

1. HR imports an organisation (1 director, 300 sales managers, 3-6 reps each) from a CSV.
2. HR creates a round for five managers, reviews the proposed raters, adds a peer, launches;
   the invitations arrive by SMTP, one per rater, in the rater's language, with a working link.
3. Raters answer: plain form posts, one autosave through htmx, one double submit.
4. HR sends reminders: they reach exactly the raters who have not answered; old and new
   links both work.
5. HR closes (late answers are refused with the not-found page) and publishes; a manager
   sets a password from their e-mail, reads their report, downloads the PDF, and cannot
   open another manager's report.
6. HR builds all PDFs in the background, downloads the ZIP, the XLSX export, and reads the
   heat map.
7. Anonymity along the way: the round page shows no rater while open, the outbox hides who
   got a reminder, and the database holds no plain link token except in undelivered mail.

The test only reads the database to check what HTTP cannot show (which invitation a link
belongs to, and that no plain token is stored).
"""

import csv
import html
import io
import re
import time
import uuid
import zipfile
from dataclasses import dataclass, field
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from feedback.extensions import db as _db
from feedback.insights import exports
from feedback.jobs import shutdown_pool
from feedback.models import (
    Invitation,
    InvitationToken,
    OutboxMessage,
    Person,
    Response,
    SealedResponse,
)
from feedback.reports import aggregation as agg
from feedback.reports.pdf_cache import shutdown_pdf_process
from feedback.tokens import hash_token
from tests.admin.smtp_server import SmtpServer
from tests.factories import make_user

# A hang guard for background jobs, not a speed check.
JOB_WAIT_LIMIT_SECONDS = 180
HX = {"HX-Request": "true"}
DOMAIN = "example.com"  # email-validator refuses .test for people
ROUND = "Voorjaar 2027"
SURVEY_LINK = re.compile(r"http://localhost/s/([A-Za-z0-9_\-]+)")
PASSWORD_LINK = re.compile(r"http://localhost/auth/password/([A-Za-z0-9_\-]+)")
CSRF_INPUT = re.compile(r'name="csrf_token"[^>]*?value="([^"]+)"')
CSRF_HEADER = re.compile(r'"X-CSRFToken": "([^"]+)"')
NEW_PASSWORD = "a long and fine password"

# --- the organisation ----------------------------------------------------------------------

MANAGERS = 300
# The five managers the round rates, with their team sizes; the rest get 3 to 6 reps.
RATED = {1: 5, 2: 3, 3: 4, 4: 6, 5: 3}
ENGLISH_TEAMS = {2, 50, 150}  # these managers and their reps have language "en"
PEER = "rep010.1@" + DOMAIN  # added by hand as a peer of manager 1 (not in the round)


def manager_email(i: int) -> str:
    return f"manager{i:03d}@{DOMAIN}"


def manager_name(i: int) -> str:
    return f"Manager {i:03d}"


def rep_email(i: int, j: int) -> str:
    return f"rep{i:03d}.{j}@{DOMAIN}"


def team_size(i: int) -> int:
    return RATED.get(i, 3 + i % 4)


def organisation_csv() -> tuple[bytes, dict[str, dict]]:
    """The CSV HR uploads, and what the test knows about every person (by e-mail)."""
    people = {
        f"dirk@{DOMAIN}": {"name": "Dirk Directeur", "language": "nl", "role": "director"},
    }
    rows = [["name", "email", "language", "manager_email", "team", "role"]]
    rows.append(["Dirk Directeur", f"dirk@{DOMAIN}", "nl", "", "", "director"])
    for i in range(1, MANAGERS + 1):
        lang = "en" if i in ENGLISH_TEAMS else "nl"
        team = f"Regio {i:03d}"
        rows.append([manager_name(i), manager_email(i), lang, f"dirk@{DOMAIN}", team, "manager"])
        people[manager_email(i)] = {"name": manager_name(i), "language": lang, "role": "manager"}
        for j in range(1, team_size(i) + 1):
            name = f"Rep {i:03d}-{j}"
            rows.append([name, rep_email(i, j), lang, manager_email(i), team, "rep"])
            people[rep_email(i, j)] = {"name": name, "language": lang, "role": "rep"}
    out = io.StringIO()
    csv.writer(out, delimiter=";", lineterminator="\r\n").writerows(rows)
    return out.getvalue().encode("utf-8"), people


# --- helpers -------------------------------------------------------------------------------


def text(response) -> str:
    return response.get_data(as_text=True)


def csrf(page: str) -> str:
    """The CSRF token a browser would send: from a form on the page, else from hx-headers."""
    found = CSRF_INPUT.search(page) or CSRF_HEADER.search(html.unescape(page))
    assert found, "the page carries no CSRF token"
    return found.group(1)


def without_csrf(page: str) -> str:
    page = CSRF_INPUT.sub('name="csrf_token" value=""', page)
    return CSRF_HEADER.sub('"X-CSRFToken": ""', html.unescape(page))


def path_of(location: str) -> str:
    return location.removeprefix("http://localhost")


# The test reads the database only in app contexts of its own: a context held open around
# the requests would share their session, and its snapshot would hide the jobs' progress.


def scalar(app, statement):
    with app.app_context():
        return _db.session.scalar(statement)


def scalars(app, statement) -> list:
    with app.app_context():
        return list(_db.session.scalars(statement))


@dataclass(frozen=True)
class Linked:
    """The invitation a personal link belongs to."""

    id: int
    email: str
    group: str
    manager_email: str


def invitation_of(app, token: str) -> Linked:
    with app.app_context():
        invitation = _db.session.scalar(
            sa.select(Invitation)
            .join(InvitationToken, InvitationToken.invitation_id == Invitation.id)
            .where(InvitationToken.token_hash == hash_token(token))
        )
        assert invitation is not None, "a link in a mail belongs to no invitation"
        return Linked(
            invitation.id,
            invitation.email,
            str(invitation.group),
            invitation.participant.person.email,
        )


def follow_job(client, location: str, title: str, flash: str | None = None) -> str:
    """Follow a job like HR's browser: the full page once (with the message of the action
    that started it), then its htmx partial until the job is finished (the partial stops
    polling). Returns the last partial."""
    job_url = path_of(location)
    assert re.fullmatch(r"/jobs/[0-9a-f\-]{36}", job_url), location
    page = client.get(job_url)
    assert page.status_code == 200
    assert f"<h1>{title}</h1>" in text(page)
    if flash:
        assert flash in text(page)
    deadline = time.monotonic() + JOB_WAIT_LIMIT_SECONDS
    while True:
        partial = client.get(job_url, headers=HX)
        assert partial.status_code == 200
        body = text(partial)
        assert "<html" not in body and 'id="job-progress"' in body
        if "hx-trigger" not in body:  # finished: the partial no longer polls
            return body
        if time.monotonic() > deadline:
            pytest.fail(f"the job at {job_url} did not finish: {body}")
        time.sleep(0.2)


def job_succeeded(body: str) -> bool:
    return "<strong>Done</strong>" in body and 'role="alert"' not in body


@dataclass
class Rater:
    """One invitation as the test knows it from the mail that carried its link."""

    manager: int
    group: str
    email: str
    token: str
    invitation_id: int

    @property
    def url(self) -> str:
        return f"/s/{self.token}"


@dataclass
class Scenario:
    app: object
    hr: object  # the logged-in HR client
    smtp: SmtpServer
    people: dict[str, dict]
    round_id: int | None = None
    participants: dict[int, int] = field(default_factory=dict)  # manager no. -> participant id
    raters: list[Rater] = field(default_factory=list)
    answered: set[int] = field(default_factory=set)  # invitation ids
    tokens: set[str] = field(default_factory=set)  # every plain token seen in a mail
    password_links: dict[str, str] = field(default_factory=dict)  # manager e-mail -> path

    def rater(self, manager: int, group: str, email: str | None = None) -> Rater:
        found = [
            r
            for r in self.raters
            if r.manager == manager and r.group == group and (email is None or r.email == email)
        ]
        assert found, (manager, group, email)
        return found[0]

    def post(self, client, url: str, page: str, data: dict | None = None, **kwargs):
        return client.post(url, data={**(data or {}), "csrf_token": csrf(page)}, **kwargs)


def survey_fields(page: str) -> tuple[list[str], list[str]]:
    statements = list(dict.fromkeys(re.findall(r'name="(s\d+)"', page)))
    questions = list(dict.fromkeys(re.findall(r'name="(q:[^"]+)"', page)))
    return statements, questions


THANKS = {"nl": "<h1>Dank je wel!</h1>", "en": "<h1>Thank you!</h1>"}
ALREADY = {"nl": "<h1>Al verstuurd</h1>", "en": "<h1>Already submitted</h1>"}


@dataclass
class Filled:
    """A rater's browser with the filled-in survey form, as it was submitted."""

    browser: object
    form: str
    data: dict


def answer(s: Scenario, rater: Rater, score: str, *, autosave_first: bool = False) -> Filled:
    """Open the link in a fresh browser, fill in everything and submit as a plain form post
    (after one htmx autosave when asked); the thank-you page must follow."""
    browser = s.app.test_client()
    page = browser.get(rater.url)
    assert page.status_code == 200
    form = text(page)
    statements, questions = survey_fields(form)
    assert len(statements) >= 18 and questions and 'name="grade"' in form
    data = dict.fromkeys(statements, score)
    data[questions[0]] = f"Goed bezig, {score} van 5."
    data["grade"] = "7"
    if autosave_first:
        saved = browser.post(
            f"{rater.url}/answer",
            data={statements[0]: score},
            headers={**HX, "X-CSRFToken": csrf(form)},
        )
        assert saved.status_code == 200 and "<html" not in text(saved)
        assert "saved" in text(saved)
        again = text(browser.get(rater.url))  # the draft is there on the next visit
        assert re.search(rf'name="{statements[0]}" value="{score}" checked', again)
        del data[statements[0]]  # submitted from the draft
    done = s.post(browser, rater.url, form, data)
    assert done.status_code == 200
    assert THANKS[s.people[rater.email]["language"]] in text(done), text(done)
    s.answered.add(rater.invitation_id)
    return Filled(browser, form, data)


def plain_tokens_in_database(app, tokens: set[str]) -> list[tuple[str, dict]]:
    """Every row of every table that holds one of the plain tokens, as (table, row)."""
    hits = []
    with app.app_context():
        for table in _db.metadata.sorted_tables:
            for row in _db.session.execute(sa.select(table)).mappings():
                values = " ".join(str(v) for v in row.values() if v is not None)
                if any(token in values for token in tokens):
                    hits.append((table.name, dict(row)))
    return hits


def assert_no_plain_tokens(s: Scenario) -> None:
    """No plain token of any link ever sent is stored anywhere (a mail waiting for the
    SMTP server keeps its link sealed, not in plain text)."""
    # The scan does see what is stored: a rater's address is (their invitation).
    assert plain_tokens_in_database(s.app, {s.raters[0].email}), "the scan finds nothing"
    assert plain_tokens_in_database(s.app, s.tokens) == []


def receive(s: Scenario, start: int) -> list:
    """The mails that arrived at the SMTP server since `start`; remembers their tokens."""
    mails = s.smtp.received[start:]
    for mail in mails:
        for part in ("plain", "html"):
            s.tokens.update(SURVEY_LINK.findall(mail.part(part)))
            s.tokens.update(PASSWORD_LINK.findall(mail.part(part)))
    return mails


def round_page_hides_raters(s: Scenario, rated: set[int]) -> None:
    """While the round is open, HR's round page shows managers and counts, no rater."""
    page = text(s.hr.get(f"/admin/rounds/{s.round_id}"))
    assert '<span class="badge open">open</span>' in page
    # With the live counts the page polls (an htmx partial): nobody's e-mail address at
    # all, not the raters', not even the managers'.
    partial = text(s.hr.get(f"/admin/rounds/{s.round_id}/dashboard", headers=HX)).strip()
    assert partial.startswith('<section class="card dashboard"')
    page += partial
    assert "@" + DOMAIN not in page
    for r in s.raters:
        if r.group == "self":
            continue
        assert r.email not in page, f"the open round page shows the rater {r.email}"
        assert s.people[r.email]["name"] not in page
    for i in rated:
        assert manager_name(i) in page


# --- fixtures ------------------------------------------------------------------------------


@pytest.fixture
def smtp(app):
    server = SmtpServer().start()
    yield server
    shutdown_pool(app)  # jobs that deliver mail talk to this server: let them end first
    shutdown_pdf_process()
    server.stop()


@pytest.fixture
def scenario(app, client, auth, smtp):
    with app.app_context():
        make_user(role="hr", email="hr@example.test")
    assert auth.login("hr@example.test").status_code == 302
    # From here on as in production: CSRF tokens required, mail through SMTP, local jobs.
    app.config.update(
        WTF_CSRF_ENABLED=True,
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=smtp.port,
        MAIL_USE_TLS=False,
        MAIL_USE_SSL=False,
        MAIL_FROM="Feedback HR <hr@example.test>",
        REDIS_URL=None,
    )
    data, people = organisation_csv()
    return Scenario(app=app, hr=client, smtp=smtp, people=people), data


# --- the round -----------------------------------------------------------------------------


def test_a_whole_feedback_round(scenario, monkeypatch):
    s, csv_data = scenario
    import_organisation(s, csv_data)
    hr_switches_to_english(s)
    create_round_and_review_raters(s)
    launch_and_receive_invitations(s)
    raters_answer(s)
    an_hour_later(monkeypatch)
    send_reminders(s)
    close_and_publish(s)
    manager_reads_own_report(s)
    build_all_pdfs(s)
    export_and_heat_map(s)
    assert_no_plain_tokens(s)


# Step 1 -------------------------------------------------------------------------------------


def import_organisation(s: Scenario, csv_data: bytes) -> None:
    hr = s.hr
    form = text(hr.get("/people/import"))
    uploaded = hr.post(
        "/people/import",
        data={"file": (io.BytesIO(csv_data), "organisatie.csv"), "csrf_token": csrf(form)},
        content_type="multipart/form-data",
    )
    assert uploaded.status_code == 303, text(uploaded)
    preview_url = path_of(uploaded.headers["Location"])
    preview = hr.get(preview_url)
    assert preview.status_code == 200
    preview_page = text(preview)
    total = len(s.people)
    # HR's browser asks for no language: the pages are in Dutch, the default.
    assert f"{total} rijen. Er is nog niets gewijzigd." in preview_page
    assert f"{total} nieuw, 0 bijgewerkt importeren" in preview_page
    assert scalar(s.app, sa.select(sa.func.count()).select_from(Person)) == 0

    imported = s.post(hr, preview_url, preview_page)
    assert imported.status_code == 200
    assert f"<li>{total} nieuw</li>" in text(imported)
    people = text(hr.get("/people/"))
    assert f"{total} personen" in people
    assert total == 1 + MANAGERS + sum(team_size(i) for i in range(1, MANAGERS + 1))


def hr_switches_to_english(s: Scenario) -> None:
    """HR reads on in English: the switch on every page, kept with HR's account."""
    page = text(s.hr.get("/people/"))
    assert '<html lang="nl">' in page and "Uitloggen" in page
    switched = s.post(s.hr, "/language", page, {"language": "en", "next": "/people/"})
    assert switched.status_code == 303 and switched.headers["Location"] == "/people/"
    page = text(s.hr.get("/people/"))
    assert '<html lang="en">' in page and "Log out" in page and "Uitloggen" not in page


# Step 2 -------------------------------------------------------------------------------------


def create_round_and_review_raters(s: Scenario) -> None:
    hr = s.hr
    new = text(hr.get("/admin/rounds/new"))
    # Everyone with a team can be rated: the 300 sales managers and their director.
    assert f"0 of {MANAGERS + 1} managers selected" in new
    ids = dict(
        (email, int(pid))
        for pid, email in re.findall(
            r'name="manager_ids" value="(\d+)".*?<span class="muted small">([^ <]+)', new, re.S
        )
    )
    assert len(ids) == MANAGERS + 1
    today = date.today()
    created = s.post(
        hr,
        "/admin/rounds/new",
        new,
        {
            "name": ROUND,
            "opens_on": today.isoformat(),
            "closes_on": (today + timedelta(days=14)).isoformat(),
            "threshold": "3",
            "search": "",
            "manager_ids": [str(ids[manager_email(i)]) for i in RATED],
            "action": "create",
        },
    )
    assert created.status_code == 303, text(created)
    s.round_id = int(re.search(r"/admin/rounds/(\d+)$", created.headers["Location"]).group(1))

    # HR reviews the proposed raters: self, every rep, the director as supervisor.
    page = text(hr.get(f"/admin/rounds/{s.round_id}"))
    sections = dict(
        (int(m.group(2)[len("Manager ") :]), (int(m.group(1)), m.group(0)))
        for m in re.finditer(
            r'<section class="card participant" id="p-(\d+)">\s*<h3>(Manager \d+) .*?</section>',
            page,
            re.S,
        )
    )
    assert set(sections) == set(RATED)
    for i, (participant_id, section) in sections.items():
        s.participants[i] = participant_id
        assert manager_email(i) in section  # self
        assert f"dirk@{DOMAIN}" in section  # supervisor
        assert all(rep_email(i, j) in section for j in range(1, team_size(i) + 1))
        for label, count in (("Self", 1), ("Supervisor", 1), ("Direct reports", team_size(i))):
            assert f'{label} <span class="muted">({count})</span>' in section
        assert 'Peers <span class="muted">(0)</span>' in section

    # ... and adds a peer by hand (a rep of a team outside the round).
    added = s.post(
        hr,
        f"/admin/rounds/{s.round_id}/managers/{s.participants[1]}/raters",
        page,
        {"who": PEER, "group": "peer"},
    )
    assert added.status_code == 303
    page = text(hr.get(f"/admin/rounds/{s.round_id}"))
    assert "Added Rep 010-1." in page
    assert PEER in page and 'Peers <span class="muted">(1)</span>' in page


def launch_and_receive_invitations(s: Scenario) -> None:
    hr = s.hr
    confirm = hr.get(f"/admin/rounds/{s.round_id}/launch")
    assert confirm.status_code == 200
    invited = sum(team_size(i) + 2 for i in RATED) + 1  # reps, self, supervisor; the peer
    assert f"{len(RATED)} managers, {invited} raters" in text(confirm)
    assert not s.smtp.received

    launched = s.post(hr, f"/admin/rounds/{s.round_id}/launch", text(confirm))
    assert launched.status_code == 303
    # The launch queued the mail and handed it to a background job: follow it.
    body = follow_job(
        hr,
        launched.headers["Location"],
        "Sending e-mail",
        f"{invited} invitations and {len(RATED)} set-password e-mails to managers are being sent",
    )
    assert job_succeeded(body), body
    assert f"{invited + len(RATED)} of {invited + len(RATED)} e-mails" in body

    mails = receive(s, 0)
    invitations = [m for m in mails if SURVEY_LINK.search(m.part("plain"))]
    passwords = [m for m in mails if PASSWORD_LINK.search(m.part("plain"))]
    assert len(invitations) == invited and len(passwords) == len(RATED)
    assert len(mails) == invited + len(RATED)

    for mail in invitations:
        token = SURVEY_LINK.search(mail.part("plain")).group(1)
        assert token in mail.part("html")
        invitation = invitation_of(s.app, token)
        assert invitation.email == mail.to
        manager = int(invitation.manager_email[len("manager") :][:3])
        s.raters.append(Rater(manager, str(invitation.group), mail.to, token, invitation.id))
        # In the rater's own language.
        language = s.people[mail.to]["language"]
        subject = mail.message["Subject"]
        if invitation.group == "self":
            expected = {"nl": "Je zelfbeoordeling", "en": "Your self-assessment"}[language]
        else:
            expected = {"nl": "Je feedback over", "en": "Your feedback on"}[language]
        assert subject.startswith(expected), (mail.to, subject)
        link_line = {"nl": "Je persoonlijke link", "en": "Your personal link"}[language]
        assert link_line in mail.part("plain")
    # One mail per invitation: every invitation got exactly one link.
    all_ids = set(scalars(s.app, sa.select(Invitation.id).where(Invitation.round_id == s.round_id)))
    assert sorted(r.invitation_id for r in s.raters) == sorted(all_ids)
    assert {r.email for r in s.raters if r.group == "peer"} == {PEER}
    assert len([r for r in s.raters if r.email == f"dirk@{DOMAIN}"]) == len(RATED)

    # Each personal link works (the survey form, in the rater's language).
    browser = s.app.test_client()
    for r in s.raters:
        page = browser.get(r.url)
        assert page.status_code == 200
        lang = s.people[r.email]["language"]
        assert f'<html lang="{lang}">' in text(page)
        if r.group == "self":  # the manager's own link asks for their own view
            own = {"nl": "<h1>Je zelfbeoordeling</h1>", "en": "<h1>Your self-assessment</h1>"}
            assert own[lang] in text(page)
        else:
            assert manager_name(r.manager) in text(page)

    for mail in passwords:
        s.password_links[mail.to] = path_of(PASSWORD_LINK.search(mail.part("plain")).group(0))
    assert set(s.password_links) == {manager_email(i) for i in RATED}

    round_page_hides_raters(s, set(RATED))
    assert_no_plain_tokens(s)


# Step 3 -------------------------------------------------------------------------------------


def raters_answer(s: Scenario) -> None:
    # Manager 1: self, supervisor, the peer and four of five reps (one autosaves first).
    answer(s, s.rater(1, "self"), "5")
    answer(s, s.rater(1, "supervisor"), "3")
    answer(s, s.rater(1, "peer"), "2")
    answer(s, s.rater(1, "direct_report", rep_email(1, 1)), "4", autosave_first=True)
    filled = {j: answer(s, s.rater(1, "direct_report", rep_email(1, j)), "4") for j in (2, 3, 4)}
    # Manager 2 (English): self and all three reps.
    answer(s, s.rater(2, "self"), "4")
    filled_en = answer(s, s.rater(2, "direct_report", rep_email(2, 1)), "5")
    for j in (2, 3):
        answer(s, s.rater(2, "direct_report", rep_email(2, j)), "3")
    # Manager 3: the supervisor and one rep (too few others for any figure).
    answer(s, s.rater(3, "supervisor"), "4")
    answer(s, s.rater(3, "direct_report", rep_email(3, 1)), "2")
    # Manager 5: only the self-assessment.
    answer(s, s.rater(5, "self"), "4")

    # A double submit (the same form posted again, other scores): "already submitted",
    # in the rater's language, and nothing changes.
    # Sealed until the round closes: one envelope per rater who submitted.
    count_responses = sa.select(sa.func.count()).select_from(SealedResponse)
    before = scalar(s.app, count_responses)
    for done, rater, lang in (
        (filled[2], s.rater(1, "direct_report", rep_email(1, 2)), "nl"),
        (filled_en, s.rater(2, "direct_report", rep_email(2, 1)), "en"),
    ):
        again = s.post(done.browser, rater.url, done.form, dict.fromkeys(done.data, "1"))
        assert again.status_code == 200 and ALREADY[lang] in text(again)
        assert ALREADY[lang] in text(done.browser.get(rater.url))
    assert scalar(s.app, count_responses) == before
    assert before == len(s.answered)

    # HR's dashboard counts answers, never who.
    submitted = set(
        scalars(
            s.app,
            sa.select(Invitation.id).where(
                Invitation.round_id == s.round_id, Invitation.submitted.is_(True)
            ),
        )
    )
    assert submitted == s.answered
    round_page_hides_raters(s, set(RATED))


# Step 4 -------------------------------------------------------------------------------------


def an_hour_later(monkeypatch) -> None:
    """HR's counts move at most once an hour: the clock moves on, so they are counted anew."""
    from feedback import clock

    real = clock.utcnow
    monkeypatch.setattr(clock, "utcnow", lambda: real() + timedelta(hours=1, minutes=1))


def send_reminders(s: Scenario) -> None:
    hr = s.hr
    pending = {r.invitation_id for r in s.raters} - s.answered
    page = text(hr.get(f"/admin/rounds/{s.round_id}"))
    assert f"{len(pending)} raters had not answered yet." in page
    assert "Send reminders now…" in page

    confirm = hr.get(f"/admin/rounds/{s.round_id}/remind")
    assert confirm.status_code == 200 and "Send reminders now" in text(confirm)
    start = len(s.smtp.received)
    sent = s.post(hr, f"/admin/rounds/{s.round_id}/remind", text(confirm))
    assert sent.status_code == 303
    body = follow_job(
        hr, sent.headers["Location"], "Sending e-mail", f"Reminders sent to {len(pending)} raters."
    )
    assert job_succeeded(body), body

    reminders = receive(s, start)
    assert len(reminders) == len(pending)
    new_links: dict[int, str] = {}
    for mail in reminders:
        token = SURVEY_LINK.search(mail.part("plain")).group(1)
        invitation = invitation_of(s.app, token)
        assert invitation.email == mail.to
        new_links[invitation.id] = token
    # Only the raters who have not answered, each once.
    assert set(new_links) == pending
    expected_to = sorted(r.email for r in s.raters if r.invitation_id in pending)
    assert sorted(m.to for m in reminders) == expected_to

    # The new link works, and so does the original one.
    first = s.rater(4, "direct_report", rep_email(4, 1))
    browser = s.app.test_client()
    assert new_links[first.invitation_id] != first.token
    for token in (new_links[first.invitation_id], first.token):
        page = browser.get(f"/s/{token}")
        assert page.status_code == 200 and manager_name(4) in text(page)
    # A rater answers through the reminder's link; another through the original one.
    answer(
        s,
        Rater(4, "direct_report", first.email, new_links[first.invitation_id], first.invitation_id),
        "3",
    )
    answer(s, s.rater(4, "direct_report", rep_email(4, 2)), "3")

    # HR learns how many were reminded, never who: not on the round page, not in the outbox.
    round_page = text(hr.get(f"/admin/rounds/{s.round_id}"))
    outbox = text(hr.get("/admin/outbox"))
    assert outbox.count("recipient hidden") == len(reminders)
    # Not even the subject: its language could point at the one English rater left.
    assert outbox.count("Reminder (subject hidden)") == len(reminders)
    assert "Herinnering:" not in outbox and "Reminder: your feedback" not in outbox
    reminder_ids = scalars(
        s.app, sa.select(OutboxMessage.id).where(OutboxMessage.kind == "reminder")
    )
    assert len(reminder_ids) == len(reminders)
    details = [text(hr.get(f"/admin/outbox/{i}")) for i in reminder_ids]
    rows = re.findall(r"<tr>.*?</tr>", outbox, re.S)
    reminder_rows = [row for row in rows if ">reminder<" in row]
    assert len(reminder_rows) == len(reminders)
    for r in s.raters:
        if r.invitation_id not in pending:
            continue
        assert all(r.email not in row for row in reminder_rows)
        assert all(r.email not in detail for detail in details)
        if r.group != "self":
            assert r.email not in round_page
    assert all("@" + DOMAIN not in detail for detail in details)
    round_page_hides_raters(s, set(RATED))
    assert_no_plain_tokens(s)


# Step 5 -------------------------------------------------------------------------------------


def close_and_publish(s: Scenario) -> None:
    hr = s.hr
    late = s.rater(1, "direct_report", rep_email(1, 5))
    browser = s.app.test_client()
    form = text(browser.get(late.url))  # opened before the close, submitted after it

    confirm = hr.get(f"/admin/rounds/{s.round_id}/close")
    assert confirm.status_code == 200
    closed = s.post(hr, f"/admin/rounds/{s.round_id}/close", text(confirm))
    assert closed.status_code == 303
    assert "The round is closed." in text(hr.get(f"/admin/rounds/{s.round_id}"))

    # A late answer gets the very page an unknown link gets.
    unknown = browser.get(f"/s/{uuid.uuid4().hex}")
    assert unknown.status_code == 404
    statements, _ = survey_fields(form)
    refused = s.post(browser, late.url, form, dict.fromkeys(statements, "4"))
    assert refused.status_code == 404
    assert without_csrf(text(refused)) == without_csrf(text(unknown))
    assert browser.get(late.url).status_code == 404
    saved = browser.post(
        f"{late.url}/answer", data={statements[0]: "4"}, headers={**HX, "X-CSRFToken": csrf(form)}
    )
    assert saved.status_code == 404

    confirm = hr.get(f"/admin/rounds/{s.round_id}/publish")
    assert confirm.status_code == 200
    published = s.post(hr, f"/admin/rounds/{s.round_id}/publish", text(confirm))
    assert published.status_code == 303
    assert "The reports are published." in text(hr.get(f"/admin/rounds/{s.round_id}"))
    refused = s.post(browser, late.url, form, dict.fromkeys(statements, "4"))
    assert refused.status_code == 404  # and after publication, for good
    assert scalar(s.app, sa.select(sa.func.count()).select_from(Response)) == len(s.answered)


def manager_reads_own_report(s: Scenario) -> None:
    manager = s.app.test_client()
    link = s.password_links[manager_email(1)]
    form = manager.get(link, headers={"Accept-Language": "en"})
    # In the language of the manager and of the mail that brought them here, not the browser's.
    assert form.status_code == 200 and "Stel je wachtwoord in" in text(form)
    done = s.post(manager, link, text(form), {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert done.status_code == 302
    assert manager.get(link).status_code == 404  # the link worked once

    # Logged in: their reports list, the report, the PDF.
    mine = manager.get("/reports/", follow_redirects=True)
    own = s.participants[1]
    assert mine.status_code == 200 and f"/reports/{own}" in text(mine)
    report = manager.get(f"/reports/{own}")
    assert report.status_code == 200 and manager_name(1) in text(report)
    pdf = manager.get(f"/reports/{own}.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert pdf.data.startswith(b"%PDF")
    # Another manager's report does not exist for them.
    other = s.participants[2]
    assert manager.get(f"/reports/{other}").status_code == 404
    assert manager.get(f"/reports/{other}.pdf").status_code == 404

    # And the password they chose works for a normal login.
    manager.post("/auth/logout", data={"csrf_token": csrf(text(report))})
    login = manager.get("/auth/login")
    again = s.post(
        manager, "/auth/login", text(login), {"email": manager_email(1), "password": NEW_PASSWORD}
    )
    assert again.status_code == 302
    assert manager.get(f"/reports/{own}").status_code == 200


# Step 6 -------------------------------------------------------------------------------------


def build_all_pdfs(s: Scenario) -> None:
    hr = s.hr
    page = text(hr.get(f"/admin/rounds/{s.round_id}"))
    action = f"/reports/rounds/{s.round_id}/pdfs"
    assert f'action="{action}"' in page and "Build all PDFs (ZIP)" in page
    started = s.post(hr, action, page)
    assert started.status_code == 303
    body = follow_job(hr, started.headers["Location"], "Building all PDFs")
    assert job_succeeded(body), body
    assert f"{len(RATED)} of {len(RATED)} reports" in body
    download = re.search(r'href="(/jobs/[0-9a-f\-]+/download)"', body).group(1)
    full = text(hr.get(path_of(started.headers["Location"])))
    assert download in full  # the full page offers the download too

    archive = hr.get(download)
    assert archive.status_code == 200
    data = archive.data
    archive.close()  # a file response: let go of the file
    with zipfile.ZipFile(io.BytesIO(data)) as zipped:
        names = zipped.namelist()
        assert len(names) == len(RATED)
        assert all(name.endswith(".pdf") for name in names)
        assert all(zipped.read(name).startswith(b"%PDF") for name in names)
    expected = {f"feedback-voorjaar-2027/feedback-voorjaar-2027-manager-{i:03d}.pdf" for i in RATED}
    assert set(names) == expected


def export_and_heat_map(s: Scenario) -> None:
    hr = s.hr
    page = text(hr.get(f"/admin/rounds/{s.round_id}"))
    xlsx_url = f"/insights/rounds/{s.round_id}/results.xlsx"
    assert xlsx_url in page
    response = hr.get(xlsx_url)
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.data), read_only=True)
    sheet = workbook.worksheets[0]  # the legs ("Poten" or "Legs": HR's language)
    rows = list(sheet.iter_rows(values_only=True))
    workbook.close()
    # The words are in the language of HR's request (the test's app context carries the
    # last one chosen): read it from the header; the columns are the exports' own.
    col = {name: index for index, name in enumerate(exports.LEG_COLUMNS)}
    lang = "en" if rows[0][col["group"]] == "Group" else "nl"
    assert rows[0][col["group"]] == {"en": "Group", "nl": "Groep"}[lang]
    rows = rows[1:]
    names = {
        "nl": {
            agg.ALL_OTHERS: "Alle anderen",
            agg.PEER: "Collega's",
            agg.DIRECT_REPORT: "Medewerkers",
        },
        "en": {
            agg.ALL_OTHERS: "All others",
            agg.PEER: "Peers",
            agg.DIRECT_REPORT: "Direct reports",
        },
    }[lang]

    def rows_of(i: int, group: str) -> list[tuple]:
        label = names[group]
        return [
            r for r in rows if r[col["manager"]] == manager_name(i) and r[col["group"]] == label
        ]

    # Manager 1: six others answered (supervisor 3, peer 2, four reps 4). The lone peer is
    # below the threshold and so is its pool: left out of every figure rather than pooled
    # with the reps (who meet it on their own), never shown by name. So every leg's
    # all-others mean is the supervisor and the reps: (3 + 4 * 4) / 5 = 3.8, n 5.
    visible = rows_of(1, agg.ALL_OTHERS)
    assert [(r[col["n"]], r[col["mean"]]) for r in visible] == [(5, 3.8)] * 6
    assert all(r[col["n"]] is None and r[col["mean"]] is None for r in rows_of(1, agg.PEER))
    # Manager 3's direct reports (one answer) and all-others: no figure, just a note.
    hidden = rows_of(3, agg.DIRECT_REPORT) + rows_of(3, agg.ALL_OTHERS)
    assert len(hidden) == 12
    for r in hidden:
        assert (r[col["n"]], r[col["mean"]], r[col["sd"]], r[col["norm"]]) == (None,) * 4
        assert {"nl": "minder dan 3", "en": "fewer than 3"}[lang] in r[col["note"]]

    # The heat map: names, figures where shown, "—" where the threshold hides them.
    overview = hr.get(f"/insights/rounds/{s.round_id}")
    assert overview.status_code == 200
    heat = text(overview)
    for i in RATED:
        assert manager_name(i) in heat

    def cells(i: int) -> list[tuple[str, str]]:
        row = re.search(rf'<th scope="row" class="name">{manager_name(i)}.*?</tr>', heat, re.S)
        assert row, manager_name(i)
        return re.findall(r'<td class="heat ([\w-]+)[^"]*"[^>]*>([^<]*)', row.group(0))

    assert [value for _css, value in cells(1)] == [{"nl": "3,8", "en": "3.8"}[lang]] * 6
    assert "heat-hidden" not in {css for css, _value in cells(1) + cells(2)}
    for i in (3, 4, 5):
        assert cells(i) == [("heat-hidden", "—")] * 6, manager_name(i)
