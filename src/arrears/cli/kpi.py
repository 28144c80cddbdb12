"""`arrears kpi --month YYYY-MM [--by class|team|collector|agency|product] [--json]`: a month's recovery rate by
amount (KPI-1) and cost rate (KPI-2), as `docs/kpi.md` defines them.

`--json` prints `{"month", "closed", "through", "by", "rows": [{"class", "loans", "opening_overdue", "recovered",
"recovery_rate", "target", "met"}], "opening_overdue", "recovered", "recovery_rate", "cost", "cost_rate",
"cost_target", "costs", "notices_sent"}` (amounts yuan strings to the fen, rates strings with 4 decimals; rows
split by team, collector or agency carry its id under that name and its `name`). A month still under way is
`"closed": false`, its figures through the last completed night (`through`). A month without opening figures
(before arrears' first nightly run) exits 1 with what to do."""

from __future__ import annotations

import json

import click

from arrears.cli.params import MONTH
from arrears.cli.web import setup_django

DIMENSIONS = ("class", "team", "collector", "agency", "product")


@click.command("kpi")
@click.option("--month", "month", required=True, type=MONTH, help="The month, YYYY-MM.")
@click.option("--by", "by", type=click.Choice(DIMENSIONS), default="class", show_default=True, help="Split by.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def kpi(month, by: str, as_json: bool) -> None:
    """A month's recovery rate by amount (KPI-1) and cost rate (KPI-2)."""
    setup_django()
    from arrears.reports.kpi import KpiUnavailable
    from arrears.reports.summary import month_summary

    try:
        summary = month_summary(month, by)
    except KpiUnavailable as exc:
        raise click.ClickException(str(exc)) from None
    if as_json:
        click.echo(json.dumps(summary, ensure_ascii=False))
        return
    state = "closed" if summary["closed"] else f"under way, through {summary['through']}"
    click.echo(f"{summary['month']} ({state})")
    click.echo(f"{by:<24} {'loans':>7} {'opening overdue':>18} {'recovered':>16} {'rate':>8} {'target':>8}")
    for row in summary["rows"]:
        key = row.get("name") or row[by]
        click.echo(
            f"{key if key is not None else '—'!s:<24} {row['loans']:>7} {row['opening_overdue']:>18} "
            f"{row['recovered']:>16} {row['recovery_rate'] or '—':>8} {row.get('target') or '—':>8}"
        )
    click.echo(
        f"{'total':<24} {'':>7} {summary['opening_overdue']:>18} {summary['recovered']:>16} "
        f"{summary['recovery_rate'] or '—':>8}"
    )
    click.echo(
        f"cost {summary['cost']}, cost rate {summary['cost_rate'] or '—'} (target below {summary['cost_target']})"
    )


@click.command("kpi-reconstruct")
@click.option("--from", "first", type=MONTH, default=None, help="The first month, YYYY-MM.")
@click.option(
    "--months",
    type=click.IntRange(1, 120),
    default=None,
    help="Or: this many months before the month of the first nightly run.",
)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def kpi_reconstruct(first, months: int | None, as_json: bool) -> None:
    """Reconstruct the months before arrears' first nightly run from the book's history (KPI-1), so the KPIs
    reach back before go-live. Months that already have figures are never changed: with --months, a rerun
    finds them measured and does nothing."""
    setup_django()
    from arrears.accounts.models import User
    from arrears.accounts.roles import SYSTEM_USERNAME
    from arrears.agencies.commissions import Month
    from arrears.reports.models import MonthClose
    from arrears.reports.reconstruct import ReconstructRefused, do_reconstruct_months, first_night

    if (first is None) == (months is None):
        raise click.UsageError("give either --from YYYY-MM or --months N")
    if months is not None:
        night = first_night()
        if night is None:
            raise click.ClickException("there is no book yet: import a feed first")
        first = Month.of(night)
        for _ in range(months):
            first = first.previous()
        if MonthClose.objects.filter(month__gte=first.previous().first).exists():
            message = "the months before the first nightly run already have figures: nothing to do"
            click.echo(json.dumps({"months": [], "note": message}) if as_json else message)
            return
    try:
        done = do_reconstruct_months(first, actor=User.objects.get(username=SYSTEM_USERNAME))
    except ReconstructRefused as exc:
        raise click.ClickException(str(exc)) from None
    if as_json:
        click.echo(json.dumps({"months": done.months, "opened": done.opened, "loans": done.loans}))
        return
    click.echo(f"reconstructed {', '.join(done.months) or 'no whole month'}; {done.opened} opened")
    for month, n in done.loans.items():
        click.echo(f"  {month}: {n} overdue loans at the opening")
