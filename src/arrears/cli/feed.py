"""`arrears import DIR --business-date D`: load the core-banking feed (docs/feed-format.md).

Progress goes to stderr, phase by phase (read, validate, load, post), when stderr is a terminal; the summary to stdout, or one JSON
object with `--json`. Rows the feed got wrong are not an error of the command: they are listed in the
rejection report and the command exits 0. A feed that cannot be imported at all (no directory, no borrowers
or loans file, an older date without --replay, a user without the permission) is one line on stderr and a
non-zero exit.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import click

from arrears.cli.params import DATE
from arrears.cli.web import setup_django

_UNITS = {"read": "files", "validate": "files", "load": "tables", "post": "step"}


class PhaseBars:
    """One click progress bar per phase on stderr, closed with the phase's seconds; only when stderr is a
    terminal (`show` None): in a pipe or under cron the command prints nothing but its summary."""

    def __init__(self, units: dict[str, str] | None = None, *, show: bool | None = None) -> None:
        self.units = _UNITS if units is None else units
        self.show = sys.stderr.isatty() if show is None else show
        self.bar = None
        self.phase = ""
        self.done = 0
        self.since = time.perf_counter()  # a phase's time runs from the end of the one before

    def __call__(self, phase: str, done: int, total: int) -> None:
        if not self.show:
            return
        if phase != self.phase:
            self.close()
            self.phase, self.done = phase, 0
            self.bar = click.progressbar(length=max(total, 1), label=f"{phase:<8}", file=sys.stderr, show_pos=True)
            self.bar.__enter__()
        self.bar.update(max(done - self.done, 0))
        self.done = done
        if done >= total:
            self.close()

    def close(self) -> None:
        if self.bar is None:
            return
        self.bar.__exit__(None, None, None)
        now = time.perf_counter()
        seconds, self.since = now - self.since, now
        click.echo(f"{self.phase:<8} {self.done} {self.units.get(self.phase, '')} in {seconds:.2f} s", err=True)
        self.bar = None


def first_line(exc: BaseException) -> str:
    """The first line of an error's message (a database error's detail runs over several), or its type."""
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def actor_named(username: str | None):
    from arrears.accounts.models import User
    from arrears.accounts.roles import SYSTEM_USERNAME

    name = username or SYSTEM_USERNAME
    user = User.objects.filter(username=name).first()
    if user is None:
        hint = "run `arrears manage migrate` first" if username is None else "give an existing user name"
        raise click.ClickException(f"no user {name!r}; {hint}")
    if not user.is_active:
        raise click.ClickException(f"user {name!r} is not active")
    return user


@click.command("import")
@click.argument("directory", type=click.Path(path_type=Path, file_okay=False))
@click.option("--business-date", "business_date", type=DATE, required=True, help="Business date of the feed.")
@click.option("--replay", is_flag=True, help="Load a feed older than the newest loaded one (a corrected feed).")
@click.option("--user", "username", default=None, help="Import as this user (default: the nightly run).")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as one JSON object.")
def import_feed(directory: Path, business_date, replay: bool, username: str | None, as_json: bool) -> None:
    """Validate and load the core-banking feed in DIRECTORY for a business date."""
    setup_django()
    from django.db import DatabaseError

    from arrears.compliance.actions import ActionDenied
    from arrears.portfolio.actions_import import FeedRefused, do_import_feed
    from arrears.portfolio.feed.read import FeedError

    bars = PhaseBars()
    try:
        actor = actor_named(username)
        bars.since = time.perf_counter()
        result = do_import_feed(directory, business_date, actor=actor, replay=replay, progress=bars)
    except (FeedError, FeedRefused, ActionDenied) as exc:
        raise click.ClickException(str(exc)) from exc
    except ValueError as exc:  # PolicyError, FinanceError, CalendarError: the policy or the data is unusable
        raise click.ClickException(f"nothing was loaded: {exc}") from exc
    except DatabaseError as exc:
        raise click.ClickException(f"database error, nothing was loaded: {first_line(exc)}") from exc
    finally:
        bars.close()
    if as_json:
        click.echo(json.dumps(result.as_json(), ensure_ascii=False, sort_keys=True))
        return
    _print_summary(result)


def _print_summary(result) -> None:
    head = f"feed of {result.business_date} ({result.digest[:12]})"
    if result.already_loaded:
        click.echo(f"{head}: already loaded (load #{result.feed_load_id}); nothing changed")
        return
    click.echo(f"{head}: loaded" + (" as a replay" if result.replay else ""))
    click.echo(f"{'file':<18}{'read':>10}{'new':>10}{'updated':>10}{'unchanged':>11}{'rejected':>10}")
    for f in result.files.values():
        click.echo(f"{f.file:<18}{f.read:>10,}{f.inserted:>10,}{f.updated:>10,}{f.unchanged:>11,}{f.rejected:>10,}")
    click.echo(f"posted: {result.posted_loans:,} loans, {result.allocations:,} allocation rows")
    click.echo(f"rejected: {result.rejected:,} rows, {result.faults:,} faults; report {result.report_path}")
    for fault in result.sample:
        where = f"row {fault['row']}" if fault["row"] is not None else "whole file"
        click.echo(f"  {fault['file']} {where} {fault['field']}: {fault['reason']}")
    if result.faults > len(result.sample):
        click.echo(f"  … {result.faults - len(result.sample):,} more in the report")
    timing = ", ".join(f"{phase} {seconds:.2f}" for phase, seconds in result.seconds.items())
    click.echo(f"seconds: {timing}")
