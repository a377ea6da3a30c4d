"""HR's pages, login and job pages in Dutch and in English: one language per page, dates in
the page's locale; the round page's notices true for the round's state and its sections in
the order HR works."""

import html
import re

import pytest
import sqlalchemy as sa

from feedback.admin import transitions
from feedback.admin.creation import create_round
from feedback.admin.launch import launch_round
from feedback.auth.services import issue_password_link
from feedback.extensions import db as _db
from feedback.models import Job, JobStatus, OutboxMessage, Participant
from tests.admin.admin_helpers import reload_round, settings
from tests.factories import login, make_person, make_user

# Words of one language that the other never uses (names, e-mail addresses and the round's
# name in the fixtures avoid them). Whole words, case-insensitive.
ENGLISH = (  # noqa: SIM905
    "the and with round rounds settings responses reminders retention results save "
    "cancel password answered invited raters hidden none remove sent planned launch "
    "close publish draft closed published invitations purge threshold back log days"
).split()
DUTCH = (  # noqa: SIM905
    "de het een en van ronde rondes instellingen respons herinneringen bewaren "
    "resultaten opslaan annuleren wachtwoord beoordelaars verborgen geen verwijderen "
    "verstuurd gepland starten sluiten publiceren concept gesloten gepubliceerd "
    "uitnodigingen wissen drempel terug inloggen dagen je niet"
).split()
OTHER = {"nl": ENGLISH, "en": DUTCH}
TAG = re.compile(r"<[^>]+>")
SHOWN_ATTRIBUTE = re.compile(r'(?:title|aria-label|placeholder)="([^"]*)"')


def hr_in(app, hr, lang):
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = lang
    return login(client, hr)


# A stored e-mail is in its recipient's language, whatever the page's: its subject (the
# outbox's links, the message page's heading) and its text are left out of the check.
MAIL = re.compile(
    r'<pre class="mail-body">.*?</pre>|<a href="/admin/outbox/\d+">.*?</a>|<h1>.*?</h1>', re.S
)


def shown_text(html: str) -> str:
    """What a reader sees of the page's own part: the title and <main>, its text and the
    attributes read out or shown (title, aria-label, placeholder); not a stored e-mail."""
    title = re.search(r"<title>(.*?)</title>", html, re.S).group(1)
    main = re.search(r"<main[^>]*>(.*)</main>", html, re.S).group(1)
    main = re.sub(r"<script.*?</script>", "", main, flags=re.S)
    if 'class="mail-body"' in main or "/admin/outbox/" in main:
        title, main = "", MAIL.sub(" ", main)
    return " ".join([title, *SHOWN_ATTRIBUTE.findall(main), TAG.sub(" ", main)])


def foreign_words(html: str, lang: str) -> set[str]:
    words = set(re.findall(r"[a-zà-ÿ]+", shown_text(html).lower()))
    return words & set(OTHER[lang])


def rounds_in_every_state(org) -> dict[str, int]:
    ids = {"draft": create_round(settings(name="Lente"), [org["anna"].id]).id}
    for state in ("open", "closed", "published"):
        rid = create_round(settings(name="Lente"), [org["anna"].id, org["bob"].id]).id
        launch_round(rid)
        if state in ("closed", "published"):
            transitions.close_round(rid)
        if state == "published":
            transitions.publish_round(rid)
        ids[state] = rid
    return ids


def hr_pages(ids: dict[str, int]) -> list[str]:
    message = _db.session.scalar(
        sa.select(OutboxMessage.id).where(OutboxMessage.kind == "invitation").limit(1)
    )
    return [
        "/admin/",
        "/admin/rounds/new",
        *(f"/admin/rounds/{rid}" for rid in ids.values()),
        f"/admin/rounds/{ids['draft']}/launch",
        f"/admin/rounds/{ids['open']}/close",
        f"/admin/rounds/{ids['closed']}/publish",
        f"/admin/rounds/{ids['open']}/remind",
        f"/admin/rounds/{ids['closed']}/purge",
        f"/admin/rounds/{ids['draft']}/close",  # refused: "This cannot be done now"
        "/admin/outbox",
        f"/admin/outbox/{message}",
    ]


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_every_hr_page_speaks_one_language(app, org, hr, lang):
    ids = rounds_in_every_state(org)
    client = hr_in(app, hr, lang)
    for url in hr_pages(ids):
        response = client.get(url)
        assert response.status_code == 200, url
        assert foreign_words(response.text, lang) == set(), url


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        ("nl", ["Feedbackrondes", "Nieuwe ronde", "Respons", "concept", "gepubliceerd"]),
        ("en", ["Feedback rounds", "New round", "Response rate", "draft", "published"]),
    ],
)
def test_the_rounds_list_in_each_language(app, org, hr, lang, words):
    rounds_in_every_state(org)
    page = hr_in(app, hr, lang).get("/admin/").text
    for word in words:
        assert word in page


@pytest.mark.parametrize(
    ("lang", "opens", "closes"),
    [("nl", "1 mrt 2027", "21 mrt 2027"), ("en", "Mar 1, 2027", "Mar 21, 2027")],
)
def test_dates_on_hr_pages_follow_the_locale(app, org, hr, lang, opens, closes):
    ids = rounds_in_every_state(org)
    client = hr_in(app, hr, lang)
    listed = client.get("/admin/").text
    assert opens in listed and closes in listed and "2027-03-01" not in listed
    page = client.get(f"/admin/rounds/{ids['open']}").text
    assert f"<dd>{opens}</dd>" in page and f"<dd>{closes}</dd>" in page
    assert "2027-03-21" not in shown_text(page)
    confirm = client.get(f"/admin/rounds/{ids['open']}/close").text
    assert opens in confirm and closes in confirm


@pytest.mark.parametrize(
    ("lang", "counted"), [("nl", r"Geteld op \d+ \w+ \d{4}, \d\d:\d\d\."), ("en", None)]
)
def test_count_times_follow_the_locale(app, org, hr, lang, counted):
    ids = rounds_in_every_state(org)
    page = hr_in(app, hr, lang).get(f"/admin/rounds/{ids['open']}").text
    if counted:
        assert re.search(counted, page)
    else:
        assert re.search(r"Counted at [A-Z][a-z]{2} \d+, \d{4}, \d\d:\d\d\.", page)
    assert " UTC" not in page


def test_flash_messages_and_form_errors_in_dutch(app, org, hr):
    rid = create_round(settings(), [org["anna"].id]).id
    client = hr_in(app, hr, "nl")
    data = {"name": "Lente", "threshold": "1", "opens_on": "2027-03-01", "closes_on": "2027-03-21"}
    refused = client.post(f"/admin/rounds/{rid}/settings", data=data).text
    assert "Een geheel getal van 2 tot en met 50." in refused
    data["threshold"] = "4"
    saved = client.post(f"/admin/rounds/{rid}/settings", data=data, follow_redirects=True).text
    assert "Instellingen opgeslagen." in saved
    participant = _db.session.scalar(sa.select(Participant.id).where(Participant.round_id == rid))
    rater = client.post(
        f"/admin/rounds/{rid}/managers/{participant}/raters",
        data={"who": "nobody", "group": "peer"},
        follow_redirects=True,
    ).text
    assert "Niemand in de organisatie past bij &#39;nobody&#39;." in rater


# --- the round page: notices per state, sections in order --------------------------------

NOTICES = {
    "draft": None,
    "open": "Settings are fixed once a round is launched: raters were told these dates.",
    "closed": "The round is closed: its dates, threshold and framework no longer change.",
    "published": "The reports are published: the round's dates, threshold and framework are final",
}


def lock_note(page: str) -> str | None:
    found = re.search(r'<p class="lock-note">(.*?)</p>', page, re.S)
    return html.unescape(TAG.sub("", found.group(1))) if found else None


def test_the_settings_notice_is_true_for_every_state(app, org, hr):
    ids = rounds_in_every_state(org)
    client = hr_in(app, hr, "en")
    for state, notice in NOTICES.items():
        note = lock_note(client.get(f"/admin/rounds/{ids[state]}").text)
        if notice is None:
            assert note is None, state
        else:
            assert notice in note, state
        # Only an open round with answers (or a draft's locked threshold) says they arrive.
        assert note is None or "have started to arrive" not in note, state
    closed = lock_note(client.get(f"/admin/rounds/{ids['closed']}").text)
    assert closed.startswith("Locked.")
    published = lock_note(client.get(f"/admin/rounds/{ids['published']}").text)
    assert published.startswith("Final.") and "Locked." not in published


def test_an_open_round_with_answers_says_so_and_a_closed_one_does_not(app, org, hr):
    ids = rounds_in_every_state(org)
    for state in ("open", "closed", "published"):
        reload_round(ids[state]).answers_started = True
        _db.session.commit()
    client = hr_in(app, hr, "en")
    note = lock_note(client.get(f"/admin/rounds/{ids['open']}").text)
    assert "raters were told these dates" in note and "answers have started to arrive" in note
    for state in ("closed", "published"):
        note = lock_note(client.get(f"/admin/rounds/{ids[state]}").text)
        assert "have started to arrive" not in note, state
    dutch = lock_note(hr_in(app, hr, "nl").get(f"/admin/rounds/{ids['published']}").text)
    assert dutch.startswith("Definitief.") and "komen al antwoorden binnen" not in dutch


def test_a_drafts_locked_threshold_is_explained(app, org, hr):
    rid = create_round(settings(), [org["anna"].id]).id
    reload_round(rid).answers_started = True
    _db.session.commit()
    note = lock_note(hr_in(app, hr, "en").get(f"/admin/rounds/{rid}").text)
    assert note.startswith("Locked.") and "answers have started to arrive" in note


def section_order(page: str) -> list[str]:
    wanted = ("readiness", "dashboard", "reminders", "mail", "results", "retention")
    found = re.findall(r'<section class="card[^"]*" id="([a-z-]+)"', page)
    return [s for s in found if s in wanted]


@pytest.mark.parametrize(
    ("state", "order"),
    [
        ("draft", ["readiness", "reminders"]),
        ("open", ["dashboard", "reminders", "retention"]),
        ("closed", ["dashboard", "results", "retention"]),
        ("published", ["dashboard", "results", "retention"]),
    ],
)
def test_the_round_page_comes_in_the_order_hr_works(app, org, hr, state, order):
    """Responses (the raters, before launch), reminders, results, then retention."""
    ids = rounds_in_every_state(org)
    page = hr_in(app, hr, "en").get(f"/admin/rounds/{ids[state]}").text
    assert section_order(page) == order
    if state == "draft":  # the raters of a draft come before the reminders
        assert page.index('class="card participant"') < page.index('id="reminders"')


@pytest.mark.parametrize(
    ("lang", "open_text", "closed_text"),
    [
        ("en", "purged 90 days after the round closes.", "90 days after the round closed, on"),
        ("nl", "90 dagen na de sluiting van de ronde gewist.", "gewist, op of na"),
    ],
)
def test_the_retention_notice_fits_the_state(app, org, hr, lang, open_text, closed_text):
    ids = rounds_in_every_state(org)
    client = hr_in(app, hr, lang)
    assert open_text in client.get(f"/admin/rounds/{ids['open']}").text
    assert closed_text in client.get(f"/admin/rounds/{ids['closed']}").text


# --- login, set password, jobs, errors ------------------------------------------------------


@pytest.mark.parametrize(
    ("lang", "words", "refusal"),
    [
        ("nl", ["Inloggen", "E-mailadres", "Wachtwoord"], "E-mailadres of wachtwoord klopt niet."),
        ("en", ["Log in", "E-mail", "Password"], "E-mail or password is not right."),
    ],
)
def test_the_login_page_follows_the_browser(app, db, lang, words, refusal):
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = lang
    page = client.get("/auth/login").text
    for word in words:
        assert word in page
    assert foreign_words(page, lang) == set()
    wrong = client.post("/auth/login", data={"email": "x@example.test", "password": "nope"})
    assert refusal in wrong.text and foreign_words(wrong.text, lang) == set()


def test_the_set_password_page_in_dutch(app, db):
    user = make_user(db, role="manager", person=make_person(db, role="manager"))
    token = issue_password_link(user)
    db.session.commit()
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "nl"
    page = client.get(f"/auth/password/{token}").text
    assert "Stel je wachtwoord in" in page and "minstens 10 tekens" in page
    assert foreign_words(page, "nl") == set()
    short = client.post(f"/auth/password/{token}", data={"password": "kort", "confirm": "kort"})
    assert "Gebruik minstens 10 en hoogstens 200 tekens." in short.text


@pytest.mark.parametrize(
    ("lang", "texts"),
    [
        ("nl", ["Alle PDF’s maken", "Klaar", "3 van 3 rapporten"]),
        ("en", ["Building all PDFs", "Done", "3 of 3 reports"]),
    ],
)
def test_a_job_page_in_each_language(app, db, hr, lang, texts):
    job = Job(kind="build_pdfs", status=JobStatus.DONE, done=3, total=3, message="3 of 3 reports")
    failed = Job(kind="send_mail", status=JobStatus.FAILED, error="The job was interrupted.")
    db.session.add_all([job, failed])
    db.session.commit()
    client = hr_in(app, hr, lang)
    page = client.get(f"/jobs/{job.id}").text
    for text in texts:
        assert text in page
    assert foreign_words(page, lang) == set()
    if lang == "nl":  # the job's stored (English) count is said in Dutch, once
        assert "3 of 3 reports" not in page and page.count("3 van 3 rapporten") == 1
    failure = client.get(f"/jobs/{failed.id}").text
    error = "De taak is onderbroken." if lang == "nl" else "The job was interrupted."
    assert error in failure and foreign_words(failure, lang) == set()


@pytest.mark.parametrize(("lang", "text"), [("nl", "Niet gevonden"), ("en", "Not found")])
def test_hrs_404_page_follows_the_language(app, db, hr, lang, text):
    page = hr_in(app, hr, lang).get("/admin/rounds/999")
    assert page.status_code == 404 and text in page.text


# --- the command line ------------------------------------------------------------------------


def test_commands_speak_the_default_language_or_the_one_asked_for(app, runner, org):
    assert runner.invoke(args=["rounds", "list"]).output == "Nog geen rondes.\n"
    assert runner.invoke(args=["rounds", "list", "--lang", "en"]).output == "No rounds yet.\n"
    rid = create_round(settings(name="Lente"), [org["anna"].id]).id
    dutch = runner.invoke(args=["rounds", "list"]).output
    header, line = dutch.splitlines()
    assert header.split() == ["ID", "STATUS", "OPENT", "SLUIT", "MANAGERS", "RESPONS", "NAAM"]
    assert "concept" in line and "niet gestart" in line and "2027-03-01" in line
    refused = runner.invoke(args=["rounds", "close", str(rid)])
    assert refused.exit_code == 1
    assert "Alleen een ronde die open is, kan worden gesloten; deze ronde is concept." in (
        refused.output
    )
    assert "Er is geen ronde die gewist moet worden." in (
        runner.invoke(args=["purge-invitations"]).output
    )
    unknown = runner.invoke(args=["password-link", "nobody@example.test", "--lang", "nl"])
    assert "Er is geen actief account met het e-mailadres nobody@example.test." in unknown.output


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_typed_text_inside_a_translated_sentence_stays_text(app, org, hr, lang):
    page = hr_in(app, hr, lang).post("/admin/rounds/new/managers", data={"search": "<b>x</b>"}).text
    assert "<b>x</b>" not in page and "“&lt;b&gt;x&lt;/b&gt;”" in page
