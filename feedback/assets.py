"""Static files with content-hashed names, compressed once and cached for good.

`flask --app wsgi assets` (run by `make run` and `make test`) copies feedback/static/ to the
build folder (ASSETS_DIR, feedback/static_build/ by default) twice over: under each file's own
name, and under a name with its content's hash (css/app.3f2a9c1b04de.css); it writes a gzip
and a brotli copy of every file worth compressing beside it, and manifest.json (name ->
hashed name). With that folder present, the app

- serves it through WhiteNoise under /static/: the right encoding for each client's
  Accept-Encoding, ETag and Last-Modified, and for the hashed names
  `Cache-Control: public, max-age=31536000, immutable` (a new file is a new name);
- makes every `url_for('static', filename=...)` give the hashed name, so templates stay as
  they are.

Without it (a checkout where the step has not run), Flask serves feedback/static/ as before.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from pathlib import Path

from flask import Flask

STATIC = Path(__file__).parent / "static"
DEFAULT_DIR = Path(__file__).parent / "static_build"
MANIFEST = "manifest.json"
HASHED = re.compile(r"\.[0-9a-f]{12}\.[A-Za-z0-9]+$")
YEAR = 31_536_000


def hashed_name(name: str, data: bytes) -> str:
    digest = hashlib.sha256(data).hexdigest()[:12]
    stem, dot, ext = name.rpartition(".")
    return f"{stem}.{digest}.{ext}" if dot else f"{name}.{digest}"


def unhashed(name: str) -> str:
    """css/app.3f2a9c1b04de.css -> css/app.css; other names as they are."""
    return re.sub(r"\.[0-9a-f]{12}(\.[A-Za-z0-9]+)$", r"\1", name)


def build(out: Path = DEFAULT_DIR, source: Path = STATIC) -> dict[str, str]:
    """Write the build folder anew; returns the manifest."""
    from whitenoise.compress import Compressor

    if out.exists():
        shutil.rmtree(out)
    manifest = {}
    compressor = Compressor(quiet=True)
    for path in sorted(p for p in source.rglob("*") if p.is_file()):
        name = path.relative_to(source).as_posix()
        data = path.read_bytes()
        manifest[name] = hashed_name(name, data)
        for target in (name, manifest[name]):
            dest = out / target
            dest.parent.mkdir(parents=True, exist_ok=True)
            dest.write_bytes(data)
            if compressor.should_compress(target):
                list(compressor.compress(str(dest)))
    (out / MANIFEST).write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n")
    return manifest


def is_hashed(_path: str, url: str) -> bool:
    """WhiteNoise's immutable_file_test: a hashed name never changes its content."""
    return bool(HASHED.search(url))


def _header_function(hsts: bool):
    """The headers feedback/security.py gives pages that matter for a static file."""
    from feedback.security import HSTS

    def add(headers, _path: str, url: str) -> None:
        headers["X-Content-Type-Options"] = "nosniff"
        if hsts:
            headers["Strict-Transport-Security"] = HSTS
        if HASHED.search(url):  # WhiteNoise says ten years; a year is what browsers keep
            headers["Cache-Control"] = f"public, max-age={YEAR}, immutable"

    return add


def init_app(app: Flask) -> None:
    folder = Path(app.config.get("ASSETS_DIR") or DEFAULT_DIR)
    manifest_path = folder / MANIFEST

    @app.cli.command("assets")
    def assets_command() -> None:
        """Build the hashed and compressed static files (make run and make test do)."""
        build(folder)

    if not manifest_path.is_file():
        return
    manifest = json.loads(manifest_path.read_text())

    from whitenoise import WhiteNoise

    from feedback.security import serves_https

    app.wsgi_app = WhiteNoise(
        app.wsgi_app,
        root=str(folder),
        prefix="static/",
        max_age=60,  # names without a hash: revalidated after a minute
        immutable_file_test=is_hashed,
        add_headers_function=_header_function(serves_https(app)),
    )

    @app.url_defaults
    def _hashed(endpoint: str, values: dict) -> None:
        if endpoint == "static" and values.get("filename") in manifest:
            values["filename"] = manifest[values["filename"]]
