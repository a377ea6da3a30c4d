"""Static files over HTTP: hashed names cached for good, gzip and brotli where asked, scripts
deferred (a rater's page needs no htmx), and a rater's first visit (page and everything it
loads) under 25 KB on the wire."""

import http.client
import re
from urllib.parse import urlsplit

import brotli
import pytest

from feedback.assets import YEAR, build, hashed_name

FIRST_VISIT_LIMIT = 25 * 1024


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("assets")
    return out, build(out)


@pytest.fixture
def app_config(built):
    return {"ASSETS_DIR": str(built[0])}


@pytest.fixture
def server(app, survey, live_server):
    return live_server(app)


def get(base: str, path: str, encoding: str | None = "br, gzip") -> tuple[int, dict, bytes, int]:
    """Status, headers, the body as sent and the bytes on the wire (status line, headers,
    body) of one GET, with nothing decoded."""
    url = urlsplit(base)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=10)
    try:
        headers = {"Accept-Encoding": encoding} if encoding else {}
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        body = response.read()
        head = {k.lower(): v for k, v in response.getheaders()}
        wire = len(f"HTTP/1.1 {response.status} {response.reason}\r\n") + sum(
            len(f"{k}: {v}\r\n") for k, v in response.getheaders()
        )
        return response.status, head, body, wire + 2 + len(body)
    finally:
        conn.close()


def page_assets(html: str) -> list[str]:
    return re.findall(r'(?:href|src)="(/static/[^"]+)"', html)


def survey_page(server, survey) -> str:
    status, _headers, body, _wire = get(server, survey.url(), encoding=None)
    assert status == 200
    return body.decode()


def test_the_page_refers_to_hashed_names_and_defers_its_one_script(server, survey, built):
    _out, manifest = built
    html = survey_page(server, survey)
    assets = page_assets(html)
    assert f"/static/{manifest['css/app.css']}" in assets
    assert f"/static/{manifest['js/survey.js']}" in assets
    assert f"/static/{manifest['js/htmx.min.js']}" not in assets  # survey.js does its part
    assert all(re.search(r"\.[0-9a-f]{12}\.\w+$", a) for a in assets), assets
    scripts = re.findall(r"<script[^>]*>", html)
    assert len(scripts) == 1 and " defer" in scripts[0], scripts


def test_other_pages_load_htmx_deferred(server, built):
    _out, manifest = built
    status, _headers, body, _wire = get(server, "/auth/login", encoding=None)
    assert status == 200
    script = re.search(r"<script[^>]*htmx[^>]*>", body.decode()).group(0)
    assert f"/static/{manifest['js/htmx.min.js']}" in script and " defer" in script


def test_a_hashed_asset_is_cached_for_a_year_and_immutable(server, built):
    _out, manifest = built
    status, headers, _body, _wire = get(server, f"/static/{manifest['css/app.css']}")
    assert status == 200
    assert headers["cache-control"] == f"public, max-age={YEAR}, immutable"
    assert headers["x-content-type-options"] == "nosniff"


def test_a_name_without_hash_is_only_cached_briefly(server):
    status, headers, _body, _wire = get(server, "/static/css/app.css")
    assert status == 200
    assert "immutable" not in headers["cache-control"]


@pytest.mark.parametrize(("asked", "given"), [("br, gzip", "br"), ("gzip", "gzip")])
def test_assets_come_compressed_as_asked(server, built, asked, given):
    out, manifest = built
    name = manifest["js/htmx.min.js"]
    status, headers, body, _wire = get(server, f"/static/{name}", encoding=asked)
    assert status == 200
    assert headers["content-encoding"] == given
    assert "accept-encoding" in headers["vary"].lower()
    plain = (out / name).read_bytes()
    if given == "br":
        assert brotli.decompress(body) == plain
    else:
        import gzip

        assert gzip.decompress(body) == plain


def test_without_accept_encoding_an_asset_comes_as_it_is(server, built):
    out, manifest = built
    name = manifest["css/app.css"]
    _status, headers, body, _wire = get(server, f"/static/{name}", encoding=None)
    assert "content-encoding" not in headers
    assert body == (out / name).read_bytes()


@pytest.mark.parametrize(("asked", "given"), [("br, gzip", "br"), ("gzip", "gzip")])
def test_the_survey_page_comes_compressed_as_asked(server, survey, asked, given):
    status, headers, body, _wire = get(server, survey.url(), encoding=asked)
    assert status == 200
    assert headers["content-encoding"] == given
    assert "no-store" in headers["cache-control"]  # compressed, still never cached


def test_a_raters_first_visit_is_under_25_kb_on_the_wire(server, survey):
    html = survey_page(server, survey)
    total = 0
    paths = [survey.url(), *page_assets(html)]
    for path in paths:
        status, _headers, _body, wire = get(server, path)
        assert status == 200, path
        total += wire
    assert len(paths) >= 3  # the page, its stylesheet, survey.js (and the icon)
    print(f"first visit: {total} bytes on the wire for {paths}")
    assert total < FIRST_VISIT_LIMIT, f"{total} bytes for {paths}"


def test_hashed_names_follow_the_content():
    assert hashed_name("css/app.css", b"a") != hashed_name("css/app.css", b"b")
    assert re.fullmatch(r"css/app\.[0-9a-f]{12}\.css", hashed_name("css/app.css", b"a"))
