"""Work in another process: the one way the app starts a child process and builds its app.

    snapshot = AppSnapshot.of(current_app)          # in the parent: plain, picklable settings
    start_process(snapshot, run_job, job_id)        # a fresh spawned process for one call
    pool = process_pool(current_app, workers=2)     # or a pool of spawned children
    pool.submit(render, participant_id)             # where `render` enters `child_app()`

Children are never forked from the parent: a fork would share the parent's database
connections, threads and locks. They come from a fork server (multiprocessing's
"forkserver" start method): a clean process started once per parent, which has imported
the app's code and WeasyPrint and rendered one page (`feedback.child_preload`), and forks
each child from that state. A child so starts in milliseconds instead of the second or
two a spawned interpreter needs to import everything and warm WeasyPrint up again. The
fork server holds no connection, no thread and no app, so nothing of the parent's is
shared. A child is given an `AppSnapshot` (every setting that pickles, and the instance
folder) and builds its app from it once (`init_child`, as the initializer of a pool or the
first step of a fresh process). Where there is no fork server (not on Linux or macOS),
children are spawned, which works the same, only slower to start.
Work done in the child enters that app with `app_context()`, which also removes the
session afterwards, so nothing is held between two tasks of a kept child.

Three kinds of work use it:

- a local background job (`feedback.jobs.runner`, no `REDIS_URL`): one fresh process per
  job, which exits when the job ends and so gives back all the memory WeasyPrint took;
- the bulk build of a round's PDFs with `--jobs N` (`feedback.reports.bulk`): a pool of N;
- a single report's PDF for download (`feedback.reports.pdf_cache`): one kept child per web
  process, replaced after `PDF_TASKS_PER_PROCESS` reports.

Why single PDF renders keep their own child rather than going through the job system: the
download is a request someone waits for, and it is answered in the same request. A job
would wait behind whatever the (single, by design) local job process is doing, a bulk
build of a whole round for instance, and an RQ work horse starts cold for every job (about
a second of WeasyPrint start-up plus building the app). The kept child starts once and
renders the next reports warm; it is bounded in memory by being replaced after a number of
reports, and the rendered PDF is cached in the database, so every host serves it.

An RQ work horse has no snapshot: it builds its app from the environment with
`create_app()`, just like the web app (`child_app()` does that on first use).
"""

from __future__ import annotations

import logging
import multiprocessing
import pickle
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass

from flask import Flask, current_app, has_app_context

log = logging.getLogger(__name__)

_app: Flask | None = None  # the app of this child process, built once


@dataclass(frozen=True)
class AppSnapshot:
    """What a spawned child needs to build an app like the parent's."""

    config: dict
    instance_path: str

    @classmethod
    def of(cls, app: Flask) -> AppSnapshot:
        """The app's settings that pickle (upper-case keys only), and its instance folder."""
        config = {}
        for key, value in app.config.items():
            if not key.isupper():
                continue
            try:
                pickle.dumps(value)
            except (pickle.PicklingError, TypeError, AttributeError):
                log.debug("Setting %s is not passed to a child process", key)
                continue
            config[key] = value
        return cls(config=config, instance_path=app.instance_path)

    def build(self) -> Flask:
        from feedback import create_app

        app = create_app(self.config)
        app.instance_path = self.instance_path
        return app


def init_child(snapshot: AppSnapshot) -> None:
    """In a spawned child: build its one app (a pool's initializer; idempotent)."""
    global _app  # noqa: PLW0603  (one app per child process)
    if _app is None:
        _app = snapshot.build()


def child_app() -> Flask:
    """The app to work in: the current one, this child's, or one built from the environment."""
    global _app  # noqa: PLW0603  (one app per worker process)
    if has_app_context():
        return current_app._get_current_object()
    if _app is None:
        from feedback import create_app

        _app = create_app()
    return _app


@contextmanager
def app_context() -> Iterator[Flask]:
    """Enter the child's app in a context (and session) of its own, removed afterwards, so
    nothing is held between tasks. Inside an app context, a new context of that app."""
    from feedback.extensions import db

    app = child_app()
    with app.app_context():
        try:
            yield app
        finally:
            db.session.remove()


#: What the fork server imports (and so every child has imported) before it forks.
PRELOAD = ["feedback.child_preload"]


def _context() -> multiprocessing.context.BaseContext:
    """The start method for every child: a fork server where there is one, else spawn."""
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(PRELOAD)  # takes effect when the server first starts
    return context


def _fresh_process_main(snapshot: AppSnapshot, target: Callable, args: tuple) -> None:
    init_child(snapshot)
    target(*args)


def start_process(
    snapshot: AppSnapshot,
    target: Callable,
    *args,
    name: str,
    heartbeat: Callable[[], object] | None = None,
    every: float = 60.0,
) -> int | None:
    """Run `target(*args)` in a fresh spawned process with its own app; wait; its exit code.

    `target` must be importable by name (a module-level function). While waiting, calls
    `heartbeat()` every `every` seconds (to renew a lease, say).
    """
    process = _context().Process(
        target=_fresh_process_main, args=(snapshot, target, args), name=name
    )
    process.start()
    while True:
        process.join(max(0.05, every) if heartbeat else None)
        if process.exitcode is not None:
            return process.exitcode
        heartbeat()


def process_pool(
    app: Flask, workers: int, *, max_tasks_per_child: int | None = None
) -> ProcessPoolExecutor:
    """A pool of `workers` spawned children, each with its own app built from `app`'s."""
    return ProcessPoolExecutor(
        max_workers=workers,
        mp_context=_context(),
        max_tasks_per_child=max_tasks_per_child,
        initializer=init_child,
        initargs=(AppSnapshot.of(app),),
    )
