"""`flask password-link EMAIL`: the operator's way to a set-password link without mail."""

import re

import sqlalchemy as sa

from feedback.models import OutboxMessage, User
from feedback.tokens import hash_token
from tests.factories import make_person, make_user


def test_prints_a_working_link_that_is_stored_nowhere(app, db, runner, client):
    manager = make_user(db, role="manager", person=make_person(db, role="manager"))
    email = manager.email
    result = runner.invoke(args=["password-link", email.upper()])
    assert result.exit_code == 0, result.output
    token = re.search(r"/auth/password/([A-Za-z0-9_\-]+)", result.output).group(1)
    db.session.expire_all()
    user = db.session.scalar(sa.select(User).where(User.email == email))
    assert user.password_token_hash == hash_token(token)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == 0
    assert client.get(f"/auth/password/{token}").status_code == 200
    again = runner.invoke(args=["password-link", email])
    assert again.exit_code == 0
    assert client.get(f"/auth/password/{token}").status_code != 200  # the old one is gone


def test_unknown_address_is_a_clear_error(runner, db):
    result = runner.invoke(args=["password-link", "nobody@example.test", "--lang", "en"])
    assert result.exit_code == 1
    assert "No active account" in result.output
