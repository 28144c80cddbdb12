"""`arrears run-daily [--as-of D] [--dry-run] [--json] [--engine spark --master M]`: the nightly run (see
`arrears.daily.actions`).

`--engine spark` computes the decisions on Apache Spark (`arrears.spark`; needs `pip install arrears[spark]`
and Java 17) with `--master` (`local[2]`, `spark://host:7077`, `yarn`, …); the book and the decisions pass as
Parquet through `--spark-dir`, which every executor must see at the same path. The apply step is the same as
the local engine's. A master Spark does not understand, no Java or no pyspark is one line on stderr.

Progress goes to stderr, a bar per phase (read, compute, apply) for each date run, when stderr is a terminal
(in a pipe or under cron nothing but the summary); then a summary per date on
stdout: loans, delinquent by class, case decisions, reminders, tasks, errors, seconds per phase, and the rows
written. `--json` prints one JSON object: the last date's report, with `"runs"` listing every date run (more
than one when missed dates were caught up). A run that cannot start is one line on stderr. The run ends by
publishing the ledger anchor (`arrears audit anchor`); if that is refused the command says so and exits 1.

When the working-day calendar runs out within `calendar.warn_days_before_end` days of the last date run (or
no longer covers it), a `calendar:` line says so and names the admin page where the next year is added; the
JSON has it under `"calendar"`. The same warning is emailed to the administrators, at most once a day. A date
the calendar does not cover is refused (exit 1, nothing run), and the administrators are emailed too.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import click

from arrears.cli.feed import PhaseBars, actor_named, first_line
from arrears.cli.params import DATE
from arrears.cli.web import setup_django


def spark_message(exc) -> str:
    """The sentence for a Spark failure: what was wrong and what to do (gettext; the command speaks English)."""
    from django.utils import translation
    from django.utils.translation import gettext as _

    from arrears.spark.runner import MASTER_FORMS

    with translation.override("en"):  # the command speaks English, as its other messages do
        texts = {
            "bad_master": _("Spark master %(master)s is not a master URL; use one of: %(forms)s."),
            "no_pyspark": _(
                "the Spark engine needs pyspark, which is not installed: pip install 'arrears[spark]' "
                "(or run with --engine local)."
            ),
            "no_java": _(
                "the Spark engine needs Java 17, and no java was found (JAVA_HOME or PATH): install it "
                "(Debian: apt-get install openjdk-17-jre-headless) or run with --engine local."
            ),
            "start_failed": _(
                "Spark did not start with master %(master)s: %(detail)s. Check the master URL and that the "
                "cluster is reachable, or run with --engine local; nothing was applied."
            ),
            "job_failed": _(
                "the Spark job failed: %(detail)s. Nothing of this date was applied; run the date again once fixed "
                "(the executors need arrears installed and --spark-dir at the same path)."
            ),
        }
        return str(texts[exc.reason]) % {"master": exc.master, "forms": MASTER_FORMS, "detail": exc.detail}


def _spark_engine(master: str, spark_dir: Path | None, parts: int | None):
    """The Spark runner for `--engine spark`, checked (master URL, pyspark, Java) before anything runs."""
    from django.conf import settings

    from arrears.spark.runner import SparkEngine, SparkUnavailable

    engine = SparkEngine(master, (spark_dir or Path(settings.VAR_DIR) / "spark").resolve(), parts)
    try:
        engine.check()
    except SparkUnavailable as exc:
        raise click.ClickException(spark_message(exc)) from exc
    return engine


@click.command("run-daily")
@click.option("--as-of", "as_of", type=DATE, default=None, help="Business date (default: the newest feed's).")
@click.option("--dry-run", is_flag=True, help="Decide and report what would change; write nothing.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as one JSON object.")
@click.option("--user", "username", default=None, help="Run as this user (default: the nightly run).")
@click.option("--chunk", "chunk", type=click.IntRange(1), default=None, help="Borrowers per transaction.")
@click.option(
    "--engine",
    type=click.Choice(["local", "spark"]),
    default="local",
    show_default=True,
    help="Where the decisions are computed: this process, or Apache Spark (the arrears[spark] extra).",
)
@click.option("--master", default="local[*]", show_default=True, help="Spark master URL (with --engine spark).")
@click.option(
    "--spark-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Directory for the Parquet book and decisions, seen at the same path by every executor (default: var/spark).",
)
@click.option(
    "--spark-parts",
    type=click.IntRange(1),
    default=None,
    help="Partitions of borrowers (default: about 250,000 loans each, at least two per core).",
)
def run_daily(
    as_of,
    dry_run: bool,
    as_json: bool,
    username: str | None,
    chunk: int | None,
    engine: str,
    master: str,
    spark_dir: Path | None,
    spark_parts: int | None,
) -> None:
    """Decide and apply the nightly run for a business date, catching up missed dates first."""
    setup_django()
    from django.db import DatabaseError

    from arrears.compliance.actions import ActionDenied
    from arrears.daily.actions import CalendarRunsOut, RunRefused, do_run_daily
    from arrears.daily.apply import CHUNK_BORROWERS
    from arrears.spark.runner import SparkUnavailable

    decider = _spark_engine(master, spark_dir, spark_parts) if engine == "spark" else None
    bars = PhaseBars({"read": "frames", "compute": "step", "apply": "borrowers"})
    actor = None
    try:
        actor = actor_named(username)
        bars.since = time.perf_counter()
        reports = do_run_daily(
            as_of,
            actor=actor,
            dry_run=dry_run,
            progress=bars,
            chunk_borrowers=chunk or CHUNK_BORROWERS,
            **({"decider": decider} if decider is not None else {}),
        )
    except CalendarRunsOut as exc:
        bars.close()
        if not dry_run and actor is not None:
            click.echo(f"calendar: {_mail_warning(exc.day, actor).describe()}", err=True)
        raise click.ClickException(str(exc)) from exc
    except (RunRefused, ActionDenied) as exc:
        raise click.ClickException(str(exc)) from exc
    except ValueError as exc:  # PolicyError, CalendarError, SchemaError: the policy or the data is unusable
        raise click.ClickException(f"the run stopped: {exc}; run the date again once fixed") from exc
    except DatabaseError as exc:
        raise click.ClickException(f"database error: {first_line(exc)}; run the date again to resume") from exc
    except SparkUnavailable as exc:
        raise click.ClickException(spark_message(exc)) from exc
    finally:
        bars.close()
        if decider is not None:
            decider.close()
    warning = _calendar_warning(reports[-1].business_date, actor, dry_run=dry_run)
    if as_json:
        last = reports[-1].as_json()
        last["runs"] = [r.as_json() for r in reports]
        last["calendar"] = warning
        click.echo(json.dumps(last, ensure_ascii=False, sort_keys=True))
    else:
        for report in reports:
            _print(report)
        if warning["warning"]:
            click.echo(f"calendar: {warning['message']}")
            click.echo(f"  {warning['email_text']}")
    anchor = reports[-1].anchor
    if anchor is None:  # a dry run
        return
    if "error" in anchor:
        raise click.ClickException(f"the run is done, but the ledger anchor was not published: {anchor['error']}")
    if not as_json:
        done = "published" if anchor["published"] else "already published"
        click.echo(f"ledger anchor: event #{anchor['head_id']} {done} in {anchor['file']}")


def _mail_warning(on, actor):
    """Email the administrators the calendar warning, at most once a day (a `MailOutcome`)."""
    from django.utils import timezone

    from arrears.rules.calendar_watch import do_mail_calendar_warning

    # The edge reads the clock: the email goes out at most once per local calendar day.
    return do_mail_calendar_warning(on, actor=actor, today=timezone.localdate())


def _calendar_warning(on, actor, *, dry_run: bool) -> dict:
    """The calendar's reach from the last date run (Clause: practice, calendar.warn_days_before_end)."""
    from arrears.rules.calendar_watch import calendar_coverage, calendar_page

    cov = calendar_coverage(on)
    data = {**cov.as_json(), "fix_at": calendar_page(), "message": "", "email": "not_due", "email_text": ""}
    if cov.warning:
        data["message"] = (
            f"the working-day calendar ends on {cov.ends_on}, {cov.days_left} days after {on}; add the State "
            f"Council's holiday arrangement for {cov.missing_year} under Administration → calendar years "
            f"({data['fix_at']}) before the nightly run reaches {cov.missing_year} (docs/calendar.md)"
        )
        if dry_run:
            data["email"], data["email_text"] = "dry_run", "not emailed: dry run"
        else:
            outcome = _mail_warning(on, actor)
            data["email"], data["email_text"] = outcome.status, outcome.describe()
    return data


def _print(report) -> None:
    data = report.as_json()
    head = f"run of {data['business_date']}"
    if report.already_done:
        click.echo(f"{head}: already done; nothing changed")
        return
    click.echo(f"{head}: {'dry run, nothing written' if report.dry_run else data['status']}")
    by_class = ", ".join(f"{k} {v:,}" for k, v in data["by_class"].items())
    click.echo(f"  loans {data['loans']:,}; delinquent {data['delinquent']:,} ({by_class})")
    click.echo("  cases: " + (", ".join(f"{k} {v:,}" for k, v in data["case_decisions"].items()) or "no change"))
    reminders = data["reminders"]
    click.echo(
        f"  reminders: written {reminders['written']:,}, phone {reminders['phone']:,}, "
        f"without a consented channel {reminders['written_without_channel']:,}"
    )
    click.echo("  tasks due: " + (", ".join(f"{k} {v:,}" for k, v in data["tasks_due"].items()) or "none"))
    if data["promises"]:
        click.echo("  promises: " + ", ".join(f"{k} {v:,}" for k, v in data["promises"].items()))
    click.echo(f"  errors: {data['errors']:,}")
    for problem in data["problems"]:
        click.echo(f"    loan {problem['loan_id']}: {problem['problem']}")
    click.echo(
        f"  rows written: {data['rows_written']:,} ("
        + ", ".join(f"{k} {v:,}" for k, v in sorted(data["changes"].items()))
        + ")"
    )
    click.echo("  seconds: " + ", ".join(f"{k} {v:.2f}" for k, v in data["seconds"].items()))
