"""How large a request body may be.

Every form fits in MAX_CONTENT_LENGTH; only the people import (HR, logged in) may send
UPLOAD_MAX_CONTENT_LENGTH. The limit has to be known before anything reads the body, and
the CSRF check reads it before any view runs, so it is decided here, by endpoint, when the
body is first parsed. A body over the limit is refused unread with 413 (errors.py).
"""

from flask import Flask, Request, current_app

UPLOAD_ENDPOINTS = frozenset({"people.upload"})


class LimitedRequest(Request):
    @property
    def max_content_length(self) -> int | None:
        if self._max_content_length is not None:  # set on this request by a view
            return self._max_content_length
        if current_app and self.endpoint in UPLOAD_ENDPOINTS:
            return current_app.config["UPLOAD_MAX_CONTENT_LENGTH"]
        return super().max_content_length

    @max_content_length.setter
    def max_content_length(self, value: int | None) -> None:
        self._max_content_length = value


def init_app(app: Flask) -> None:
    app.request_class = LimitedRequest
