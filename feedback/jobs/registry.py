"""What kinds of job exist, and where their function lives.

Each kind maps to a function `fn(job_id, **params)` named by dotted path, so that a worker
(an RQ work horse, or the local job process) can import it without the web app having
imported it first. Add a line here for a new kind.
"""

from collections.abc import Callable
from dataclasses import dataclass
from importlib import import_module

from flask_babel import lazy_gettext as _l
from flask_babel import ngettext


def count_steps(done: int, total: int) -> str:
    return ngettext("%(done)d of %(num)d step", "%(done)d of %(num)d steps", total, done=done)


def count_mails(done: int, total: int) -> str:
    return ngettext("%(done)d of %(num)d e-mail", "%(done)d of %(num)d e-mails", total, done=done)


def count_reports(done: int, total: int) -> str:
    return ngettext("%(done)d of %(num)d report", "%(done)d of %(num)d reports", total, done=done)


@dataclass(frozen=True)
class JobKind:
    path: str  # "package.module:function"
    title: str  # shown as the page heading (a lazy string: in the reader's language)
    # what `done` and `total` count, in the page's language: "12 of 40 reports"
    count: Callable[[int, int], str] = count_steps
    in_ui: bool = True


KINDS: dict[str, JobKind] = {
    "selftest": JobKind("feedback.jobs.selftest:selftest", _l("Self-test"), in_ui=False),
    "send_mail": JobKind("feedback.mail_delivery:deliver_job", _l("Sending e-mail"), count_mails),
    "build_pdfs": JobKind(
        "feedback.reports.jobs:build_pdfs", _l("Building all PDFs"), count_reports
    ),
}


class UnknownJobKind(LookupError):
    pass


def get_kind(kind: str) -> JobKind:
    try:
        return KINDS[kind]
    except KeyError:
        raise UnknownJobKind(kind) from None


def resolve(kind: str) -> Callable[..., object]:
    module_name, _, attribute = get_kind(kind).path.partition(":")
    return getattr(import_module(module_name), attribute)
