"""`arrears whatif --policy FILE --from D1 --to D2 [--json] [--user NAME]`: past nights replayed under a candidate
policy beside the policy that was in force (`arrears.whatif`), nothing written.

FILE is a policy-version TOML as `arrears policy check` reads it; its effective date is ignored. The period must
be past: it ends no later than the newest nightly run done. Runs as the nightly run's identity unless `--user`
names another (who must be allowed to see reports).

Without `--json`, the totals side by side with the change, then one line per night. `--json` prints one object:
`{"from", "to", "policy": {"baseline": [names], "candidate", "overrides"}, "seconds": {"read", "replay"}, "days": [{"date", "baseline": {...},
"candidate": {...}}], "total": {"baseline": {...}, "candidate": {...}}}`; each side has `reminders` (`written`,
`written_without_channel`, `phone`), `letters`, `calls_due`, `legal_referrals`, `cases_by_pool` (`junior`,
`senior`, `supervisor`), `case_decisions`, `tasks_due` by kind, `cost` (fen), `waivers_eligible` (`loans`,
`max_fen`), `plans_feasible` (`feasible`; a night's also `borrowers`), and a night's side the nightly run's
summary figures as well (`loans`, `delinquent`, `by_class`, `by_bucket`, `overdue_total_fen`, `promises`, `plans`,
`errors`). What the totals count is in `arrears.whatif.figures`.
"""

from __future__ import annotations

import json
from datetime import date

import click

from arrears.cli.feed import actor_named
from arrears.cli.params import DATE
from arrears.cli.web import setup_django


def _show(value: int, path: tuple[str, ...]) -> str:
    if path[-1].endswith("_fen"):
        from arrears.reports.summary import yuan

        return yuan(value)
    return f"{value:,}"


def _table(result) -> None:
    total = result.total
    nights = total["baseline"]["nights"]
    click.echo(
        f"what-if {result.first} .. {result.last} ({nights} night{'' if nights == 1 else 's'}): "
        f"{result.candidate!r} against the policy in force ({', '.join(result.baseline)})"
    )
    for key, value in result.overrides.items():
        click.echo(f"  {key} = {value}")
    from arrears.whatif.figures import COMPARED, figure_at

    rows = [(str(words), path) for words, path in COMPARED]
    width = max(len(words) for words, _ in rows)
    click.echo(f"{'':<{width}}  {'in force':>12}  {'candidate':>12}  {'change':>12}")
    for label, path in rows:
        before, after = figure_at(total["baseline"], path), figure_at(total["candidate"], path)
        change = after - before
        sign = "+" if change > 0 else ("-" if change < 0 else "")
        click.echo(
            f"{label:<{width}}  {_show(before, path):>12}  {_show(after, path):>12}  "
            f"{sign + _show(abs(change), path) if change else '0':>12}"
        )
    click.echo("night        reminders (in force / candidate)  calls due  cases junior/senior/supervisor")
    for day in result.days:
        sides = [day["baseline"], day["candidate"]]
        reminders = " / ".join(f"{s['reminders']['written']}+{s['reminders']['phone']}" for s in sides)
        calls = " / ".join(str(s["calls_due"]) for s in sides)
        pools = " / ".join("-".join(str(v) for v in s["cases_by_pool"].values()) for s in sides)
        click.echo(f"{day['date']}   {reminders:<34}  {calls:<9}  {pools}")


@click.command("whatif")
@click.option("--policy", "policy_file", type=click.Path(dir_okay=False), required=True, help="Candidate version.")
@click.option("--from", "first", type=DATE, required=True, help="First business date replayed.")
@click.option("--to", "last", type=DATE, required=True, help="Last business date replayed.")
@click.option("--user", "username", default=None, help="Run as this user (default: the nightly run).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def whatif(policy_file: str, first: date, last: date, username: str | None, as_json: bool) -> None:
    """Replay past nights under a candidate policy FILE beside the policy in force; nothing is written."""
    from arrears.policy.versions import PolicyError, load_policy_file

    try:
        candidate = load_policy_file(policy_file)
    except PolicyError as exc:
        for problem in exc.problems:
            click.echo(f"{exc.source}: {problem}", err=True)
        raise click.ClickException(
            f"{policy_file} is not a valid policy ({len(exc.problems)} problem(s) above)"
        ) from None
    setup_django()
    from django.utils import translation

    from arrears.compliance.actions import ActionDenied
    from arrears.whatif.actions import WhatIfRefused, do_whatif

    actor = actor_named(username)

    def progress(day: date) -> None:
        click.echo(f"replayed {day}", err=True)

    with translation.override("en"):  # the command speaks English, as its other messages do
        try:
            result = do_whatif(candidate, first, last, actor=actor, progress=progress)
        except (WhatIfRefused, ActionDenied) as exc:
            raise click.ClickException(str(exc)) from None
    if as_json:
        click.echo(json.dumps(result.as_json(), ensure_ascii=False))
    else:
        with translation.override("en"):
            _table(result)
