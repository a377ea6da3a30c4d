"""Imported once by the fork server (feedback/processes.py) before it forks any child.

Everything a child needs is imported here, and WeasyPrint renders one small page, so
that its fonts are found and its font map is built once: every child forked afterwards
starts with all of it in place (copy-on-write) instead of doing it again. Nothing here
opens a connection, starts a thread or builds an app: the children do that themselves.
Never imported by the web or CLI process.
"""

import logging

import feedback  # noqa: F401  (create_app and the models)
import feedback.jobs.registry
import feedback.jobs.runner  # noqa: F401
import feedback.mail_delivery  # noqa: F401
import feedback.reports.bulk  # noqa: F401
import feedback.reports.jobs  # noqa: F401
import feedback.reports.pdf_cache  # noqa: F401

log = logging.getLogger(__name__)


def _warm_up_weasyprint() -> None:
    try:
        from weasyprint import HTML

        HTML(string="<p style='font-family: sans-serif'>feedback <b>feedback</b></p>").write_pdf()
    except Exception:  # a child then warms up on its own first report, as before
        log.warning("WeasyPrint could not be warmed up in the fork server", exc_info=True)


for _kind in feedback.jobs.registry.KINDS:  # the job functions themselves
    feedback.jobs.registry.resolve(_kind)
_warm_up_weasyprint()
