"""gunicorn settings for production: `gunicorn -c gunicorn.conf.py wsgi:app`."""

from gunicorn.glogging import Logger

from feedback.logging_setup import install_filter, redact

bind = "127.0.0.1:8000"
workers = 2
accesslog = "-"


class RedactingGunicornLogger(Logger):
    """Neither the access log nor the error log carries a personal link's token."""

    def setup(self, cfg):
        super().setup(cfg)
        # The error log ("Error handling request /s/...", "Invalid request ...", their
        # tracebacks), from the first line on, before the app is even loaded.
        for log in (self.error_log, self.access_log):
            install_filter(log)

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        # Every atom: a custom access_log_format may use %({path_info}e)s or %({referer}i)s.
        for key, value in atoms.items():
            if isinstance(value, str):
                atoms[key] = redact(value)
        return atoms


logger_class = RedactingGunicornLogger
