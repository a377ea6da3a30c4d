"""`flask --app wsgi worker`: an RQ worker for background jobs."""

import click


@click.command("worker")
@click.option("--burst", is_flag=True, help="Stop once the queue is empty.")
def worker_command(burst: bool) -> None:
    """Run background jobs from the Redis queue "feedback" (needs REDIS_URL).

    Each job runs in a fresh forked process, so memory taken by PDF rendering is returned.
    Start as many as the machine has cores to spare.
    """
    from feedback.jobs.runner import WorkerNotConfigured, run_worker

    try:
        run_worker(burst=burst)
    except WorkerNotConfigured as error:
        raise click.ClickException(str(error)) from error
