"""`arrears costs …`: a month's collection cost (Clause: KPI-2) from the command line.

`arrears costs import FILE [--user NAME] [--json]` enters the costs of a CSV file (`-` reads standard input), as
the page's import does (`reports.actions.do_import_costs`): a header line naming the columns

    month   YYYY-MM, not after the business date's month
    team    a team's name, or empty for the whole department
    kind    staff | telephony | other
    amount  yuan with at most two decimals, no separators (0 takes a figure back)
    note    optional

then one cost a line. The whole file or nothing: each bad line is reported on stderr with its number and what is
wrong, nothing is stored, and the exit status is 1. A month, team and kind that has a figure gets it replaced (the
earlier one is kept); a line equal to the figure entered changes nothing, so importing a file again is harmless.
Runs as the nightly run's identity (which may enter costs, for a scheduled import) unless `--user` names another.

`arrears costs show --month YYYY-MM [--json]` prints the month's cost by source — SMS, email and letters sent at
the policy's unit costs, agency commissions, legal costs, and the staff, telephony and other costs entered — with
the total and the entered figures; amounts in yuan to the fen.
"""

from __future__ import annotations

import json
import re

import click

from arrears.cli.feed import actor_named, first_line
from arrears.cli.web import setup_django

MAX_BYTES = 1024 * 1024


class MonthType(click.ParamType):
    """YYYY-MM (read without starting Django; `Month.parse` reads it again once Django is set up)."""

    name = "month"
    shape = re.compile(r"[0-9]{4}-(0[1-9]|1[0-2])")

    def convert(self, value, param, ctx):
        text = str(value).strip()
        if not self.shape.fullmatch(text) or text.startswith("0000"):
            self.fail(f"{value!r} is not a month; write YYYY-MM, e.g. 2026-03", param, ctx)
        return text


@click.group("costs")
def costs() -> None:
    """Collection costs (KPI-2): import the costs arrears cannot know, show a month's cost."""


@costs.command("import")
@click.argument("file", type=click.File("rb"))
@click.option("--user", "username", default=None, help="Enter the costs as this user (default: the nightly run).")
@click.option("--json", "as_json", is_flag=True, help="Print the summary (or the refused lines) as one JSON object.")
def import_costs(file, username: str | None, as_json: bool) -> None:
    """Enter the collection costs of a CSV FILE: all of it, or nothing."""
    data = file.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise click.ClickException(f"the file is larger than {MAX_BYTES // 1024 // 1024} MB; split it")
    setup_django()
    from django.db import DatabaseError
    from django.utils import translation

    from arrears.collection.queries import today
    from arrears.compliance.actions import ActionDenied, LedgerBroken
    from arrears.reports.actions import CostError, CostFileRefused, do_import_costs

    actor = actor_named(username)
    with translation.override("en"):
        try:
            done = do_import_costs(data, actor=actor, today=today())
        except ActionDenied as exc:
            raise click.ClickException(f"{exc}; nothing imported") from exc
        except CostFileRefused as exc:
            problems = [problem.as_json() for problem in exc.problems]
            if as_json:
                click.echo(json.dumps({"imported": False, "problems": problems}, ensure_ascii=False))
            for problem in exc.problems:
                where = f"line {problem.line}" if problem.line else "the file"
                click.echo(f"{where}: {problem.message}", err=True)
            click.echo(f"{len(problems)} problem(s): nothing imported", err=True)
            raise click.exceptions.Exit(1) from None
        except CostError as exc:
            raise click.ClickException(f"{exc}") from exc
        except (LedgerBroken, DatabaseError) as exc:
            raise click.ClickException(f"the import stopped: {first_line(exc)}; nothing imported") from exc
    if as_json:
        click.echo(json.dumps({"imported": True, **done.as_json()}, sort_keys=True))
        return
    click.echo(
        f"costs imported from {getattr(file, 'name', '-') or '-'}: {done.rows} lines, {done.created} new, "
        f"{done.replaced} replacing earlier figures, {done.unchanged} unchanged"
    )


@costs.command("show")
@click.option("--month", "month", type=MonthType(), required=True, help="The month, YYYY-MM.")
@click.option("--json", "as_json", is_flag=True, help="Print the month's costs as one JSON object.")
def show(month, as_json: bool) -> None:
    """The month's collection cost by source, and the figures entered for it."""
    setup_django()
    from django.utils import translation

    from arrears.agencies.commissions import Month
    from arrears.reports.queries_costs import month_costs, yuan

    month = Month.parse(month)
    found = month_costs(month)
    if as_json:
        body = found.as_json()
        for entry in body["entries"]:
            entry["entered_at"] = entry["entered_at"].isoformat()
        click.echo(json.dumps(body, ensure_ascii=False, sort_keys=True))
        return
    with translation.override("en"):
        click.echo(f"Collection costs of {month} (yuan):")
        for row in found.sources:
            count = f" ({row['count']:,})" if row["count"] is not None else ""
            click.echo(f"  {str(row['label']) + count:<40} {yuan(row['fen']):>18}")
        click.echo(f"  {'total':<40} {yuan(found.costs.total_fen):>18}")
        if found.entries:
            click.echo("Entered:")
        for entry in found.entries:
            team = entry.team.name if entry.team_id else "whole department"
            click.echo(
                f"  {team:<20} {entry.kind:<10} {yuan(entry.amount_fen):>18}  by {entry.entered_by.username} "
                f"at {entry.entered_at:%Y-%m-%d %H:%M}Z {entry.note}".rstrip()
            )
