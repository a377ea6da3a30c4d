"""A second app instance that shares only the database: another host, or another worker."""

from pathlib import Path

from flask import Flask

from feedback import create_app
from tests.factories import PASSWORD


def another_host(app: Flask, instance_path: Path) -> Flask:
    """An app with `app`'s settings and database, and an instance folder of its own."""
    config = {key: value for key, value in app.config.items() if key.isupper()}
    other = create_app(config)
    other.instance_path = str(instance_path)
    instance_path.mkdir(parents=True, exist_ok=True)
    return other


def logged_in_client(app: Flask, email: str):
    client = app.test_client()
    response = client.post("/auth/login", data={"email": email, "password": PASSWORD})
    assert response.status_code == 302, response.status_code
    return client
