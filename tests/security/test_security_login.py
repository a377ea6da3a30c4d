"""Logging in gives nothing away, passwords are Argon2id, and sessions can be ended.

Cost is counted, not timed: the hasher is wrapped in a spy, and every failed login must
make exactly one Argon2id verification and nothing else, whether the account is unknown,
inactive, without a password or given the wrong password.
"""

import re
from unittest import mock

import pytest
import sqlalchemy as sa
from argon2 import PasswordHasher
from flask import g
from werkzeug.security import generate_password_hash

from feedback.auth import passwords, services
from feedback.models import User
from feedback.people import services as people
from feedback.people.importing import RawRow
from tests.factories import PASSWORD, login, make_person, make_user

# The login page in the default language (these clients send no Accept-Language): Dutch.
# The English text is tested in tests/auth/test_auth.py.
MESSAGE = b"E-mailadres of wachtwoord klopt niet."
OUR_ARGON2 = "$argon2id$v=19$m=19456,t=2,p=1$"
CSRF_TOKEN = re.compile(
    rb'("X-CSRFToken": "|name="csrf_token" type="hidden" value="|name="csrf_token" value=")[^"]+'
)


@pytest.fixture(autouse=True)
def _request_state_per_request(app):
    """Flask-Login keeps the request's user in `g`, Flask-WTF its CSRF token. A served request
    has an app context of its own, but here every request shares the test's, so one client's
    user would answer for the next client. Forgetting both first thing makes each request
    read its own cookie."""

    def forget() -> None:
        g.pop("_login_user", None)
        g.pop("csrf_token", None)

    app.before_request_funcs.setdefault(None, []).insert(0, forget)


@pytest.fixture
def hasher_spy():
    """Counts Argon2 hashes and verifications, and checks of werkzeug's older hashes."""
    argon2 = mock.Mock(wraps=passwords._HASHER)
    legacy = mock.Mock(wraps=passwords.check_password_hash)
    with (
        mock.patch.object(passwords, "_HASHER", argon2),
        mock.patch.object(passwords, "check_password_hash", legacy),
    ):
        yield argon2, legacy


def _calls(spy) -> dict[str, int]:
    argon2, legacy = spy
    return {
        "argon2 verify": argon2.verify.call_count,
        "argon2 hash": argon2.hash.call_count,
        "legacy check": legacy.call_count,
    }


def _failing_logins(db):
    """Each way a login can fail, as (label, e-mail, password)."""
    make_user(db, role="hr", email="hr@example.com")
    gone = make_user(db, role="hr", email="gone@example.com")
    gone.active = False
    manager = make_person(db, role="manager", email="new.manager@example.com")
    services.ensure_manager_account(manager)  # an account that has no password yet
    db.session.commit()
    return [
        ("unknown account", "nobody@example.com", PASSWORD),
        ("wrong password", "hr@example.com", "not the password"),
        ("deactivated, right password", "gone@example.com", PASSWORD),
        ("deactivated, wrong password", "gone@example.com", "not the password"),
        ("no password set yet", "new.manager@example.com", PASSWORD),
    ]


def test_every_failed_login_says_the_same_and_costs_one_argon2_verification(app, db, hasher_spy):
    pages = {}
    for label, email, password in _failing_logins(db):
        hasher_spy[0].reset_mock()
        hasher_spy[1].reset_mock()
        client = app.test_client()  # each attempt a first visit, so the pages can be compared
        response = client.post("/auth/login", data={"email": email, "password": password})
        assert response.status_code == 200, label
        assert MESSAGE in response.data, label
        assert _calls(hasher_spy) == {"argon2 verify": 1, "argon2 hash": 0, "legacy check": 0}, (
            label
        )
        pages[label] = CSRF_TOKEN.sub(rb"\1TOKEN", response.data.replace(email.encode(), b"@"))
    # The pages differ only in the e-mail address typed in (the form shows it again) and
    # in the random CSRF token.
    assert len(set(pages.values())) == 1, list(pages)
    assert client.get("/admin/").status_code == 302


def test_a_successful_login_costs_the_same_one_verification(client, db, hasher_spy):
    make_user(db, role="hr", email="hr@example.com")
    hasher_spy[0].reset_mock()
    login(client, db.session.scalar(sa.select(User)))
    assert _calls(hasher_spy) == {"argon2 verify": 1, "argon2 hash": 0, "legacy check": 0}


def test_new_passwords_are_argon2id_with_owasp_parameters(db):
    user = make_user(db, role="hr")
    assert user.password_hash.startswith(OUR_ARGON2)
    assert user.check_password(PASSWORD) and not user.check_password("something else")
    assert not user.password_needs_rehash


@pytest.mark.parametrize(
    "old_hash",
    [
        generate_password_hash(PASSWORD, method="pbkdf2:sha1:1000"),
        generate_password_hash(PASSWORD, method="scrypt:32768:8:1"),
        # Argon2id, but with parameters below ours: upgraded as well.
        PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1).hash(PASSWORD),
    ],
    ids=["pbkdf2-sha1-1000", "werkzeug-scrypt", "weaker-argon2id"],
)
def test_an_older_hash_logs_in_once_and_is_replaced_by_argon2id(
    app, client, db, hasher_spy, old_hash
):
    user = make_user(db, role="hr", email="hr@example.com")
    user.password_hash = old_hash
    db.session.commit()
    version = user.session_version
    hasher_spy[0].reset_mock()

    wrong = client.post("/auth/login", data={"email": user.email, "password": "not it"})
    assert MESSAGE in wrong.data
    # The cheaper old hash does not make a wrong guess cheaper: it pays a full verification.
    assert mock.call(passwords._DUMMY_HASH, "not it") in hasher_spy[0].verify.call_args_list
    db.session.expire_all()
    assert db.session.get(User, user.id).password_hash == old_hash  # only a right password

    login(client, user)
    db.session.expire_all()
    upgraded = db.session.get(User, user.id)
    assert upgraded.password_hash.startswith(OUR_ARGON2)
    assert upgraded.session_version == version  # an upgrade is not a password change
    assert client.get("/admin/").status_code == 200  # the session just opened stays open

    login(app.test_client(), upgraded)  # and the new hash opens the account


def _copy_session(app, client) -> str:
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
    assert cookie is not None
    return cookie.value


def _replay(app, cookie: str, url: str):
    """The request someone with a copy of the cookie sends, from another browser."""
    other = app.test_client()
    other.set_cookie(app.config["SESSION_COOKIE_NAME"], cookie)
    return other.get(url)


def _assert_ended(response):
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/auth/login")


def test_a_cookie_copied_before_logout_opens_nothing_after_it(app, client, world):
    report = f"/reports/{world.participant_a.id}"
    login(client, world.manager_a)
    cookie = _copy_session(app, client)
    assert _replay(app, cookie, report).status_code == 200  # the copy works while logged in

    client.post("/auth/logout")

    _assert_ended(_replay(app, cookie, report))
    _assert_ended(_replay(app, cookie, "/reports/"))


def test_logout_ends_the_accounts_other_sessions_too(app, world):
    report = f"/reports/{world.participant_a.id}"
    laptop, phone = app.test_client(), app.test_client()
    login(laptop, world.manager_a)
    login(phone, world.manager_a)
    other_manager = login(app.test_client(), world.manager_b)

    laptop.post("/auth/logout")

    _assert_ended(phone.get(report))
    assert other_manager.get(f"/reports/{world.participant_b.id}").status_code == 200


def test_a_password_set_with_a_link_elsewhere_ends_the_other_sessions(app, client, db, world):
    report = f"/reports/{world.participant_a.id}"
    login(client, world.manager_a)
    cookie = _copy_session(app, client)
    token = services.issue_password_link(world.manager_a)
    db.session.commit()

    elsewhere = app.test_client()
    new = "a different long password"
    done = elsewhere.post(f"/auth/password/{token}", data={"password": new, "confirm": new})
    assert done.status_code == 302

    _assert_ended(client.get(report))
    _assert_ended(_replay(app, cookie, report))
    assert elsewhere.get(report).status_code == 200  # the browser that set it stays in
    refused = app.test_client().post(
        "/auth/login", data={"email": world.manager_a.email, "password": PASSWORD}
    )
    assert MESSAGE in refused.data


def test_a_new_password_from_create_admin_ends_hr_sessions(app, client, db):
    hr = make_user(db, role="hr", email="hr@example.com")
    login(client, hr)
    cookie = _copy_session(app, client)

    services.create_admin("hr@example.com", "another long password")

    _assert_ended(client.get("/admin/"))
    _assert_ended(_replay(app, cookie, "/admin/"))


def test_deactivation_by_the_people_import_ends_sessions_for_good(app, client, db):
    stays = make_person(db, name="Stays", email="stays@example.com", role="manager")
    leaves = make_person(db, name="Leaves", email="leaves@example.com", role="manager")
    leaver, stayer = (make_user(db, role="manager", person=p) for p in (leaves, stays))
    login(client, leaver)
    cookie = _copy_session(app, client)
    colleague = login(app.test_client(), stayer)
    only_stays = [RawRow(2, "Stays", "stays@example.com", role="manager")]

    result = people.apply_import(only_stays, deactivate_missing=True)

    assert result.deactivated == 1
    _assert_ended(client.get("/reports/"))
    _assert_ended(_replay(app, cookie, "/reports/"))
    assert colleague.get("/reports/").status_code == 200

    # Back in the file, they can log in again; the sessions from before stay ended.
    people.apply_import(only_stays + [RawRow(3, "Leaves", "leaves@example.com")])
    _assert_ended(_replay(app, cookie, "/reports/"))
    assert login(app.test_client(), leaver).get("/reports/").status_code == 200


def test_deactivating_an_account_any_other_way_ends_its_sessions(app, client, db, world):
    login(client, world.manager_a)
    world.manager_a.active = False
    db.session.commit()
    _assert_ended(client.get(f"/reports/{world.participant_a.id}"))


def test_a_session_from_before_versions_is_not_accepted(app, client, db, world):
    """A cookie naming only the user id (as before session versions) opens nothing."""
    with client.session_transaction() as session:
        session["_user_id"] = str(world.manager_a.id)
        session["_fresh"] = True
    _assert_ended(client.get(f"/reports/{world.participant_a.id}"))


def test_login_starts_a_new_session(app, client, db):
    hr = make_user(db, role="hr", email="hr@example.com")
    with client.session_transaction() as session:
        session["planted"] = "by whoever handed this browser its cookie"
    before = _copy_session(app, client)

    login(client, hr)

    after = _copy_session(app, client)
    assert after != before
    with client.session_transaction() as session:
        assert "planted" not in session
        assert session["_user_id"] == f"{hr.id}:{hr.session_version}"


def test_login_starts_a_new_session_with_csrf_on(app, db):
    """With CSRF on, the login form's token does not survive into the logged-in session."""
    app.config["WTF_CSRF_ENABLED"] = True
    hr = make_user(db, role="hr", email="hr@example.com")
    client = app.test_client()
    page = client.get("/auth/login").get_data(as_text=True)
    form_token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    with client.session_transaction() as session:
        token_before = session["csrf_token"]
    before = _copy_session(app, client)

    data = {"email": hr.email, "password": PASSWORD, "csrf_token": form_token}
    assert client.post("/auth/login", data=data).status_code == 302

    assert _copy_session(app, client) != before
    client.get("/admin/")  # a page with a form makes a new token
    with client.session_transaction() as session:
        assert session["csrf_token"] != token_before
