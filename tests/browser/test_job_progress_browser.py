"""HR builds every PDF of a closed round from the round page in Chromium: the progress page
follows the background job through htmx until the download appears."""

import re
from types import SimpleNamespace

import pytest

from feedback.models import RaterGroup, RoundStatus
from feedback.reports.pdf_cache import shutdown_pdf_process
from tests.browser.browser_helpers import mark_page, same_page, shoot
from tests.factories import (
    add_rated_participant,
    add_response,
    make_rated_manager,
    make_user,
    statement_ids,
)

pytestmark = pytest.mark.browser

# A hang guard, not a speed check: PDFs render in a spawned process on a noisy machine.
JOB_WAIT_MS = 180_000
# Note every state the progress box is swapped to (status text and bar value); return the
# status shown when the page loaded.
RECORD_UPDATES = """() => {
  window.__jobUpdates = [];
  document.body.addEventListener("htmx:afterSettle", () => {
    const box = document.getElementById("job-progress");
    const bar = box.querySelector("progress");
    window.__jobUpdates.push({
      status: box.querySelector(".job-status strong").textContent,
      value: bar && bar.hasAttribute("value") ? Number(bar.getAttribute("value")) : null,
    });
  });
  return document.querySelector("#job-progress .job-status strong").textContent;
}"""


@pytest.fixture
def closed_round(live_app):
    """A closed round with two rated managers (self and three direct reports each)."""
    with live_app.app_context():
        rnd, first, _links = make_rated_manager(reports=3, status=RoundStatus.CLOSED)
        rnd.name = "Voorjaar"
        participants = [first, add_rated_participant(rnd=rnd, name="Cor Drie")]
        ids = statement_ids(rnd)
        for participant in participants:
            add_response(participant=participant, group="self", scores=dict.fromkeys(ids, 4))
            for score in (3, 4, 5):
                add_response(
                    participant=participant,
                    group=RaterGroup.DIRECT_REPORT,
                    scores=dict.fromkeys(ids, score),
                )
        make_user(role="hr", email="hr@example.test")
        yield SimpleNamespace(round_id=rnd.id)
    shutdown_pdf_process()


def test_build_all_pdfs_shows_progress_then_the_download(browse, closed_round):
    from playwright.sync_api import expect

    page = browse.page()
    browse.login(page, "hr@example.test")
    page.goto(f"/admin/rounds/{closed_round.round_id}")
    page.get_by_role("button", name="Build all PDFs (ZIP)").click()  # a plain form post
    expect(page).to_have_url(re.compile(r"/jobs/[0-9a-f-]{36}$"))
    progress = page.locator("#job-progress")
    expect(progress).to_be_visible()
    mark_page(page)
    first = page.evaluate(RECORD_UPDATES)

    expect(progress.locator(".job-status strong")).to_have_text("Done", timeout=JOB_WAIT_MS)
    expect(progress.locator(".job-count")).to_have_text("2 of 2 reports")
    expect(progress.locator("progress")).to_have_attribute("value", "2")
    expect(progress.locator("progress")).to_have_attribute("max", "2")
    download_link = progress.get_by_role("link", name="Download")
    expect(download_link).to_be_visible()
    expect(progress).not_to_have_attribute("hx-get", re.compile("."))  # polling stopped
    assert same_page(page)  # every update came through htmx, not a reload
    if first != "Done":  # the usual case: the job was still waiting when the page loaded
        seen = page.evaluate("window.__jobUpdates")
        assert seen[-1] == {"status": "Done", "value": 2}, seen
        values = [update["value"] for update in seen if update["value"] is not None]
        assert values == sorted(values), seen  # the bar only moves forward
    shoot(page, "job-done")

    with page.expect_download() as download:
        download_link.click()
    assert download.value.suggested_filename == "feedback-voorjaar.zip"
