"""`flask --app wsgi worker`: an RQ worker for background jobs."""

import click
from flask.cli import with_appcontext


@click.command("worker")
@click.option("--burst", is_flag=True, help="Stop once the queue is empty.")
@click.option("--queue", default=None, help='Queue name (default: JOBS_QUEUE or "feedback").')
@with_appcontext
def worker_command(burst: bool, queue: str | None) -> None:
    """Run background jobs from the Redis queue "feedback" (needs REDIS_URL).

    Each job runs in a fresh forked process, so memory taken by PDF rendering is returned.
    Start as many as the machine has cores to spare.
    """
    from feedback.jobs.runner import WorkerNotConfigured, run_worker

    try:
        run_worker(burst=burst, queue=queue)
    except WorkerNotConfigured as error:
        raise click.ClickException(str(error)) from error
