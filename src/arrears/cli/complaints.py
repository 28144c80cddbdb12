"""`arrears complaints sla [--on D] [--json]`: the complaint SLA figures as of the end of Beijing day D (Clause:
CMP-2, CMP-3; definitions in `arrears.complaints.queries`). D defaults to today in Beijing."""

from __future__ import annotations

import json
from datetime import datetime

import click

from arrears.cli.params import DATE
from arrears.cli.web import setup_django

LINES = (
    ("open", "open (not closed; unmatched ones included)"),
    ("due_today", "due today (response or investigation)"),
    ("breached_response", "first response breached (CMP-2)"),
    ("breached_investigation", "investigation breached (CMP-3)"),
)


@click.group("complaints")
def complaints() -> None:
    """Collection complaints."""


@complaints.command("sla")
@click.option("--on", "on", type=DATE, default=None, help="Beijing date whose end the figures are as of.")
@click.option("--json", "as_json", is_flag=True, help="Print the figures as one JSON object.")
def sla(on, as_json: bool) -> None:
    """Open, due-today and breached complaints as of the end of day D."""
    setup_django()
    from arrears.complaints.clocks import BEIJING
    from arrears.complaints.queries import sla as figures

    on = on or datetime.now(BEIJING).date()
    if not 1901 <= on.year <= 9998:
        raise click.BadParameter("give a date from 1901 to 9998", param_hint="--on")
    found = figures(on).as_dict()
    if as_json:
        click.echo(json.dumps(found))
        return
    click.echo(f"Complaints as of the end of {on.isoformat()} (Beijing):")
    for key, label in LINES:
        click.echo(f"  {label:<45} {found[key]:>6}")
