"""`arrears calc workdays`: working-day arithmetic on the mainland-China calendar, as the deadlines use it.

    arrears calc workdays --from 2026-09-30 --add 3 --json          {"date": "2026-10-10"}
    arrears calc workdays --from 2026-09-30 --between 2026-10-12    4 working days after …
    arrears calc workdays --from 2026-10-01 --next                  first working day on or after …
    arrears calc workdays --from 2026-10-10 --is-working            2026-10-10 (Saturday) is a working day …

`--add N` is the N-th working day after the date, the date itself not counted (LTR-3: a letter sent on
2026-09-30 has its confirmation call due by `--add 3`); `--between` counts the working days after the
first date up to and including the second. The calendar is the default one (the `chinese-calendar`
package plus `ARREARS_CALENDAR_FILES`), extended with any `--calendar-file`, so a new year's file can be
tried before it is listed. Definitions: `arrears.workdays.core`.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import click

from arrears.cli.params import DATE
from arrears.workdays import Calendar, CalendarError, UnknownYearError, default_calendar


def _day(day: date) -> str:
    return f"{day.isoformat()} ({day:%A})"


def _plural(n: int) -> str:
    return f"{n} working day" if abs(n) == 1 else f"{n} working days"


def _why(calendar: Calendar, day: date, working: bool) -> str:
    if day in calendar.makeup_workdays:
        return f"a make-up working day for {calendar.makeup_workdays[day]}"
    if day in calendar.holidays:
        return f"holiday: {calendar.holidays[day]}"
    return "weekday" if working else "weekend"


@click.command()
@click.option("--from", "start", type=DATE, required=True, help="The date to count from (YYYY-MM-DD).")
@click.option("--add", "add", type=int, help="Working days to add (negative: count back); start not counted.")
@click.option("--between", "end", type=DATE, help="Count working days after --from up to and including this.")
@click.option("--next", "next_", is_flag=True, help="The first working day on or after --from.")
@click.option("--is-working", is_flag=True, help="Whether --from is a working day, and why.")
@click.option(
    "--calendar-file",
    "calendar_files",
    multiple=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Extra calendar file (TOML) laid over the default calendar; repeatable.",
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON for a machine to read.")
def workdays(
    start: date,
    add: int | None,
    end: date | None,
    next_: bool,
    is_working: bool,
    calendar_files: tuple[Path, ...],
    as_json: bool,
) -> None:
    """Working days in mainland China, make-up weekends (調休) included."""
    choices = {"--add": add is not None, "--between": end is not None, "--next": next_, "--is-working": is_working}
    asked = [name for name, given in choices.items() if given]
    if not asked:
        raise click.UsageError("say what to compute: --add N, --between DATE, --next or --is-working")
    if len(asked) > 1:
        raise click.UsageError(f"give only one of --add, --between, --next, --is-working (got {' '.join(asked)})")
    try:
        calendar = default_calendar()
        for path in calendar_files:
            calendar = calendar.extended_with(Calendar.from_toml(path))
        if add is not None:
            result = calendar.add_working_days(start, add)
            payload: dict[str, object] = {"date": result.isoformat()}
            direction = "before" if add < 0 else "after"
            line = f"{_day(result)}: {_plural(abs(add))} {direction} {_day(start)}"
        elif end is not None:
            count = calendar.working_days_between(start, end)
            payload = {"working_days": count}
            if end >= start:
                line = f"{_plural(count)} after {_day(start)} up to and including {_day(end)}"
            else:
                line = f"{_plural(count)}: from {_day(end)} up to but excluding {_day(start)}, counted back"
        elif next_:
            result = calendar.next_working_day(start)
            payload = {"date": result.isoformat()}
            line = f"{_day(result)} is the first working day on or after {_day(start)}"
        else:
            working = calendar.is_working_day(start)
            payload = {"working_day": working}
            verdict = "is a working day" if working else "is not a working day"
            line = f"{_day(start)} {verdict} ({_why(calendar, start, working)})"
    except (UnknownYearError, CalendarError) as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(json.dumps(payload) if as_json else line)
