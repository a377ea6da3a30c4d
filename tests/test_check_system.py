"""scripts/check_system.py: what stops `make run` / `make test`, and what only warns."""

import importlib.util
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "check_system.py"


@pytest.fixture(scope="module")
def check_system():
    spec = importlib.util.spec_from_file_location("check_system", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def without(*names):
    """A lookup that finds everything but `names`."""
    return lambda check: check.name not in names


@pytest.mark.parametrize("mode", ["run", "test"])
def test_everything_present_prints_nothing(check_system, capsys, mode):
    assert check_system.main(mode, found=without()) == 0
    assert capsys.readouterr().out == ""


def test_missing_harfbuzz_subset_warns_and_carries_on(check_system, capsys):
    assert check_system.main("run", found=without("harfbuzz-subset")) == 0
    out = capsys.readouterr().out
    assert out.startswith("Warning:")
    assert "harfbuzz-subset" in out
    assert "35 % slower" in out  # what it costs
    assert "sudo apt-get update && sudo apt-get install -y libharfbuzz-subset0" in out
    assert "Carrying on" in out
    assert "needed" not in out


def test_the_real_lookup_is_used_by_default(check_system, monkeypatch, capsys):
    monkeypatch.setattr(check_system.ctypes.util, "find_library", lambda name: None)
    monkeypatch.setattr(check_system.shutil, "which", lambda name: "/usr/bin/" + name)
    assert check_system.main("test") == 1
    out = capsys.readouterr().out
    assert "pango-1.0" in out and "harfbuzz-subset" in out


@pytest.mark.parametrize(
    "mode, name, package",
    [
        ("run", "pango-1.0", "libpango-1.0-0"),
        ("run", "pangoft2-1.0", "libpangoft2-1.0-0"),
        ("test", "pango-1.0", "libpango-1.0-0"),
        ("test", "pdftotext", "poppler-utils"),
        ("test", "pdftoppm", "poppler-utils"),
        ("test", "chromium", "chromium"),
    ],
)
def test_missing_required_piece_stops(check_system, capsys, mode, name, package):
    assert check_system.main(mode, found=without(name)) == 1
    out = capsys.readouterr().out
    assert out.startswith("Missing system packages (needed):")
    assert f"  - {name} (" in out
    assert f"Debian package {package}" in out
    assert f"sudo apt-get install -y {package}" in out
    assert "Carrying on" not in out


def test_test_programs_are_not_needed_to_run(check_system, capsys):
    assert check_system.main("run", found=without("chromium", "pdftotext", "pdftoppm")) == 0
    assert capsys.readouterr().out == ""


def test_required_and_optional_missing_stops_and_names_both(check_system, capsys):
    found = without("pango-1.0", "harfbuzz-subset", "chromium")
    assert check_system.main("test", found=found) == 1
    out = capsys.readouterr().out
    needed, _, optional = out.partition("Warning:")
    assert "pango-1.0" in needed and "chromium" in needed and "harfbuzz" not in needed
    assert "harfbuzz-subset" in optional
    assert "sudo apt-get install -y chromium libharfbuzz-subset0 libpango-1.0-0" in out


def test_poppler_named_once_in_the_install_line(check_system, capsys):
    check_system.main("test", found=without("pdftotext", "pdftoppm"))
    out = capsys.readouterr().out
    assert out.count("poppler-utils") == 3  # once per program, once to install
