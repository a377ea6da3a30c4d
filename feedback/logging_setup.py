"""Logs never record a personal link's token (DESIGN.md, rule 7).

Both kinds of personal link carry one: the survey link /s/<token> and the set-password link
/auth/password/<token>. The development server (werkzeug) and gunicorn log the request line
and, on an error, a traceback that may quote the URL; Flask logs "Exception on <path>".
Every such record goes through `RedactTokens`, which applies feedback.tokens.redact_links
to the message, its arguments, the formatted traceback and the stack. gunicorn's access log
line is built from atoms, which `RedactingGunicornLogger` (gunicorn.conf.py) redacts too.

The filter sits on the loggers that see URLs (a filter on a logger does not see records
of its child loggers, so it also sits on Flask's default handler, through which the app's
child loggers write).
"""

import logging

from flask import Flask
from flask.logging import default_handler

from feedback.tokens import mentions_link, redact_links

LOGGERS = ("werkzeug", "gunicorn.access", "gunicorn.error")


def redact(text: str) -> str:
    return redact_links(text)


def _redacted(value):
    return redact(value) if isinstance(value, str) else value


class RedactTokens(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        if record.args:
            # Rebuilt only when a value holds a link: gunicorn's access atoms keep their type
            # (a dict that answers "-" for a header the line's format asks and the request
            # lacks), and most records cost one look at each value.
            values = record.args.values() if isinstance(record.args, dict) else record.args
            if any(isinstance(v, str) and mentions_link(v) for v in values):
                if isinstance(record.args, dict):
                    record.args = {k: _redacted(v) for k, v in record.args.items()}
                else:
                    record.args = tuple(_redacted(a) for a in record.args)
        if record.exc_info and not record.exc_text:
            # Formatted here, once, as the formatter would; it then uses this text.
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


def install_filter(target: logging.Logger | logging.Handler) -> None:
    if not any(isinstance(f, RedactTokens) for f in target.filters):
        target.addFilter(RedactTokens())


def init_app(app: Flask) -> None:
    for name in (*LOGGERS, app.logger.name):
        install_filter(logging.getLogger(name))
    install_filter(default_handler)
