"""Helpers for the browser tests (plain functions, imported by the test modules)."""

import tempfile
from pathlib import Path

from feedback.extensions import db
from feedback.models import Invitation
from tests.factories import PASSWORD

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
WAIT_MS = 20_000
PLAYWRIGHT_EXPECT_MS = 5_000  # Playwright's own default, restored after each test
PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 900}
SHOTS = Path(tempfile.gettempdir()) / "browser-shots"  # look at them after a run


class Browse:
    """Pages on the live server: new contexts, logging in, keeping the page's JS state."""

    def __init__(self, browser, base_url: str):
        self.browser = browser
        self.base_url = base_url
        self._contexts = []

    def page(self, viewport=DESKTOP):
        context = self.browser.new_context(viewport=viewport, base_url=self.base_url)
        context.set_default_timeout(WAIT_MS)
        self._contexts.append(context)
        return context.new_page()

    def login(self, page, email: str, password: str = PASSWORD) -> None:
        from playwright.sync_api import expect

        page.goto("/auth/login")
        page.get_by_label("E-mail").fill(email)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Log in").click()
        expect(page.get_by_role("button", name="Log out")).to_be_visible()

    def close(self) -> None:
        for context in self._contexts:
            context.close()


def mark_page(page) -> None:
    """Set a variable in the page's window: it survives htmx swaps, not a page load."""
    page.evaluate("window.__sameDocument = true")


def same_page(page) -> bool:
    return page.evaluate("window.__sameDocument === true")


def shoot(page, name: str) -> None:
    """Full-page screenshots at desktop and phone width into SHOTS; checks, at phone width,
    that the page itself never scrolls sideways (wide tables scroll inside their box)."""
    SHOTS.mkdir(exist_ok=True)
    original = page.viewport_size
    try:
        page.set_viewport_size(DESKTOP)
        page.screenshot(path=str(SHOTS / f"{name}-desktop.png"), full_page=True)
        page.set_viewport_size(PHONE)
        page.screenshot(path=str(SHOTS / f"{name}-phone.png"), full_page=True)
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"{name}: the page scrolls sideways by {overflow}px on a phone"
    finally:
        page.set_viewport_size(original)


def set_language(app, invitation_id: int, language: str) -> None:
    """Set the language of an invitation (the rater's pages follow it)."""
    with app.app_context():
        db.session.get(Invitation, invitation_id).language = language
        db.session.commit()
        db.session.remove()
