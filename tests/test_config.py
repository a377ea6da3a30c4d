"""Every setting the code reads is declared in `Config` with its default, and only there."""

import re
from pathlib import Path

import feedback
from feedback.config import Config
from feedback.models import Round

SOURCE = Path(feedback.__file__).parent
READ = re.compile(r"""config(?:\.get\(|\[|\.setdefault\()\s*["']([A-Z][A-Z0-9_]*)["']""")
READ_WITH_DEFAULT = re.compile(r"""config\.get\(\s*["']([A-Z][A-Z0-9_]*)["']\s*,""")


def _reads(pattern: re.Pattern) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for path in SOURCE.rglob("*.py"):
        for key in pattern.findall(path.read_text(encoding="utf-8")):
            found.setdefault(key, set()).add(str(path.relative_to(SOURCE)))
    return found


def test_every_setting_read_is_declared_in_config():
    reads = _reads(READ)
    assert "MAIL_SERVER" in reads  # the pattern finds what it should
    missing = {key: paths for key, paths in reads.items() if not hasattr(Config, key)}
    assert not missing, missing


def test_no_second_default_next_to_config():
    """A default written again at the read would silently win over a changed Config."""
    reads = _reads(READ_WITH_DEFAULT)
    twice = {key: paths for key, paths in reads.items() if hasattr(Config, key)}
    assert not twice, twice


def test_the_threshold_default_is_configs(app_ctx):
    column_default = Round.__table__.c.threshold.default.arg
    assert column_default == Config.DEFAULT_THRESHOLD == app_ctx.config["DEFAULT_THRESHOLD"]
