"""`arrears scorecards --month YYYY-MM [--json]`: the month's scorecards of the collectors and the agencies
(QA-2) — each part's figure, the weights used and the score, as the page shows them.

`--json` prints `{"month", "closed", "through", "weights", "complaints_to_zero", "violations_to_zero",
"collectors": [card], "agencies": [card]}`, a card `{"id", "name", "loans", "opening_overdue", "recovered",
"recovery_rate", "promises_kept", "promises_decided", "calls_reached", "calls_outbound", "quality_score",
"calls_inspected", "complaints", "violations", "parts", "weights", "score", "no_score"}` (amounts yuan strings to
the fen, parts and weights strings with 4 decimals, the score with 2; null where a part is left out or there is no
score). A month without opening figures exits 1 with what to do."""

from __future__ import annotations

import json

import click

from arrears.cli.params import MONTH
from arrears.cli.web import setup_django

HEADINGS = ("recovery", "promises", "contact", "quality", "complaints", "violations")  # the parts, in order


def _table(title: str, cards: list[dict]) -> None:
    click.echo(f"\n{title}")
    click.echo(f"{'name':<24} " + " ".join(f"{h:>11}" for h in HEADINGS) + f" {'score':>8}")
    for card in cards:
        cells = " ".join(f"{figure or '—':>11}" for figure in card["parts"].values())
        click.echo(f"{card['name'][:24]:<24} {cells} {card['score'] or card['no_score']:>8}")
    if not cards:
        click.echo("(no one has a card this month)")


@click.command("scorecards")
@click.option("--month", "month", required=True, type=MONTH, help="The month, YYYY-MM.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def scorecards(month, as_json: bool) -> None:
    """The month's scorecards of the collectors and the agencies (QA-2)."""
    setup_django()
    from arrears.reports.kpi import KpiUnavailable
    from arrears.reports.scorecards import as_data
    from arrears.reports.scorecards import scorecards as month_scorecards

    try:
        data = as_data(month_scorecards(month))
    except KpiUnavailable as exc:
        raise click.ClickException(str(exc)) from None
    if as_json:
        click.echo(json.dumps(data, ensure_ascii=False))
        return
    state = "closed" if data["closed"] else f"under way, through {data['through']}"
    click.echo(f"{data['month']} ({state})")
    click.echo("weights: " + ", ".join(f"{part} {weight}" for part, weight in data["weights"].items()))
    _table("collectors", data["collectors"])
    _table("agencies", data["agencies"])
