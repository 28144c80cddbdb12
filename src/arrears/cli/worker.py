"""`arrears worker [--once] [--json]`: the bank's day (see `arrears.operations`).

Without options it runs until stopped (Ctrl-C or SIGTERM; a job under way is finished first): every
ARREARS_WORKER_POLL_SECONDS it queues what is due — the feed waiting in ARREARS_FEED_DIR (then the nightly run
and allocation of its date, then a dispatch), the notices dispatcher every ARREARS_WORKER_DISPATCH_MINUTES, the
print batch once a day from ARREARS_PRINT_BATCH_HOUR, the housekeeping of the task queue once a day
(finished rows older than ARREARS_WORKER_KEEP_TASK_DAYS) — and runs the queue. Any number of workers may run, on
any number of machines sharing the database: each job runs at most once at a time.

`--once` runs what is due now and whatever that makes due (the chain, retries after their backoff), prints
one line per attempt it ran (`--json`: one object) and exits: 0, or 1 when a job failed for good.
"""

from __future__ import annotations

import json
import signal

import click

from arrears.cli.feed import actor_named, first_line
from arrears.cli.web import setup_django


@click.command("worker")
@click.option("--once", is_flag=True, help="Run what is due now (and what that makes due), then exit.")
@click.option("--json", "as_json", is_flag=True, help="With --once: print the attempts as one JSON object.")
def worker(once: bool, as_json: bool) -> None:
    """Run the day's schedule: feed, nightly run, dispatch, purge, print batch, housekeeping."""
    setup_django()
    from django.conf import settings
    from django.db import DatabaseError

    from arrears.operations.models import JobState
    from arrears.operations.tasks import worker_name
    from arrears.operations.worker import run_forever, run_once

    stop = {"now": False}

    def _stop(*_args) -> None:
        stop["now"] = True

    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, _stop)
    try:
        actor = actor_named(None)
        if not once:
            click.echo(f"worker {worker_name()} running; feed directory {settings.ARREARS_FEED_DIR}", err=True)
            run_forever(
                actor=actor,
                poll=settings.ARREARS_WORKER_POLL_SECONDS,
                stopping=lambda: stop["now"],
                say=lambda line: click.echo(line, err=True),
            )
            click.echo("worker stopped", err=True)
            return
        runs = run_once(actor=actor, stopping=lambda: stop["now"])
    except DatabaseError as exc:
        raise click.ClickException(f"database error: {first_line(exc)}; start the worker again") from exc
    gave_up = [r for r in runs if r.state == JobState.FAILED and r.attempt >= settings.ARREARS_WORKER_MAX_ATTEMPTS]
    if as_json:
        rows = [
            {
                "job": r.job,
                "slot": r.slot,
                "attempt": r.attempt,
                "state": r.state,
                "seconds": r.seconds,
                "summary": r.summary,
                "error": r.error.splitlines()[0] if r.error else "",
            }
            for r in runs
        ]
        click.echo(json.dumps({"runs": rows, "failed": len(gave_up)}, ensure_ascii=False, sort_keys=True))
    else:
        if not runs:
            click.echo("nothing was due")
        for r in runs:
            outcome = r.summary if r.state == JobState.SUCCEEDED else (r.error.splitlines() or [""])[0]
            click.echo(f"{r.job:<12} {r.slot:<28} #{r.attempt} {r.state:<10} {r.seconds or 0:>7.1f} s  {outcome}")
    if gave_up:
        raise click.ClickException(
            f"{len(gave_up)} job(s) failed after {settings.ARREARS_WORKER_MAX_ATTEMPTS} attempts; "
            "the administrators were emailed"
        )
