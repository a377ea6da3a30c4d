"""What kinds of job exist, and where their function lives.

Each kind maps to a function `fn(job_id, **params)` named by dotted path, so that a worker
(an RQ work horse, or the local job process) can import it without the web app having
imported it first. Add a line here for a new kind.
"""

from collections.abc import Callable
from dataclasses import dataclass
from importlib import import_module


@dataclass(frozen=True)
class JobKind:
    path: str  # "package.module:function"
    title: str  # shown as the page heading
    unit: str  # what `done` and `total` count: "12 of 40 reports"
    in_ui: bool = True


KINDS: dict[str, JobKind] = {
    "selftest": JobKind("feedback.jobs.selftest:selftest", "Self-test", "steps", in_ui=False),
    "send_mail": JobKind("feedback.mail_delivery:deliver_job", "Sending e-mail", "e-mails"),
    "build_pdfs": JobKind("feedback.reports.jobs:build_pdfs", "Building all PDFs", "reports"),
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
