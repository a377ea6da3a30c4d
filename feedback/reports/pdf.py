"""HTML to PDF with WeasyPrint, behind a URL fetcher that only serves our own static files.

Usage (in a worker, not in a web process: WeasyPrint keeps memory it allocates)::

    from feedback.reports.pdf import render_pdf

    pdf_bytes = render_pdf(html)  # html rendered from the report template (pdf_report.py)

The HTML addresses static files the way the web page does, with the app's static URL path:
``<link rel="stylesheet" href="/static/css/report.css">`` (what ``url_for('static', ...)``
gives). Relative URLs are resolved against :data:`BASE_URL`, an address on the reserved
``.invalid`` domain that never resolves, and :class:`StaticURLFetcher` maps
``BASE_URL + "static/<path>"`` to ``feedback/static/<path>``. Nothing else is fetched:

* ``file:``, ``http(s):`` to any other host, ``ftp:`` and every other scheme are refused;
* under the static folder: ``..``, encoded ``%2e%2e``, backslashes, hidden files, file
  types that are not stylesheets, fonts or images, and symlinks leading out are refused;
* ``data:`` URIs: raster images (png, jpeg, gif, webp) pass; ``image/svg+xml`` passes only
  when it has no DOCTYPE/entities, no ``<script>``, ``<foreignObject>`` or embedded
  documents, no ``on*`` event attributes and no reference other than ``#fragment`` (our
  own charts from :mod:`feedback.reports.charts` qualify); any other data type is refused;
* there is no network, hence no redirect to follow.

Every refusal is logged on the ``feedback.pdf`` logger and raises :class:`FetchRefused`
(WeasyPrint then leaves that resource out and goes on). Each request, served or refused, is
appended to ``fetcher.log`` (a list of :class:`FetchRecord`) so tests can check exactly what
was asked for.

``import weasyprint`` costs about 0.4 s, so it happens inside the functions here, never when
the app starts.
"""

from __future__ import annotations

import base64
import binascii
import logging
import re
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING
from urllib.parse import unquote, unquote_to_bytes, urlsplit
from xml.etree import ElementTree as ET

from feedback.assets import unhashed

if TYPE_CHECKING:  # pragma: no cover
    from weasyprint.urls import URLFetcher, URLFetcherResponse

logger = logging.getLogger("feedback.pdf")

#: The package's static folder, the only place files are read from.
STATIC_ROOT = Path(__file__).resolve().parent.parent / "static"
#: Base URL of the rendered HTML; it never resolves (RFC 2606 reserves ``.invalid``).
BASE_URL = "https://feedback.invalid/"
#: URL path under which static files are addressed (Flask's default ``static_url_path``).
STATIC_URL_PATH = "/static/"

#: Content types served from the static folder, by file suffix.
STATIC_TYPES = {
    ".css": "text/css",
    ".woff2": "font/woff2",
    ".woff": "font/woff",
    ".ttf": "font/ttf",
    ".otf": "font/otf",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".svg": "image/svg+xml",
}
#: Raster image types allowed as ``data:`` URIs (they cannot refer to anything).
DATA_RASTER_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp"})

_SVG_FORBIDDEN_TAGS = frozenset(
    {"script", "foreignobject", "iframe", "object", "embed", "handler", "listener"}
)
_HREF_ATTRS = frozenset({"href", "src"})
_URL_IN_TEXT = re.compile(r"url\(\s*['\"]?\s*([^)'\"\s]*)", re.IGNORECASE)
_MAX_DATA_URI = 2_000_000  # characters; our charts are a few KB


class FetchRefused(ValueError):
    """The fetcher refused a URL: nothing was read."""


@dataclass(frozen=True)
class FetchRecord:
    """One request WeasyPrint made: the URL, whether it was served, and why."""

    url: str
    allowed: bool
    reason: str


# ---------------------------------------------------------------------------------------------
# The policy, as plain functions (no WeasyPrint needed)


def resolve_url(
    url: str, *, base_url: str = BASE_URL, static_url_path: str = STATIC_URL_PATH
) -> tuple[bytes, str, str]:
    """Decide one URL: return ``(body, content_type, reason)`` or raise :class:`FetchRefused`."""
    try:
        parts = urlsplit(url.strip())
    except ValueError as error:
        raise FetchRefused(f"malformed URL ({error})") from None
    scheme = parts.scheme.lower()
    if scheme == "data":
        return _resolve_data_uri(url.strip())
    base = urlsplit(base_url)
    if (scheme, parts.netloc.lower()) != (base.scheme.lower(), base.netloc.lower()):
        raise FetchRefused(f"scheme or host not allowed ({scheme or 'none'}:)")
    if parts.username or parts.password or parts.port:
        raise FetchRefused("credentials or port in URL")
    if not parts.path.startswith(static_url_path):
        raise FetchRefused("outside the static URL path")
    # A content-hashed name (feedback/assets.py) is read as the file it was made from.
    path = static_file(unhashed(parts.path[len(static_url_path) :]))
    return path.read_bytes(), STATIC_TYPES[path.suffix.lower()], "static file"


def static_file(relative: str, root: Path = STATIC_ROOT) -> Path:
    """The file under ``root`` that the URL path ``relative`` names, or FetchRefused."""
    text = unquote(relative)
    if not text or "\\" in text or "\x00" in text or text.startswith("/"):
        raise FetchRefused("unsafe static path")
    pieces = PurePosixPath(text).parts
    if any(piece in {"..", "."} or piece.startswith(".") for piece in pieces):
        raise FetchRefused("path traversal or hidden file in static path")
    suffix = PurePosixPath(text).suffix.lower()
    if suffix not in STATIC_TYPES:
        raise FetchRefused(f"file type {suffix or '(none)'} not served")
    real_root = root.resolve()
    try:
        target = (real_root / text).resolve(strict=True)
    except (OSError, RuntimeError):
        raise FetchRefused("no such static file") from None
    if not target.is_relative_to(real_root):
        raise FetchRefused("static path leads out of the static folder")
    if not target.is_file():
        raise FetchRefused("not a file")
    return target


def _resolve_data_uri(url: str) -> tuple[bytes, str, str]:
    if len(url) > _MAX_DATA_URI:
        raise FetchRefused("data URI too large")
    header, comma, payload = url[len("data:") :].partition(",")
    if not comma:
        raise FetchRefused("malformed data URI")
    params = [p.strip().lower() for p in header.split(";")]
    mime = params[0] or "text/plain"
    is_base64 = "base64" in params[1:]
    if mime not in DATA_RASTER_TYPES and mime != "image/svg+xml":
        raise FetchRefused(f"data URI of type {mime} not allowed")
    try:
        body = base64.b64decode(payload, validate=True) if is_base64 else unquote_to_bytes(payload)
    except (binascii.Error, ValueError):
        raise FetchRefused("undecodable data URI") from None
    if mime == "image/svg+xml":
        check_svg(body)
        return body, mime, "data URI (checked SVG)"
    return body, mime, "data URI (raster image)"


def check_svg(body: bytes) -> None:
    """Raise FetchRefused unless ``body`` is a self-contained SVG without active content."""
    lowered = body.lower()
    if b"<!doctype" in lowered or b"<!entity" in lowered:
        raise FetchRefused("SVG with a DOCTYPE or entities")
    try:
        root = ET.fromstring(body)  # noqa: S314  (no DTD/entities, checked above)
    except ET.ParseError:
        raise FetchRefused("SVG is not well-formed XML") from None
    for element in root.iter():
        tag = _local(element.tag).lower()
        if tag in _SVG_FORBIDDEN_TAGS:
            raise FetchRefused(f"SVG contains <{tag}>")
        for name, value in element.attrib.items():
            attr = _local(name).lower()
            if attr.startswith("on"):
                raise FetchRefused(f"SVG has an event attribute {attr}")
            if attr in _HREF_ATTRS and not value.strip().startswith("#"):
                raise FetchRefused("SVG refers to an external resource")
            _check_css_urls(value)
        if tag == "style":
            if "@import" in (element.text or "").lower():
                raise FetchRefused("SVG style imports a stylesheet")
            _check_css_urls(element.text or "")


def _check_css_urls(text: str) -> None:
    for target in _URL_IN_TEXT.findall(text):
        if not target.startswith("#"):
            raise FetchRefused("SVG refers to an external resource in url()")


def _local(name: str) -> str:
    return name.rsplit("}", 1)[-1]


# ---------------------------------------------------------------------------------------------
# The WeasyPrint side (imported lazily)


def static_url_fetcher(
    *, base_url: str = BASE_URL, static_url_path: str = STATIC_URL_PATH
) -> URLFetcher:
    """A new :class:`StaticURLFetcher` (a ``weasyprint.urls.URLFetcher`` subclass).

    Make a fresh one per document if you want its ``log`` to describe just that document.
    """
    return _fetcher_class()(base_url=base_url, static_url_path=static_url_path)


_FETCHER_CLASS: type | None = None


def _fetcher_class() -> type:
    global _FETCHER_CLASS  # noqa: PLW0603  (class built once, after the lazy import)
    if _FETCHER_CLASS is None:
        from weasyprint.urls import URLFetcher, URLFetcherResponse

        class StaticURLFetcher(URLFetcher):
            """Serves the app's static files and checked data URIs; refuses all else."""

            def __init__(self, *, base_url: str, static_url_path: str) -> None:
                # No protocols and no redirects for the parent's opener: only fetch() below
                # answers, and it never touches the network.
                super().__init__(allowed_protocols=(), allow_redirects=False, timeout=1)
                self.base_url = base_url
                self.static_url_path = static_url_path
                self.log: list[FetchRecord] = []

            def fetch(self, url: str, headers: dict | None = None) -> URLFetcherResponse:
                shown = url if len(url) < 120 else url[:117] + "..."
                try:
                    body, content_type, reason = resolve_url(
                        url, base_url=self.base_url, static_url_path=self.static_url_path
                    )
                except FetchRefused as refusal:
                    self.log.append(FetchRecord(shown, False, str(refusal)))
                    logger.warning("PDF fetch refused: %s (%s)", shown, refusal)
                    raise
                self.log.append(FetchRecord(shown, True, reason))
                return URLFetcherResponse(url, body, headers={"Content-Type": content_type})

        _FETCHER_CLASS = StaticURLFetcher
    return _FETCHER_CLASS


def render_pdf(
    html: str,
    *,
    base_url: str = BASE_URL,
    fetcher: URLFetcher | None = None,
    static_url_path: str = STATIC_URL_PATH,
) -> bytes:
    """Render an HTML document (a ``str``, already escaped by Jinja) to PDF bytes.

    ``base_url``: what relative URLs in the HTML resolve against (keep the default unless
    the HTML uses absolute URLs of the app; the fetcher only serves URLs on this origin).
    ``fetcher``: pass your own :func:`static_url_fetcher` to inspect ``fetcher.log``
    afterwards; by default a fresh one is made. Fonts are subset (Debian's
    ``libharfbuzz-subset0`` makes that fast). The PDF is tagged as PDF/UA-1 (headings,
    tables, figures with their alt text, the document's language and title), so a screen
    reader reads it in order.
    """
    from weasyprint import HTML

    if fetcher is None:
        fetcher = static_url_fetcher(base_url=base_url, static_url_path=static_url_path)
    document = HTML(string=html, base_url=base_url, url_fetcher=fetcher)
    return document.write_pdf(pdf_variant="pdf/ua-1")
