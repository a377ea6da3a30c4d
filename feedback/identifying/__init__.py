"""The warning on a comment that could give its writer away (issue 11).

While a rater types an open answer, its autosave checks the text for what could identify
the writer or someone else, and the page marks those words with a short reason; the rater
rewrites them or keeps them. Nothing about the warning is stored: it is worked out from the
request's text and goes back in the response. It never stands in the way of saving or
sending.

- `kinds`: `Span(start, end, kind)`, the kinds of detail and the reason shown for each.
- `patterns`: Dutch and English patterns: e-mail, phone, web address, dates, moments,
  places, personal detail.
- `org_names`: the organisation's names (the people table) and customers (a setting).
- `deduce_checker`: deduce in one process per host, asked over a local socket within a
  budget; `build`: its lookup structures, built at install time (`make run`, `make test`).
- `check`: `spans(text, lang, org, deduce=None)`, the public check: names and patterns
  always, deduce's findings (filtered) when its checker answers in time.
- `survey`: what the survey's autosave calls, and the notes its template shows
  (templates/survey/_identifying.html).
"""

from feedback.identifying.check import spans
from feedback.identifying.kinds import Span

__all__ = ["Span", "spans"]
