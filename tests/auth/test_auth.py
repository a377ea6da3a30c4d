"""Logging in and out, safe redirects, set-password links, the create-admin command."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from feedback.auth import services
from feedback.auth.routes import safe_next
from feedback.clock import utcnow
from feedback.models import User
from tests.factories import PASSWORD, make_person, make_user


def test_hr_logs_in_and_out(client, auth, db):
    user = make_user(db, role="hr", email="hr@example.com")
    response = auth.login(user.email)
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200
    assert auth.logout().status_code == 302
    assert client.get("/admin/").status_code == 302  # back to the login page


def test_login_is_case_insensitive_on_email(auth, db):
    make_user(db, role="hr", email="hr@example.com")
    assert auth.login("  HR@Example.COM ").status_code == 302


@pytest.mark.parametrize(
    ("email", "password"),
    [("hr@example.com", "wrong password"), ("nobody@example.com", PASSWORD)],
)
def test_wrong_credentials_say_the_same_thing(client, auth, db, email, password):
    make_user(db, role="hr", email="hr@example.com")
    response = auth.login(email, password)
    assert response.status_code == 200
    assert b"E-mail or password is not right." in response.data
    assert client.get("/admin/").status_code == 302


def test_inactive_account_cannot_log_in(auth, db):
    user = make_user(db, role="hr", email="gone@example.com")
    user.active = False
    db.session.commit()
    assert auth.login("gone@example.com").status_code == 200


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/admin/", "/admin/"),
        ("/reports/?x=1", "/reports/?x=1"),
        ("https://evil.example/", "/"),
        ("//evil.example/", "/"),
        ("/\\evil.example", "/"),
        ("javascript:alert(1)", "/"),
        ("", "/"),
        (None, "/"),
    ],
)
def test_safe_next(app, target, expected):
    with app.test_request_context():
        assert safe_next(target) == expected


def test_login_follows_a_safe_next_only(client, db):
    make_user(db, role="hr", email="hr@example.com")
    data = {"email": "hr@example.com", "password": PASSWORD}
    response = client.post("/auth/login?next=https://evil.example/", data=data)
    assert response.headers["Location"] == "/"
    client.post("/auth/logout")
    response = client.post("/auth/login?next=/people/", data=data)
    assert response.headers["Location"] == "/people/"


def test_manager_sets_password_with_link_once(client, db):
    person = make_person(db, role="manager", email="manager@example.com")
    user = services.ensure_manager_account(person)
    token = services.issue_password_link(user)
    db.session.commit()
    assert user.password_token_hash != token  # only the hash is stored

    page = client.get(f"/auth/password/{token}")
    assert page.status_code == 200
    too_short = client.post(
        f"/auth/password/{token}", data={"password": "short", "confirm": "short"}
    )
    assert too_short.status_code == 200
    db.session.expire_all()
    assert db.session.get(User, user.id).password_hash is None

    new = "a much longer password"
    done = client.post(f"/auth/password/{token}", data={"password": new, "confirm": new})
    assert done.status_code == 302
    assert client.get(f"/auth/password/{token}").status_code == 404  # used up
    client.post("/auth/logout")
    login = client.post("/auth/login", data={"email": "manager@example.com", "password": new})
    assert login.status_code == 302


def test_expired_or_unknown_password_link_is_not_found(client, db):
    person = make_person(db, role="manager")
    user = services.ensure_manager_account(person)
    token = services.issue_password_link(user)
    user.password_token_expires = utcnow() - timedelta(minutes=1)
    db.session.commit()
    assert client.get(f"/auth/password/{token}").status_code == 404
    assert client.get("/auth/password/not-a-token").status_code == 404


def test_create_admin_command(runner, db):
    result = runner.invoke(
        args=["create-admin", "New.Admin@example.com"],
        input="a long enough password\na long enough password\n",
    )
    assert result.exit_code == 0, result.output
    user = db.session.scalar(sa.select(User).where(User.email == "new.admin@example.com"))
    assert user.role == "hr" and user.check_password("a long enough password")


def test_create_admin_refuses_a_short_password(runner, db):
    result = runner.invoke(
        args=["create-admin", "a@example.com", "--password", "short", "--lang", "en"]
    )
    assert result.exit_code != 0
    assert "at least 10 characters" in result.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 0


def test_create_admin_does_not_turn_a_manager_into_hr(runner, db):
    make_user(db, role="manager", email="m@example.com")
    result = runner.invoke(
        args=["create-admin", "m@example.com", "--password", "x" * 12, "--lang", "en"]
    )
    assert result.exit_code != 0
    assert "already has an account" in result.output


def test_csrf_protects_login_when_enabled(app, db):
    app.config["WTF_CSRF_ENABLED"] = True
    make_user(db, role="hr", email="hr@example.com")
    client = app.test_client()
    response = client.post("/auth/login", data={"email": "hr@example.com", "password": PASSWORD})
    assert response.status_code == 400
    htmx = client.post("/auth/logout", headers={"HX-Request": "true"})
    assert htmx.status_code == 400 and htmx.headers["HX-Refresh"] == "true"
