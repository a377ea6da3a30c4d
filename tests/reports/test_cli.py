"""`flask reports build ROUND_ID --out DIR [--jobs N]`."""

import pytest
from pypdf import PdfReader

from feedback.models import RaterGroup, RoundStatus
from tests.factories import add_participant, add_response, make_person, make_round, statement_ids


def seeded_round(db, status, names=("Anne Één", "Bert Twee")):
    rnd = make_round(db, name="Voorjaar 2026", status=status)
    ids = statement_ids(rnd)
    for name in names:
        part = add_participant(db, rnd, make_person(db, name=name, role="manager"))
        add_response(db, part, group="self", scores=dict.fromkeys(ids, 4), grade=7)
        for score in (3, 4, 5):
            add_response(db, part, group=RaterGroup.DIRECT_REPORT, scores=dict.fromkeys(ids, score))
    return rnd


@pytest.mark.parametrize("status", [RoundStatus.PUBLISHED, RoundStatus.CLOSED])
def test_build_writes_every_pdf(app, db, runner, tmp_path, status):
    rnd = seeded_round(db, status)
    out = tmp_path / "pdfs"
    result = runner.invoke(args=["reports", "build", str(rnd.id), "--out", str(out)])
    assert result.exit_code == 0, result.output
    files = sorted(p.name for p in out.iterdir())
    assert files == [
        "feedback-voorjaar-2026-anne-een.pdf",
        "feedback-voorjaar-2026-bert-twee.pdf",
    ]
    for filename, name in zip(files, ("Anne Één", "Bert Twee"), strict=True):
        reader = PdfReader(out / filename)
        assert len(reader.pages) >= 5  # a whole report: cover, legs, comments, plan
        assert name in reader.pages[0].extract_text()
    assert "Building 2 reports" in result.output
    assert '2 PDF reports of "Voorjaar 2026"' in result.output


def test_build_with_two_worker_processes(app, db, runner, tmp_path):
    rnd = seeded_round(db, RoundStatus.PUBLISHED, names=("Anne Een", "Bert Twee", "Cor Drie"))
    out = tmp_path / "pdfs"
    result = runner.invoke(args=["reports", "build", str(rnd.id), "--out", str(out), "--jobs", "2"])
    assert result.exit_code == 0, result.output
    paths = sorted(out.iterdir())
    assert len(paths) == 3
    assert all(p.read_bytes().startswith(b"%PDF") for p in paths)
    assert "3 PDF reports" in result.output and "2 jobs" in result.output


def test_same_names_get_distinct_files(app, db, runner, tmp_path):
    rnd = seeded_round(db, RoundStatus.PUBLISHED, names=("Sam Jansen", "Sam Jansen"))
    result = runner.invoke(args=["reports", "build", str(rnd.id), "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert len(list(tmp_path.glob("feedback-voorjaar-2026-sam-jansen-*.pdf"))) == 2


@pytest.mark.parametrize("status", [RoundStatus.OPEN, RoundStatus.DRAFT])
def test_refuses_open_or_draft_round(app, db, runner, tmp_path, status):
    rnd = seeded_round(db, status)
    out = tmp_path / "pdfs"
    result = runner.invoke(args=["reports", "build", str(rnd.id), "--out", str(out)])
    assert result.exit_code != 0
    assert f"is {status.value}" in result.output and "closed or published" in result.output
    assert not out.exists()


def test_unknown_round(app, db, runner, tmp_path):
    result = runner.invoke(args=["reports", "build", "987654", "--out", str(tmp_path)])
    assert result.exit_code != 0 and "no round 987654" in result.output


def test_jobs_must_be_positive(app, db, runner, tmp_path):
    rnd = seeded_round(db, RoundStatus.PUBLISHED, names=("Anne Een",))
    result = runner.invoke(
        args=["reports", "build", str(rnd.id), "--out", str(tmp_path), "--jobs", "0"]
    )
    assert result.exit_code != 0 and "--jobs" in result.output
