"""The PDF renderer: user text stays text, and WeasyPrint only ever gets our static files."""

import base64
import io
import logging
import subprocess
import sys
from pathlib import Path

import pytest
from pypdf import PdfReader

from feedback.reports import charts
from feedback.reports.pdf import (
    BASE_URL,
    STATIC_ROOT,
    FetchRefused,
    check_svg,
    render_pdf,
    resolve_url,
    static_file,
    static_url_fetcher,
)

STATIC = BASE_URL + "static/"
PNG_1PX = base64.b64encode(
    bytes.fromhex(
        "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
        "1f15c4890000000d49444154789c6360f8cf00000301010018dd8db00000000049454e44ae426082"
    )
).decode()

HOSTILE = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Report</title>
<link rel="stylesheet" href="/static/css/report.css">
<link rel="stylesheet" href="http://example.com/x.css">
<style>p.bg {{ background: url(file:///etc/hostname); }}</style>
</head><body class="report">
<p class="running-header" data-page-word="Page" data-of-word="of">Ann Example · Spring</p>
<h1>Ann Example, Łukasz Şahin</h1>
<p class="bg">Comment one: {{{{ 7*7 }}}} and &lt;b&gt;x&lt;/b&gt; stay as typed.</p>
<p>Image: <img src="file:///etc/passwd" alt="passwd"></p>
<iframe src="file:///etc/passwd"></iframe>
<object data="file:///etc/group" type="image/svg+xml"></object>
<img src="ftp://example.com/a.png" alt="">
<img src="https://feedback.invalid/static/../../../../etc/passwd" alt="">
<img src="/static/%2e%2e/%2e%2e/pyproject.toml" alt="">
<img src="data:image/png;base64,{PNG_1PX}" alt="dot">
<img class="chart-trend" src="{charts.svg_data_uri(charts.trend(3.0, 4.0))}" alt="trend">
{charts.leg_bars([("peer", "Peers", 3.5, 5)], norm=3.0)}
</body></html>"""


def pdf_text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def embedded_fonts(pdf: bytes) -> set[str]:
    names = set()
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for font in page["/Resources"]["/Font"].values():
            names.add(str(font.get_object()["/BaseFont"]))
    return names


@pytest.fixture(scope="module")
def hostile_render():
    fetcher = static_url_fetcher()
    pdf = render_pdf(HOSTILE, fetcher=fetcher)
    return pdf, fetcher.log


def test_user_text_stays_literal_text(hostile_render):
    pdf, _log = hostile_render
    assert pdf.startswith(b"%PDF-")
    assert len(PdfReader(io.BytesIO(pdf)).pages) >= 1
    text = pdf_text(pdf)
    assert "{{ 7*7 }}" in text
    assert "<b>x</b>" in text
    assert "49" not in text
    assert "root:" not in text  # /etc/passwd never made it in


def test_fetcher_refuses_files_and_network_and_serves_only_static(hostile_render):
    _pdf, log = hostile_render
    refused = {r.url for r in log if not r.allowed}
    served = [r for r in log if r.allowed]
    assert {
        "file:///etc/passwd",
        "file:///etc/hostname",
        "http://example.com/x.css",
        "ftp://example.com/a.png",
        "https://feedback.invalid/static/../../../../etc/passwd",
        "https://feedback.invalid/static/%2e%2e/%2e%2e/pyproject.toml",
    } <= refused
    assert any(r.url.startswith("file:///etc/group") for r in log if not r.allowed)
    for record in served:
        assert record.url.startswith((STATIC, "data:image/")), record
    served_urls = {r.url for r in served}
    assert STATIC + "css/report.css" in served_urls
    assert STATIC + "fonts/source-sans-3-latin-400-normal.woff" in served_urls
    assert any(r.url.startswith("data:image/png") for r in served)
    assert any(r.url.startswith("data:image/svg+xml") for r in served)


def test_vendored_font_is_embedded(hostile_render):
    pdf, _log = hostile_render
    fonts = embedded_fonts(pdf)
    assert fonts and all("Source-Sans-3" in name for name in fonts), fonts  # no fallback font
    assert "Łukasz Şahin" in pdf_text(pdf)  # latin-ext glyphs come from the vendored font


def test_refusals_are_logged(caplog):
    with caplog.at_level(logging.WARNING, logger="feedback.pdf"):
        fetcher = static_url_fetcher()
        render_pdf('<p>x<img src="file:///etc/passwd"></p>', fetcher=fetcher)
    records = [r for r in caplog.records if r.name == "feedback.pdf"]
    assert any("file:///etc/passwd" in r.getMessage() for r in records)
    assert [r.url for r in fetcher.log] == ["file:///etc/passwd"]


def test_fetcher_is_a_weasyprint_url_fetcher_that_raises_on_refusal():
    from weasyprint.urls import URLFetcher

    fetcher = static_url_fetcher()
    assert isinstance(fetcher, URLFetcher)
    with pytest.raises(FetchRefused):
        fetcher("file:///etc/passwd")
    with pytest.raises(FetchRefused):
        fetcher.fetch("http://127.0.0.1/")
    response = fetcher(STATIC + "css/report.css")
    assert response.content_type == "text/css"
    assert b"@page" in response.read()


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "FILE:///etc/passwd",
        "http://example.com/x.css",
        "https://example.com/static/css/report.css",
        "http://feedback.invalid/static/css/report.css",  # other scheme than the base
        "https://user:pw@feedback.invalid/static/css/report.css",
        "https://feedback.invalid:8443/static/css/report.css",
        "https://feedback.invalid/css/report.css",  # outside /static/
        "https://feedback.invalid/static/../feedback/__init__.py",
        "https://feedback.invalid/static/%2e%2e/__init__.py",
        "https://feedback.invalid/static/css/%2E%2E/%2E%2E/config.py",
        "https://feedback.invalid/static/css/..%2f..%2fconfig.py",
        "https://feedback.invalid/static/..%5c__init__.py",
        "https://feedback.invalid/static/%2fetc/passwd",
        "https://feedback.invalid/static/js/htmx.min.js",  # not a type we serve
        "https://feedback.invalid/static/css/missing.css",
        "https://feedback.invalid/static/css/",
        "ftp://example.com/x.png",
        "gopher://example.com/",
        "javascript:alert(1)",
        "data:text/css,body{background:url(file:///etc/passwd)}",
        "data:text/html,<script>alert(1)</script>",
        "data:image/svg+xml,<svg xmlns='http://www.w3.org/2000/svg'><script>x()</script></svg>",
        "/static/css/report.css",  # relative URLs arrive resolved; a bare path is refused
    ],
)
def test_resolve_url_refuses(url):
    with pytest.raises(FetchRefused):
        resolve_url(url)


def test_resolve_url_serves_static_files_and_our_charts():
    body, content_type, _ = resolve_url(STATIC + "css/report.css")
    assert content_type == "text/css" and body == (STATIC_ROOT / "css/report.css").read_bytes()
    _, content_type, _ = resolve_url(STATIC + "fonts/source-sans-3-latin-700-normal.woff")
    assert content_type == "font/woff"
    svg = charts.radar(["<a>", "b", "c"], {"self": [1, 2, 3]})
    body, content_type, _ = resolve_url(charts.svg_data_uri(svg))
    assert content_type == "image/svg+xml" and body == svg.encode()
    body, content_type, _ = resolve_url(f"data:image/png;base64,{PNG_1PX}")
    assert content_type == "image/png" and body.startswith(b"\x89PNG")


def test_static_file_refuses_symlinks_out_of_the_folder(tmp_path):
    root = tmp_path / "static"
    (root / "css").mkdir(parents=True)
    (root / "css" / "ok.css").write_text("p{}")
    secret = tmp_path / "secret.css"
    secret.write_text("secret")
    (root / "css" / "leak.css").symlink_to(secret)
    (root / "up").symlink_to(tmp_path, target_is_directory=True)
    assert static_file("css/ok.css", root) == (root / "css" / "ok.css").resolve()
    for relative in ("css/leak.css", "up/secret.css", "../secret.css", "css/.hidden.css"):
        with pytest.raises(FetchRefused):
            static_file(relative, root)


SVG_HEAD = '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">'


@pytest.mark.parametrize(
    "inner",
    [
        "<script>alert(1)</script>",
        '<rect onload="alert(1)"/>',
        '<image href="file:///etc/passwd"/>',
        '<image xlink:href="http://example.com/a.png"/>',
        '<use href="https://example.com/s.svg#a"/>',
        '<foreignObject><p xmlns="http://www.w3.org/1999/xhtml">x</p></foreignObject>',
        "<style>@import url(http://example.com/x.css);</style>",
        "<style>rect { fill: url(file:///etc/passwd) }</style>",
        "<rect style=\"fill: url('http://example.com/p')\"/>",
        '<rect fill="url(http://example.com/p)"/>',
        "<unclosed>",
    ],
)
def test_check_svg_refuses_active_or_external_content(inner):
    with pytest.raises(FetchRefused):
        check_svg(f"{SVG_HEAD}{inner}</svg>".encode())


def test_check_svg_refuses_entities():
    doc = b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
    with pytest.raises(FetchRefused):
        check_svg(doc + b'<svg xmlns="http://www.w3.org/2000/svg"><text>&x;</text></svg>')


def test_check_svg_allows_internal_references():
    check_svg(
        f'{SVG_HEAD}<defs><linearGradient id="g"/></defs><rect fill="url(#g)"/>'
        '<use href="#g"/></svg>'.encode()
    )


def test_weasyprint_is_not_imported_with_the_app_modules():
    code = (
        "import sys, feedback, feedback.reports.pdf, feedback.reports.charts;"
        "print('weasyprint' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert out.stdout.strip() == "False"


def test_report_css_pages_header_and_footer_words():
    html = """<!doctype html><html><head><link rel="stylesheet" href="/static/css/report.css">
    </head><body class="report">
    <section class="page cover"><h1>Cover</h1>
      <p class="running-header" data-page-word="Pagina" data-of-word="van"
         data-footer="Vertrouwelijk">Anne de Vries · Voorjaar</p></section>
    <section class="page"><h2>Tweede</h2></section>
    <section class="page"><h2>Derde</h2></section></body></html>"""
    pages = [p.extract_text() for p in PdfReader(io.BytesIO(render_pdf(html))).pages]
    assert len(pages) == 3  # .page breaks before, the cover does not leave a blank page
    assert "Pagina" not in pages[0] and "Vertrouwelijk" not in pages[0]  # bare cover
    assert "Pagina 2 van 3" in pages[1] and "Pagina 3 van 3" in pages[2]
    assert "Anne de Vries · Voorjaar" in pages[2] and "Vertrouwelijk" in pages[2]
