"""The favicon: /favicon.ico answers (browsers ask for it on every page), the SVG is static."""

from pathlib import Path

import feedback

STATIC = Path(feedback.__file__).parent / "static"


def fetch(client, url):
    """Status, headers and body of a file response, closed once read."""
    response = client.get(url)
    try:
        return response.status_code, response.headers, response.get_data()
    finally:
        response.close()


def test_favicon_ico_is_served_to_anyone(client):
    status, headers, body = fetch(client, "/favicon.ico")
    assert status == 200
    assert headers["Content-Type"] in ("image/vnd.microsoft.icon", "image/x-icon")
    assert body == (STATIC / "favicon.ico").read_bytes()
    assert body[:4] == b"\x00\x00\x01\x00"  # an ICO file
    assert "no-store" not in headers.get("Cache-Control", "")  # cached like any static file


def test_static_urls_are_built_as_before(app):
    """Under /static/, by the file's name (content-hashed when the assets are built)."""
    from flask import url_for

    from feedback.assets import unhashed

    with app.test_request_context():
        assert unhashed(url_for("static", filename="css/app.css")) == "/static/css/app.css"
        assert unhashed(url_for("static", filename="favicon.svg")) == "/static/favicon.svg"


def test_favicon_svg_is_a_static_file(client):
    status, headers, body = fetch(client, "/static/favicon.svg")
    assert status == 200
    assert headers["Content-Type"].startswith("image/svg+xml")
    assert body.startswith(b"<svg")
