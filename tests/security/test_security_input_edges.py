"""The edges of what users can send: hostile `next` targets after login, bodies over the
size limit, over-long comments, bidirectional control characters, NUL bytes, and the
error pages a rater may meet on a survey link, in the rater's language."""

import io
import zipfile
from urllib.parse import quote, urlencode

import pytest
import sqlalchemy as sa
from flask import render_template_string
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook
from pypdf import PdfReader
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import BadRequest
from werkzeug.test import encode_multipart

from feedback import mail
from feedback.auth.routes import is_safe_next
from feedback.mail_texts import compose
from feedback.models import Person, RaterGroup, RoundStatus
from feedback.people.importing import FileError, parse_csv, parse_file, validate
from feedback.survey import answers as survey_answers
from feedback.survey import services as survey_services
from feedback.text import BIDI_CONTROLS, strip_bidi
from tests.factories import (
    PASSWORD,
    add_participant,
    add_response,
    draft_of,
    login,
    make_invitation,
    make_rated_manager,
    make_round,
    make_team,
    make_user,
    sealed_answers,
    statement_ids,
)
from tests.security.fuzz_settings import fuzz
from tests.security.security_helpers import snapshot

EVERY_BIDI = "".join(sorted(BIDI_CONTROLS))
RLO = "\u202e"


def _live_link(db, language="nl"):
    """A live survey link of a direct report in an open round, in `language`."""
    rnd, participant, _links = make_rated_manager(db, reports=0)
    invitation, token = make_invitation(db, participant, language=language)
    return rnd, invitation, token


def _no_bidi(text: str) -> bool:
    return not any(char in text for char in BIDI_CONTROLS)


# --- After login, `next` goes only to a page of this site -----------------------------------

HOSTILE_NEXT = [
    "/\r\n//evil.example",  # the CRLF that made the redirect header itself fail (500)
    "/\r//evil.example",
    "/\n/evil.example",
    "/\t/evil.example",  # browsers drop the tab: //evil.example
    "/ /evil.example",
    "//evil.example",
    "///evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "/x\\..\\..\\evil",
    "https://evil.example/",
    "HTTPS:evil.example",
    "javascript:alert(1)",
    "data:text/html,hi",
    "evil.example",
    " /reports/",
    "/reports/\x00",
    "/\u2028//evil.example",
    "/\u3000/evil.example",
    "/ｅｖｉｌ",
    "",
]


@pytest.mark.parametrize("target", HOSTILE_NEXT)
def test_hostile_next_is_not_a_safe_target(target):
    assert not is_safe_next(target)
    assert not is_safe_next(None) and not is_safe_next(["/reports/"])


@pytest.mark.parametrize("target", ["/", "/reports/", "/people/?q=%C3%A9&page=2", "/%0D%0A"])
def test_local_paths_are_safe_targets(target):
    assert is_safe_next(target)


@pytest.mark.parametrize(
    "raw_next",
    ["/%0D%0A//evil.com", "/%0A/evil.com", "/%09/evil.com", "%2F%2Fevil.com", "/%5Cevil.com"],
)
def test_login_with_a_hostile_next_goes_home_not_500(app, db, raw_next):
    user = make_user(db, role="hr")
    client = app.test_client()
    response = client.post(
        f"/auth/login?next={raw_next}", data={"email": user.email, "password": PASSWORD}
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_login_follows_a_local_next_with_a_query(app, db):
    user = make_user(db, role="hr")
    client = app.test_client()
    target = "/people/?q=%C3%A9"
    response = client.post(
        f"/auth/login?next={quote(target, safe='')}",
        data={"email": user.email, "password": PASSWORD},
    )
    assert response.headers["Location"] == target


def _as_a_browser_reads_it(target: str) -> str:
    """What a browser makes of a Location value: tabs and newlines dropped, "\\" as "/"."""
    return target.replace("\t", "").replace("\n", "").replace("\r", "").replace("\\", "/")


@given(st.text(alphabet=st.sampled_from("/\\:.@?#%\t\r\n ae\x00\u2028"), max_size=12))
@fuzz(examples=300)
def test_a_safe_next_never_leaves_the_site_however_a_browser_reads_it(target):
    if is_safe_next(target):
        read = _as_a_browser_reads_it(target)
        assert read.startswith("/") and not read.startswith("//")
        assert target.isascii() and target.isprintable() and " " not in target


# --- Request size -------------------------------------------------------------------------


def _largest_survey_post(rnd, token_field="x" * 91):
    """Every statement, the grade and all three open answers at the limit, in 4-byte
    characters with line breaks as a browser sends them (CRLF): the largest real post."""
    comment = ("😀" * 39 + "\r\n") * 100  # 4000 characters when a newline counts once
    data = {f"s{sid}": "dk" for sid in statement_ids(rnd)}
    data |= {f"q:{q.key}": comment for q in rnd.framework.open_questions}
    data |= {"grade": "10", "action": "submit", "csrf_token": token_field, "draft_fingerprint": ""}
    return data, comment


def test_the_largest_legitimate_survey_post_is_accepted(app, db, client):
    rnd, invitation, token = _live_link(db)
    data, comment = _largest_survey_post(rnd)
    assert len(survey_answers.clean_comment(comment)) == app.config["MAX_COMMENT_LENGTH"]
    body = urlencode(data).encode()
    assert len(body) > 140_000  # it really is the worst case...
    assert len(body) < app.config["MAX_CONTENT_LENGTH"]  # ...and it fits
    response = client.post(f"/s/{token}", data=data)
    assert response.status_code == 200
    (answers,) = sealed_answers(db, rnd.id)
    assert set(answers.comments.values()) == {survey_answers.clean_comment(comment).strip()}


@pytest.mark.parametrize(
    ("language", "heading", "back"),
    [
        ("nl", "Dat was te veel tekst", "Terug naar de vragenlijst"),
        ("en", "That was too much text", "Back to the survey"),
    ],
)
@pytest.mark.parametrize("csrf", [False, True])
def test_a_body_over_the_limit_is_a_413_in_the_raters_language(
    app, db, client, language, heading, back, csrf
):
    """Refused unread (with CSRF on, before any view ran), nothing echoed, the draft kept."""
    rnd, invitation, token = _live_link(db, language)
    first = statement_ids(rnd)[0]
    client.post(f"/s/{token}/answer", data={f"s{first}": "4", "q:start": "kept"})
    app.config["WTF_CSRF_ENABLED"] = csrf
    before = snapshot(db)
    huge = "y" * (app.config["MAX_CONTENT_LENGTH"] + 1)
    for url in (f"/s/{token}", f"/s/{token}/answer"):
        response = client.post(
            url,
            data={"q:start": huge},
            headers={"Accept-Language": "nl" if language == "en" else "en"},
        )
        assert response.status_code == 413
        page = response.get_data(as_text=True)
        assert heading in page and back in page and f'<html lang="{language}">' in page
        assert "yyyyyyyyyy" not in page and len(page) < 10_000
    assert snapshot(db) == before
    assert draft_of(db, invitation.id) == {f"s{first}": "4", "q:start": "kept"}


def _csv_of_size(size: int) -> bytes:
    rows = ["name,email"]
    n = 0
    while sum(len(r) + 1 for r in rows) < size:
        rows.append(f"Person {n},person{n}@example.com")
        n += 1
    return "\n".join(rows).encode()


def test_only_the_people_import_may_send_more_than_a_form(app, db, client):
    login(client, make_user(db, role="hr"))
    # (test bodies stay under 500 kB: the test client spools bigger ones to a file it leaves open)
    app.config["UPLOAD_MAX_CONTENT_LENGTH"] = app.config["MAX_CONTENT_LENGTH"] + 100 * 1024
    bigger_than_a_form = _csv_of_size(app.config["MAX_CONTENT_LENGTH"] + 10_000)
    response = client.post(
        "/people/import",
        data={"file": (io.BytesIO(bigger_than_a_form), "people.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 303
    too_big = _csv_of_size(app.config["UPLOAD_MAX_CONTENT_LENGTH"] + 10_000)
    response = client.post(
        "/people/import",
        data={"file": (io.BytesIO(too_big), "people.csv")},
        content_type="multipart/form-data",
        headers={"Accept-Language": "en"},
    )
    assert response.status_code == 413
    page = response.get_data(as_text=True)
    assert "That file is too large" in page and "A file can be at most 0.3 MB." in page
    # Any other form keeps the form limit.
    response = client.post(
        "/admin/rounds/new", data={"name": "x" * (app.config["MAX_CONTENT_LENGTH"] + 1)}
    )
    assert response.status_code == 413


def test_the_configured_upload_limit_is_stated_in_megabytes(app, db, client):
    login(client, make_user(db, role="hr"))
    app.config["UPLOAD_MAX_CONTENT_LENGTH"] = 3 * 1024 * 1024
    response = client.post(
        "/people/import",
        data=b"x" * (3 * 1024 * 1024 + 1),  # refused on its length, unread
        content_type="multipart/form-data; boundary=x",
        headers={"Accept-Language": "en"},
    )
    assert response.status_code == 413
    assert "A file can be at most 3 MB." in response.get_data(as_text=True)


# --- Over-long comments: refused, not echoed, nothing lost ---------------------------------


def test_an_over_long_comment_is_refused_without_being_echoed(app, db, client):
    rnd, invitation, token = _live_link(db)
    first, second = statement_ids(rnd)[:2]
    client.post(f"/s/{token}/answer", data={f"s{first}": "4", "q:stop": "said before"})
    before = snapshot(db)
    long_comment = "Dit is veel tekst. " * 10_000  # 190,000 characters, under the body limit
    for action in ("submit", "save"):
        response = client.post(
            f"/s/{token}",
            data={f"s{second}": "2", "q:start": long_comment, "action": action},
        )
        assert response.status_code == 200
        page = response.get_data(as_text=True)
        # Dutch numbers, as Babel writes them
        assert "te lang: hoogstens 4.000 tekens (het zijn er 190.000)" in page
        assert "Hier staan alleen de eerste 4.000 tekens." in page
        assert long_comment[:4000] + "</textarea>" in page  # what fits, nothing more
        assert len(page) < 60_000
        assert f'name="s{second}" value="2" checked' in page  # the rest of the form stays
        assert "said before</textarea>" in page and 'href="#state-q-start-item"' in page
    response = client.post(f"/s/{token}/answer", data={"q:start": long_comment})
    assert response.status_code == 200 and len(response.get_data()) < 2_000
    assert snapshot(db) == before
    assert draft_of(db, invitation.id) == {f"s{first}": "4", "q:stop": "said before"}


def test_hostile_field_names_are_not_echoed(db, client):
    _rnd, _invitation, token = _live_link(db)
    long_name = "n" * 100_000
    response = client.post(f"/s/{token}/answer", data={long_name: "1", "<b>": "1"})
    assert response.status_code == 200
    assert "nnnnnnnnnn" not in response.get_data(as_text=True) and len(response.get_data()) < 500
    many = {f"unknown{n}": "1" for n in range(3000)}
    response = client.post(f"/s/{token}", data=many)
    page = response.get_data(as_text=True)
    assert page.count("Onbekend veld.") == 1 and "unknown2999" not in page


# --- What the fuzzing found (tests/security/test_fuzz_*.py), kept as plain tests ------------


def test_a_multipart_field_whose_name_cannot_be_read_is_an_unknown_field(db, client):
    """A CR in a part's name leaves the parser without a name (None): that was a 500."""
    _rnd, invitation, token = _live_link(db)
    boundary, body = encode_multipart(MultiDict([("a\rb", "1"), ("grade", "7")]))
    for url in (f"/s/{token}/answer", f"/s/{token}"):
        response = client.post(
            url, data=body, content_type=f"multipart/form-data; boundary={boundary}"
        )
        assert response.status_code == 200
    assert "Onbekend veld." in response.get_data(as_text=True)
    assert draft_of(db, invitation.id) == {}


def test_control_characters_in_a_person_are_a_row_error():
    rows = parse_csv(b"name,email,team,role\nAnn\x1b[31m,ann@example.com,No\x7ford,r\x08ep\n")
    (row,) = validate(rows, {}).rows
    assert row.errors == [
        "name contains a control character",
        "team contains a control character",
        "role contains a control character",
    ]


def test_a_workbook_with_a_corrupt_part_is_a_file_error():
    buffer = io.BytesIO()
    workbook = Workbook()
    workbook.active.append(["name", "email"])
    workbook.active.append(["Ann " * 50, "ann@example.com"])
    workbook.save(buffer)
    data = bytearray(buffer.getvalue())
    info = zipfile.ZipFile(io.BytesIO(bytes(data))).getinfo("xl/worksheets/sheet1.xml")
    start = info.header_offset + 30 + len(info.filename) + len(info.extra)
    data[start + 10 : start + 30] = b"\xff" * 20  # the deflate stream, not the zip directory
    with pytest.raises(FileError, match="not a readable XLSX"):
        parse_file("people.xlsx", bytes(data))


# --- Bidirectional controls ----------------------------------------------------------------


def test_strip_bidi_removes_every_control_and_keeps_right_to_left_letters():
    assert strip_bidi(f"a{EVERY_BIDI}b") == "ab"
    assert len(BIDI_CONTROLS) == 12
    arabic, hebrew = "مرحبا", "שלום"
    assert strip_bidi(f"{arabic} {RLO}{hebrew}") == f"{arabic} {hebrew}"


def test_validation_removes_bidi_controls_before_counting():
    text = RLO + "x" * 4000 + "\u2066"
    checked = survey_answers.validate_answers(set(), {"start"}, {"q:start": text}, 4000)
    assert checked.ok and checked.values == {"q:start": "x" * 4000}


def test_bidi_controls_never_reach_the_draft_or_the_envelope(db, client):
    rnd, invitation, token = _live_link(db)
    first = statement_ids(rnd)[0]
    client.post(f"/s/{token}/answer", data={"q:start": f"gnp{RLO}.exe"})
    assert draft_of(db, invitation.id) == {"q:start": "gnp.exe"}
    client.post(f"/s/{token}", data={f"s{first}": "3", "q:stop": f"{EVERY_BIDI}ok"})
    (answers,) = sealed_answers(db, rnd.id)
    assert answers.comments == {"start": "gnp.exe", "stop": "ok"}


def test_the_people_import_stores_names_and_teams_without_bidi(db, client):
    login(client, make_user(db, role="hr"))
    text = f"name,email,team\nAnn{RLO} de Vries,a{RLO}nn@example.com,{RLO}Noord\u2069\n"
    response = client.post(
        "/people/import",
        data={"file": (io.BytesIO(text.encode()), "people.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 303
    assert client.get(response.headers["Location"]).status_code == 200
    client.post(response.headers["Location"], data={})
    person = db.session.scalar(sa.select(Person))
    assert (person.name, person.email, person.team) == ("Ann de Vries", "ann@example.com", "Noord")


@pytest.fixture
def stored_bidi(db):
    """Data stored before input was cleaned: a manager's name, a team, a round name and a
    comment, each with bidi controls; a published round with enough raters to show it."""
    rnd = make_round(db, name=f"Spring{RLO}", status=RoundStatus.PUBLISHED)
    manager, _reps, _director = make_team(db, size=0)
    manager.name = f"Mark{RLO}=1+1"
    manager.team = f"\u2067Noord{RLO}"
    db.session.commit()
    part = add_participant(db, rnd, manager)
    ids = statement_ids(rnd)
    for score in (2, 3, 4):
        add_response(
            db,
            part,
            group=RaterGroup.DIRECT_REPORT,
            scores={i: score for i in ids},
            grade=6,
            comments={"start": f"gnp{RLO}.exe {EVERY_BIDI}"},
        )
    for _ in range(3):  # other managers, so the heat map and the norm have content
        other = add_participant(db, rnd, make_team(db, size=0)[0])
        for score in (3, 4, 5):
            add_response(db, other, group=RaterGroup.DIRECT_REPORT, scores={i: score for i in ids})
    return rnd, part


def test_stored_bidi_is_neutralised_on_every_web_page_and_the_pdf(db, client, stored_bidi):
    rnd, part = stored_bidi
    login(client, make_user(db, role="hr"))
    for url in [
        *(f"/reports/{part.id}?tab={tab}" for tab in ("overview", "legs", "comments", "plan")),
        f"/reports/rounds/{rnd.id}",
        f"/insights/rounds/{rnd.id}",
        "/people/",
    ]:
        page = client.get(url).get_data(as_text=True)
        assert "Mark" in page or "Noord" in page or "Spring" in page, url
        assert _no_bidi(page), url
    comments = client.get(f"/reports/{part.id}?tab=comments").get_data(as_text=True)
    assert "gnp.exe" in comments
    pdf = client.get(f"/reports/{part.id}.pdf")
    assert pdf.status_code == 200
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.data)).pages)
    assert "gnp.exe" in text and _no_bidi(text)


def test_stored_bidi_is_neutralised_in_the_exports(db, client, stored_bidi):
    rnd, _part = stored_bidi
    login(client, make_user(db, role="hr"))
    for kind in ("legs", "statements"):
        csv_text = client.get(f"/insights/rounds/{rnd.id}/results-{kind}.csv").get_data(
            as_text=True
        )
        assert "Mark=1+1" in csv_text and _no_bidi(csv_text)
    response = client.get(f"/insights/rounds/{rnd.id}/results.xlsx")
    workbook = load_workbook(io.BytesIO(response.data), read_only=True)
    cells = [
        str(v)
        for ws in workbook.worksheets
        for row in ws.iter_rows(values_only=True)
        for v in row
        if v is not None
    ]
    assert "Mark=1+1" in cells and "Noord" in cells and _no_bidi("".join(cells))


def test_stored_bidi_is_neutralised_in_mail(app, db):
    rnd = make_round(db, name=f"Spring{RLO}")
    context = {
        "round": rnd,
        "manager_name": f"Mark{RLO} Manager",
        "group": "direct_report",
        "is_self": False,
        "link": "http://localhost/s/token",
        "closes_on": rnd.closes_on,
    }
    with app.test_request_context():
        for lang in ("nl", "en"):
            for kind in ("invitation", "reminder"):
                mail_text = compose(kind, lang, **context)
                for body in (mail_text.text, mail_text.html):
                    assert "Mark Manager" in body and _no_bidi(body)
        assert render_template_string("{{ x }}", x=f"a{EVERY_BIDI}b") == "ab"
    assert mail.clean_subject(f"Feedback for Mark{RLO} Manager") == "Feedback for Mark Manager"


# --- NUL bytes, and every message in the page's language -------------------------------------


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("nl", "Dit antwoord bevat een teken dat niet is toegestaan."),
        ("en", "This answer contains a character that is not allowed."),
    ],
)
def test_the_nul_byte_error_is_in_the_raters_language(db, client, language, message):
    rnd, invitation, token = _live_link(db, language)
    first = statement_ids(rnd)[0]
    autosave = client.post(f"/s/{token}/answer", data={"q:start": "a\x00b"})
    page = client.post(f"/s/{token}", data={"q:start": "a\x00b", f"s{first}": "4"})
    for response in (autosave, page):
        assert response.status_code == 200
        assert message in response.get_data(as_text=True)
    assert draft_of(db, invitation.id) == {}


# --- Error pages on a survey link: in the rater's language -----------------------------------

PAGES = {
    "nl": {
        405: "Deze pagina kan niet op deze manier worden geopend",
        "csrf": "Dit formulier is verlopen",
        400: "Dit verzoek kon niet worden gelezen",
        500: "Er ging iets mis",
        "back": "Terug naar de vragenlijst",
    },
    "en": {
        405: "This page cannot be opened this way",
        "csrf": "This form has expired",
        400: "This request could not be read",
        500: "Something went wrong",
        "back": "Back to the survey",
    },
}


def _assert_page(response, status, language, key):
    assert response.status_code == status
    page = response.get_data(as_text=True)
    assert PAGES[language][key] in page, page
    assert f'<html lang="{language}">' in page
    assert PAGES[language]["back"] in page


@pytest.mark.parametrize("language", ["nl", "en"])
def test_error_pages_on_a_live_link_are_in_the_raters_language(app, db, client, language):
    """The browser asks for the other language: the invitation's wins, as on the form."""
    _rnd, _invitation, token = _live_link(db, language)
    other = {"Accept-Language": "en" if language == "nl" else "nl"}
    _assert_page(client.get(f"/s/{token}/answer", headers=other), 405, language, 405)
    response = client.put(f"/s/{token}", headers=other)
    _assert_page(response, 405, language, 405)
    assert set(response.headers["Allow"].replace(" ", "").split(",")) >= {"GET", "POST"}

    app.config["WTF_CSRF_ENABLED"] = True
    _assert_page(client.post(f"/s/{token}", data={}, headers=other), 400, language, "csrf")
    app.config["WTF_CSRF_ENABLED"] = False


@pytest.mark.parametrize("language", ["nl", "en"])
def test_400_and_500_inside_the_survey_are_in_the_raters_language(
    app, db, client, monkeypatch, language
):
    _rnd, _invitation, token = _live_link(db, language)

    def bad_request(*_args):
        raise BadRequest()

    monkeypatch.setattr(survey_services, "validate_posted", bad_request)
    _assert_page(client.post(f"/s/{token}", data={"grade": "7"}), 400, language, 400)

    def broken(*_args):
        raise RuntimeError("a bug")

    monkeypatch.setattr(survey_services, "validate_posted", broken)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    _assert_page(client.post(f"/s/{token}", data={"grade": "7"}), 500, language, 500)


@pytest.mark.parametrize(("headers", "language"), [({}, "nl"), ({"Accept-Language": "en"}, "en")])
def test_dead_links_get_one_404_whatever_the_link_was(db, client, headers, language):
    """An unknown token and the link of a closed round give the same page, in the browser's
    language (Dutch by default): the page must not tell that a link once existed."""
    rnd, _invitation, token = _live_link(db, "nl" if language == "en" else "en")
    rnd.status = RoundStatus.CLOSED
    db.session.commit()
    pages = []
    for url in (f"/s/{token}", "/s/unknown-token", f"/s/{token}/answer"):
        method = client.post if url.endswith("/answer") else client.get
        response = method(url, headers=headers)
        assert response.status_code == 404
        pages.append(response.get_data(as_text=True))
    heading = {"nl": "Niet gevonden", "en": "Not found"}[language]
    assert heading in pages[0] and f'<html lang="{language}">' in pages[0]
    assert len(set(pages)) == 1
    # and the other errors of a dead link do not tell either: no way back into a survey
    response = client.get(f"/s/{token}/answer", headers=headers)
    assert response.status_code == 405
    assert PAGES[language][405] in response.get_data(as_text=True)
    assert PAGES[language]["back"] not in response.get_data(as_text=True)
