"""The language switch on every page, and whose language a page or a mail is in."""

import pytest
import sqlalchemy as sa
from flask import render_template_string

from feedback.i18n import LANGUAGE_COOKIE
from feedback.mail_texts import compose
from feedback.models import User
from tests.factories import login, make_person, make_round, make_user


def _lang(response) -> str:
    page = response.get_data(as_text=True)
    return page.split('<html lang="', 1)[1].split('"', 1)[0]


def test_a_first_visit_follows_the_browser_and_defaults_to_dutch(client):
    assert _lang(client.get("/auth/login")) == "nl"
    assert _lang(client.get("/auth/login", headers={"Accept-Language": "en-GB,en;q=0.9"})) == "en"
    assert _lang(client.get("/auth/login", headers={"Accept-Language": "fr, nl;q=0.5"})) == "nl"


def test_every_page_has_the_switch_with_the_current_language_marked(client):
    page = client.get("/auth/login", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert 'action="/language"' in page
    assert 'value="en" lang="en" class="link" aria-current="true">English</button>' in page
    assert 'value="nl" lang="nl" class="link">Nederlands</button>' in page
    assert '<input type="hidden" name="next" value="/auth/login">' in page


def test_someone_not_logged_in_gets_a_cookie_that_outweighs_the_browser(client):
    response = client.post("/language", data={"language": "en", "next": "/auth/login"})
    assert response.status_code == 303 and response.headers["Location"] == "/auth/login"
    cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("lang="))
    assert cookie.startswith(f"{LANGUAGE_COOKIE}=en;") and "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie and "Max-Age=31536000" in cookie
    page = client.get("/auth/login", headers={"Accept-Language": "nl"})
    assert _lang(page) == "en"
    assert "The pages are now in English." in page.get_data(as_text=True)
    client.post("/language", data={"language": "nl", "next": "/auth/login"})
    page = client.get("/auth/login", headers={"Accept-Language": "en"})
    assert _lang(page) == "nl"
    assert "De pagina&#39;s zijn nu in het Nederlands." in page.get_data(as_text=True)


@pytest.mark.parametrize("value", ["fr", "", "EN", "en-GB", "x" * 500])
def test_an_unknown_language_changes_nothing_and_says_so(client, value):
    english = {"Accept-Language": "en"}
    response = client.post(
        "/language", data={"language": value, "next": "/auth/login"}, headers=english
    )
    assert response.status_code == 303
    assert not [c for c in response.headers.getlist("Set-Cookie") if c.startswith("lang=")]
    page = client.get("/auth/login", headers={"Accept-Language": "en"})
    assert _lang(page) == "en" and "That language is not available." in page.get_data(as_text=True)


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example", "/\\evil", None])
def test_the_switch_only_goes_back_to_this_site(client, target):
    data = {"language": "en"} | ({"next": target} if target is not None else {})
    response = client.post("/language", data=data)
    assert response.status_code == 303 and response.headers["Location"] == "/"


def test_an_account_keeps_its_choice_on_every_device(db, app, client, auth):
    manager = make_person(db, name="Mia Manager", language="nl")
    user = make_user(db, role="manager", person=manager)
    auth.login_as(user)
    assert _lang(client.get("/reports/")) == "nl"  # the person's language at first
    client.post("/language", data={"language": "en", "next": "/reports/"})
    assert db.session.scalar(sa.select(User.language).where(User.id == user.id)) == "en"
    other_device = login(app.test_client(), user)
    page = other_device.get("/reports/", headers={"Accept-Language": "nl"})
    assert _lang(page) == "en" and "My reports" in page.get_data(as_text=True)
    assert "Mijn rapporten" not in page.get_data(as_text=True)


@pytest.mark.parametrize("app_config", [{"WTF_CSRF_ENABLED": True}])
def test_the_switch_needs_the_forms_csrf_token(client):
    page = client.get("/auth/login").get_data(as_text=True)
    token = page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    refused = client.post("/language", data={"language": "en", "next": "/auth/login"})
    assert refused.status_code == 400
    assert not [c for c in refused.headers.getlist("Set-Cookie") if c.startswith("lang=")]
    accepted = client.post(
        "/language", data={"language": "en", "next": "/auth/login", "csrf_token": token}
    )
    assert accepted.status_code == 303
    assert [c for c in accepted.headers.getlist("Set-Cookie") if c.startswith("lang=en;")]


def test_survey_link_pages_carry_no_general_switch(db, client):
    # A dead link's page must not hold the link, nor differ from an unknown one's.
    page = client.get("/s/no-such-token").get_data(as_text=True)
    assert 'action="/language"' not in page and "no-such-token" not in page


# --- mails: in the reader's language, not the sender's -----------------------------------

ENGLISH = ("Hello", "Dear", "Your", "Kind regards", "questionnaire", "round closes")
DUTCH = ("Goedendag", "Beste", "Je ", "vriendelijke groet", "vragenlijst", "ronde sluit")


@pytest.mark.parametrize("kind", ["invitation", "reminder", "set_password"])
@pytest.mark.parametrize("is_self", [False, True])
def test_each_mail_is_wholly_in_its_readers_language(app, db, kind, is_self):
    rnd = make_round(db, name="Voorjaar")
    context = {
        "round": rnd,
        "manager_name": "Anna Manager",
        "name": "Anna Manager",
        "group": "self" if is_self else "peer",
        "is_self": is_self,
        "link": "http://localhost/s/token",
        "closes_on": rnd.closes_on,
        "hours": 72,
    }
    with app.test_request_context(headers={"Accept-Language": "en"}):  # HR reads English
        dutch = compose(kind, "nl", **context)
        english = compose(kind, "en", **context)
        unknown = compose(kind, "fr", **context)
    assert unknown == dutch  # the default language
    for mail in (dutch.subject, dutch.text, dutch.html):
        assert not [word for word in ENGLISH if word in mail], mail
    for mail in (english.subject, english.text, english.html):
        assert not [word for word in DUTCH if word in mail], mail
    assert '<html lang="nl">' in dutch.html and '<html lang="en">' in english.html
    if kind != "set_password":
        closes = rnd.closes_on
        assert f"{closes.day} {closes.strftime('%B').lower()}"[:6].split()[0] in dutch.text
        assert closes.strftime("%B") in english.text  # "December 2, 2026", not 02-12-2026


def test_a_mail_escapes_what_it_is_given(app, db):
    rnd = make_round(db, name="<b>Spring</b>")
    with app.test_request_context():
        mail = compose(
            "reminder",
            "en",
            round=rnd,
            manager_name="<i>Anna</i>",
            is_self=False,
            link="http://localhost/s/t",
            closes_on=rnd.closes_on,
        )
    assert "<b>Spring</b>" not in mail.html and "&lt;b&gt;Spring&lt;/b&gt;" in mail.html
    assert "<i>Anna</i>" not in mail.html
    assert "“<b>Spring</b>”" in mail.text  # plain text is not HTML


def test_a_set_password_page_speaks_the_language_of_its_account(db, client):
    from feedback.auth.services import issue_password_link

    person = make_person(db, name="Erin Example", language="en")
    user = make_user(db, role="manager", person=person)
    token = issue_password_link(user)
    db.session.commit()
    dutch_browser = {"Accept-Language": "nl"}
    assert _lang(client.get(f"/auth/password/{token}", headers=dutch_browser)) == "en"
    # A link that does not work tells nothing about any account: the browser's language.
    assert _lang(client.get("/auth/password/not-a-token", headers=dutch_browser)) == "nl"
    assert (
        _lang(client.get("/auth/password/not-a-token", headers={"Accept-Language": "en"})) == "en"
    )


def test_templates_follow_force_locale_and_refresh_within_one_request(app):
    """The template strings' translations are looked up once per locale and request
    (feedback/i18n.py, page_translations): a forced locale, its end, and a refresh after
    the request's language changed each give that language's strings."""
    from flask import g
    from flask_babel import force_locale, refresh

    def grade() -> str:
        return render_template_string("{{ _('Overall grade') }}")

    with app.test_request_context(headers={"Accept-Language": "nl"}):
        assert grade() == "Rapportcijfer"
        with force_locale("en"):
            assert grade() == "Overall grade"
        assert grade() == "Rapportcijfer"
        g.lang = "en"
        refresh()
        assert grade() == "Overall grade"
