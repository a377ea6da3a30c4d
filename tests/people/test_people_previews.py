"""Import previews live in the database: confirmed on any host, expired after UPLOAD_MAX_AGE."""

import io
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from feedback.clock import utcnow
from feedback.extensions import db as _db
from feedback.models import ImportPreview, Person
from feedback.people import services
from feedback.people.importing import RawRow
from tests.factories import make_user
from tests.hosts import another_host, logged_in_client

CSV = (
    "name;email;language;manager_email;team;role\n"
    "Dana Director;dana@example.com;en;;;director\n"
    "Mark Manager;mark@example.com;nl;dana@example.com;Noord;manager\n"
)


def previews() -> int:
    _db.session.rollback()
    return _db.session.scalar(sa.select(sa.func.count()).select_from(ImportPreview))


def test_a_preview_made_on_one_host_is_confirmed_on_another(app, db, tmp_path):
    hr = make_user(db, role="hr", email="hr@example.com")
    other = another_host(app, tmp_path / "other-host")
    try:
        with logged_in_client(app, hr.email) as here:
            response = here.post(
                "/people/import",
                data={"file": (io.BytesIO(CSV.encode()), "people.csv")},
                content_type="multipart/form-data",
            )
        assert response.status_code == 303
        preview_url = response.headers["Location"]
        with logged_in_client(other, hr.email) as there:
            assert "Mark Manager" in there.get(preview_url).get_data(as_text=True)
            done = there.post(preview_url, data={})
        # No language asked for: the default, Dutch.
        assert done.status_code == 200 and "2 nieuw" in done.get_data(as_text=True)
    finally:
        with other.app_context():
            _db.engine.dispose()
    db.session.rollback()
    emails = set(db.session.scalars(sa.select(Person.email)))
    assert emails == {"dana@example.com", "mark@example.com"}
    assert previews() == 0  # deleted on confirm
    for instance in (app.instance_path, other.instance_path):
        assert not (Path(instance) / "imports").exists()


def _rows():
    return [RawRow(line=2, name="A", email="a@example.com")]


def test_a_preview_expires_and_stale_ones_are_deleted(app, db, monkeypatch):
    hr = make_user(db, role="hr")
    db.session.rollback()
    first = services.save_upload(_rows(), filename="a.csv", user_id=hr.id)
    assert services.load_upload(first, user_id=hr.id).filename == "a.csv"

    later = utcnow() + timedelta(seconds=services.UPLOAD_MAX_AGE + 1)
    monkeypatch.setattr(services, "utcnow", lambda: later)
    with pytest.raises(services.UploadNotFound):
        services.load_upload(first, user_id=hr.id)
    assert previews() == 0  # the expired one went when it was asked for

    second = services.save_upload(_rows(), filename="b.csv", user_id=hr.id)
    monkeypatch.setattr(services, "utcnow", lambda: later + timedelta(hours=3))
    services.save_upload(_rows(), filename="c.csv", user_id=hr.id)
    assert previews() == 1  # saving removes every stale preview on the way
    with pytest.raises(services.UploadNotFound):
        services.load_upload(second, user_id=hr.id)


def test_a_database_copy_holds_no_usable_upload_id(app, db):
    hr = make_user(db, role="hr")
    db.session.rollback()
    upload_id = services.save_upload(_rows(), filename="a.csv", user_id=hr.id)
    stored = db.session.scalars(sa.select(ImportPreview.id_hash)).all()
    assert upload_id not in stored and len(stored[0]) == 64
    with pytest.raises(services.UploadNotFound):
        services.load_upload(upload_id, user_id=hr.id + 1)  # another account's: unknown
