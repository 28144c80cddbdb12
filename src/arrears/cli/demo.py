"""`arrears demo`: a deterministic synthetic bank, written as a core-banking feed and (by default) imported.

The feed comes from the pure generator `arrears.portfolio.demo` (no Django); only the import and the demo
users need Django, so `--no-import` never starts it. Progress goes to stderr phase by phase; the summary and
the demo logins to stdout. The logins are also written to var/demo-logins.txt (mode 0600).

The business date must lie in a year the working-day calendar covers, or the nightly run that follows refuses
it: without `--business-date` the demo takes today in Beijing if the calendar covers it, else the calendar's
last day, and says which year is missing and how to add it; a given date the calendar does not cover is
refused with the same advice. The calendar is the database's when importing, else the package's plus
`ARREARS_CALENDAR_FILES`.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import click

from arrears.cli.params import DATE

_ZONE = ZoneInfo("Asia/Shanghai")


@dataclass(frozen=True)
class _Imported:
    logins: list  # of arrears.portfolio.demo.install.DemoLogin (a Django module, imported only when importing)
    logins_path: Path
    import_seconds: float
    outcome: str  # what happened to the feed, for the summary


def _var_dir() -> Path:
    # The same rule as arrears.settings.VAR_DIR, without starting Django (feed-only runs never need it).
    return Path(os.environ.get("ARREARS_VAR", Path.cwd() / "var")).resolve()


def _say(phase: str, message: str) -> None:
    click.echo(f"{phase:<9}{message}", err=True)


class _ImportProgress:
    """One line per finished import phase (read, validate, load, post) with its seconds."""

    def __init__(self) -> None:
        self.since = time.perf_counter()

    def __call__(self, phase: str, done: int, total: int) -> None:
        if done >= total:
            now = time.perf_counter()
            _say("import", f"{phase}: {done}/{total} in {now - self.since:.1f} s")
            self.since = now


@click.command()
@click.option(
    "--loans", "n_loans", type=click.IntRange(min=1), default=3_000, show_default=True, help="Number of loans."
)
@click.option("--seed", type=click.IntRange(min=0), default=2026, show_default=True, help="Random seed.")
@click.option("--business-date", type=DATE, default=None, help="Business date [default: today in Asia/Shanghai].")
@click.option(
    "--out",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="Feed directory [default: var/demo-feed/<business date>/].",
)
@click.option("--format", "fmt", type=click.Choice(["csv", "parquet"]), default="csv", show_default=True)
@click.option("--no-import", is_flag=True, help="Only write the feed files (for large sizes and benchmarks).")
def demo(n_loans: int, seed: int, business_date: date | None, out: Path | None, fmt: str, no_import: bool) -> None:
    """Generate a synthetic bank, import it and create the demo users (one per role, two junior collectors)."""
    from arrears.portfolio.demo import write_feed

    started = time.perf_counter()
    if not no_import:
        _prepare_database()
    try:
        business_date, note = choose_business_date(business_date, datetime.now(_ZONE).date(), _calendar(no_import))
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc
    if note:
        _say("calendar", note)
    out = out or _var_dir() / "demo-feed" / business_date.isoformat()
    _say("generate", f"{n_loans:,} loans, seed {seed}, business date {business_date}, {fmt} into {out}")
    try:
        summary = write_feed(
            out,
            n_loans,
            seed=seed,
            business_date=business_date,
            fmt=fmt,
            progress=lambda message: _say("generate", message),
        )
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc
    _say("generate", f"done in {summary.seconds:.1f} s")
    imported = None if no_import else _import_and_users(out, business_date)
    _print_summary(summary, business_date, imported=imported, seconds=time.perf_counter() - started)
    if imported is not None:
        _print_logins(imported.logins, imported.logins_path)


def choose_business_date(given: date | None, today: date, calendar) -> tuple[date, str]:
    """The demo's business date and a note on how it was chosen (empty when plain): `given` if the calendar
    covers its year (else ValueError saying which year is missing and how to add it); without one, `today`
    if covered, else the calendar's last day before today."""
    from arrears.workdays.coverage import coverage

    how = (
        "write the State Council's holiday arrangement for {year} in a calendar file (format: "
        "src/arrears/workdays/data/calendar-example.toml) and add it under Administration → calendar years "
        "(/admin/rules/calendaryear/) as the demo's administrator; docs/calendar.md says how"
    )
    if given is not None:
        cov = coverage(calendar, given, 0)
        if cov.covered:
            return given, ""
        ends = f"it ends on {cov.ends_on}" if cov.ends_on else "it has no year before it"
        raise ValueError(
            f"the working-day calendar has no data for {cov.missing_year} ({ends}), so the nightly run cannot "
            f"run on {given}: {how.format(year=cov.missing_year)}, or choose an earlier --business-date"
        )
    cov = coverage(calendar, today, 0)
    if cov.covered:
        return today, ""
    if cov.ends_on is None:
        raise ValueError(f"the working-day calendar has no year up to {today}: {how.format(year=today.year)}")
    return cov.ends_on, (
        f"today ({today}) is beyond the working-day calendar, which ends on {cov.ends_on}: the demo's business "
        f"date is {cov.ends_on}. The year file missing is {cov.missing_year}'s; to use today's date, "
        + how.format(year=cov.missing_year)
        + ", then run the demo again"
    )


def _calendar(no_import: bool):
    """The calendar the nightly run will use: the database's when importing, else the package's and files'."""
    if no_import:
        from arrears.workdays import default_calendar

        return default_calendar()
    from arrears.rules.queries import calendar

    return calendar()


def _prepare_database() -> None:
    from arrears.cli.web import setup_django

    setup_django()
    from django.core.management import call_command
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        _say("migrate", "applying database migrations")
        call_command("migrate", interactive=False, verbosity=0)


def _import_and_users(out: Path, business_date: date):
    from django.conf import settings

    from arrears.accounts.models import User
    from arrears.accounts.roles import SYSTEM_USERNAME
    from arrears.compliance.actions import ActionDenied
    from arrears.portfolio.actions_import import FeedRefused
    from arrears.portfolio.demo.install import (
        DemoError,
        approve_demo_templates,
        ensure_demo_users,
        import_decision,
        write_logins,
    )
    from arrears.portfolio.feed.read import FeedError

    system = User.objects.filter(username=SYSTEM_USERNAME, is_active=True).first()
    if system is None:
        raise click.ClickException(
            f"no active user {SYSTEM_USERNAME!r} (the nightly run); run `arrears manage migrate`"
        )
    importing = time.perf_counter()
    try:
        not_imported = import_decision(out, business_date)
        if not_imported is None:
            outcome = _import(out, business_date, system)
        else:
            _say("import", f"skipped: {not_imported}")
            outcome = "not imported: the database already holds another demo bank"
        logins = ensure_demo_users(business_date)
        if approved := approve_demo_templates():
            _say("templates", f"{approved} notice templates approved by demo-legal (LANG-2)")
    except FeedRefused as exc:
        raise click.ClickException(
            f"{exc}. The database holds a newer feed: run the demo with a later --business-date, "
            "or point ARREARS_VAR (or DATABASE_URL) at a fresh database"
        ) from exc
    except (FeedError, ActionDenied, DemoError) as exc:
        raise click.ClickException(str(exc)) from exc
    import_seconds = time.perf_counter() - importing
    path = write_logins(Path(settings.VAR_DIR) / "demo-logins.txt", logins, business_date=business_date)
    _say("users", f"{sum(x.created for x in logins)} created, {sum(not x.created for x in logins)} reset")
    return _Imported(logins, path, import_seconds, outcome)


def _import(out: Path, business_date: date, system) -> str:
    from arrears.portfolio.actions_import import do_import_feed

    result = do_import_feed(out, business_date, actor=system, progress=_ImportProgress())
    if result.already_loaded:
        _say("import", f"feed of {business_date} already loaded (load #{result.feed_load_id}); nothing changed")
    else:
        _say("import", f"loaded; {result.rejected:,} rows rejected, report {result.report_path}")
    if result.rejected:  # the generator and the feed contract disagree: loud, but the demo goes on
        _say("warning", f"{result.rejected:,} demo rows were rejected (see {result.report_path}); please report it")
    if result.already_loaded:
        return "already imported; nothing changed"
    return f"imported as load #{result.feed_load_id}" + (
        f", {result.rejected:,} rows rejected" if result.rejected else ""
    )


def _print_summary(summary, business_date: date, *, imported: _Imported | None, seconds: float) -> None:
    from arrears.policy import policy_on
    from arrears.portfolio.demo import DPD_BUCKETS

    classes = policy_on(business_date).classes
    click.echo(f"demo bank of {business_date}: feed in {summary.directory} ({summary.format})")
    click.echo(f"database: {imported.outcome if imported else 'not imported (--no-import)'}")
    for name, rows in summary.rows.items():
        click.echo(f"  {name:<10}{rows:>14,}")
    status = ", ".join(f"{count:,} {name}" for name, count in sorted(summary.loans_by_status.items()))
    click.echo(f"loans: {status}; {summary.delinquent:,} delinquent on {business_date}:")
    for label, low, _high in DPD_BUCKETS:
        count = summary.delinquent_by_dpd[label]
        if low <= classes.mild_max_dpd:
            cls = "mild"
        elif low <= classes.moderate_max_dpd:
            cls = "moderate"
        else:
            cls = "severe"
        click.echo(f"  DPD {label:<7}{cls:<10}{count:>10,}")
    click.echo(f"  partial payments on the oldest unpaid instalment: {summary.partial_payments:,}")
    timing = f"import and users {imported.import_seconds:.1f}" if imported else "not imported"
    click.echo(f"seconds: generate {summary.seconds:.1f}, {timing}, total {seconds:.1f}")


def _print_logins(logins: list, path: Path) -> None:
    click.echo(f"demo logins (also in {path}, readable by you only; new passwords on every run):")
    for login in logins:
        click.echo(f"  {login.username:<17}{login.password}  {login.role.value}")
