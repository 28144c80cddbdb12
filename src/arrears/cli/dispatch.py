"""`arrears dispatch`: drain the notices outbox (see `arrears.notices.dispatch`).

Without options it runs until stopped (Ctrl-C or SIGTERM): drains what is due, makes the day's print batch once
the local time passes ARREARS_PRINT_BATCH_HOUR, sleeps until the next notice falls due (at most `--poll`
seconds). `--once` drains what is due now and exits (for cron). `--print-batch` makes the print batch now.
`--report DATE` prints the dispatch report of a day instead (`--json` for machines).

After the tally it says how many notices wait for the quiet hours to end, deferred by the contact rules (REM-1),
and until when: "12 notices wait for the quiet hours to end (until 08:00)"; the JSON has it under
`"quiet_hours"`. The loop says it on stderr whenever that changes.
"""

from __future__ import annotations

import json
import signal
import threading
from datetime import timedelta

import click

from arrears.cli.feed import actor_named, first_line
from arrears.cli.params import DATE
from arrears.cli.web import setup_django


@click.command("dispatch")
@click.option("--once", is_flag=True, help="Send what is due now, then exit.")
@click.option("--poll", type=click.FloatRange(1, 3600), default=30.0, show_default=True, help="Seconds between looks.")
@click.option("--print-batch", "print_batch", is_flag=True, help="Make the print batch of the letters by post now.")
@click.option("--report", "report_day", type=DATE, default=None, help="Print the dispatch report of this day.")
@click.option("--json", "as_json", is_flag=True, help="Print the tally or report as one JSON object.")
@click.option("--user", "username", default=None, help="Dispatch as this user (default: the nightly run).")
def dispatch(once: bool, poll: float, print_batch: bool, report_day, as_json: bool, username: str | None) -> None:
    """Send queued notices (SMS, email) exactly once; print batches for letters by post."""
    setup_django()
    from django.db import DatabaseError
    from django.utils import timezone

    from arrears.compliance.actions import ActionDenied
    from arrears.notices.dispatch import Dispatcher
    from arrears.notices.printing import do_make_print_batch
    from arrears.notices.queries import dispatch_report, waiting_for_quiet_hours

    if report_day is not None:
        report = dispatch_report(report_day)
        if as_json:
            click.echo(json.dumps(report.as_json(), ensure_ascii=False, sort_keys=True))
        else:
            _print_report(report)
        return
    try:
        actor = actor_named(username)
        dispatcher = Dispatcher(actor)
        if print_batch:
            batch = do_make_print_batch(timezone.localdate(), actor=actor)
            if batch:  # the CLI speaks English throughout (PrintBatch's own name follows the active language)
                click.echo(
                    f"print batch {batch.business_date} #{batch.number}: {batch.letters} letters, {batch.pages} pages"
                )
            else:
                click.echo("no letters to print")
            if not once:
                return
        if once:
            tally = dispatcher.run_once()
            _print_tally(tally, as_json, waiting_for_quiet_hours(timezone.now()))
            return
        stop = threading.Event()
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: stop.set())
        click.echo(f"dispatching as {actor.get_username()} ({dispatcher.worker}); Ctrl-C stops", err=True)
        from django.conf import settings

        made_for = None
        said = None
        while not stop.is_set():
            dispatcher.run_once()
            waiting = waiting_for_quiet_hours(timezone.now())
            if waiting != said and (waiting.count or said is not None):
                click.echo(_quiet_line(waiting), err=True)
                said = waiting
            local = timezone.localtime()
            if local.hour >= settings.ARREARS_PRINT_BATCH_HOUR and made_for != local.date():
                do_make_print_batch(local.date(), actor=actor)
                made_for = local.date()
            dispatcher.serve_wait(poll=poll, stop=stop)
        _print_tally(dispatcher.tally, as_json, waiting_for_quiet_hours(timezone.now()))
    except ActionDenied as exc:
        raise click.ClickException(str(exc)) from exc
    except DatabaseError as exc:
        raise click.ClickException(f"database error: {first_line(exc)}; start the worker again") from exc


def _print_tally(tally, as_json: bool, waiting) -> None:
    rows = [{"channel": c, "outcome": o, "reason": r, "count": n} for (c, o, r), n in sorted(tally.items())]
    if as_json:
        payload = {"notices": rows, "quiet_hours": waiting.as_json()}
        click.echo(json.dumps(payload, ensure_ascii=False, sort_keys=True))
        return
    if not rows:
        click.echo("nothing was due")
    for row in rows:
        reason = f" ({row['reason']})" if row["reason"] else ""
        click.echo(f"  {row['channel']:<6} {row['outcome']:<12}{reason}: {row['count']:,}")
    if waiting.count:
        click.echo(_quiet_line(waiting))


def _quiet_line(waiting) -> str:
    """ "12 notices wait for the quiet hours to end (until 08:00)": local time; with the date when not within a
    day. Clause: REM-1."""
    from django.utils import timezone

    if not waiting.count:
        return "no notice waits for the quiet hours any more"
    until = timezone.localtime(waiting.until)
    soon = until - timezone.localtime() < timedelta(days=1)
    when = f"{until:%H:%M}" if soon else f"{until:%Y-%m-%d %H:%M}"
    noun = "notice waits" if waiting.count == 1 else "notices wait"
    return f"{waiting.count:,} {noun} for the quiet hours to end (until {when})"


def _print_report(report) -> None:
    click.echo(f"dispatch report of {report.day.isoformat()}")
    if not report.rows:
        click.echo("  nothing was dispatched")
    for channel, outcome, reason, n in report.rows:
        click.echo(f"  {channel:<6} {outcome:<12} {reason or '-':<24} {n:,}")
    click.echo("  outbox now: " + (", ".join(f"{k} {v:,}" for k, v in report.outbox.items()) or "empty"))
