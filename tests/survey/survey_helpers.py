"""Driving the rater's form like a browser tab does, through the Flask test client."""

import re

FINGERPRINT_INPUT = re.compile(r'<input type="hidden" id="draft-fingerprint"[^>]*value="([^"]*)"')


def fingerprint_in(html: str) -> str | None:
    """The draft fingerprint a page (or an autosave's out-of-band swap) carries, or None."""
    found = FINGERPRINT_INPUT.search(html)
    return found.group(1) if found else None


class Tab:
    """One browser tab on the rater's link, as htmx and the form would drive it: it keeps
    the hidden draft fingerprint of its page, sends it with every autosave and post, and
    takes the new one from an autosave's out-of-band swap or from a re-rendered form."""

    def __init__(self, client, url: str):
        self.client, self.url = client, url
        self.fingerprint = fingerprint_in(client.get(url).text)
        assert self.fingerprint is not None

    def _keep(self, html: str) -> None:
        new = fingerprint_in(html)
        if new is not None:
            self.fingerprint = new

    def autosave(self, data: dict[str, str]):
        posted = {**data, "draft_fingerprint": self.fingerprint}
        response = self.client.post(
            self.url + "/answer", data=posted, headers={"HX-Request": "true"}
        )
        self._keep(response.text)
        return response

    def post(self, data: dict[str, str]):
        response = self.client.post(self.url, data={**data, "draft_fingerprint": self.fingerprint})
        self._keep(response.text)
        return response
