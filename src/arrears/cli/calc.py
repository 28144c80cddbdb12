"""`arrears calc …`: check a figure from the command line, as a collector or an auditor would.

Money in JSON output is a string with two decimals; the shapes are a contract other tools read.
"""

from __future__ import annotations

import click

from arrears.cli.calc_money import penalty, plan, schedule, waiver
from arrears.cli.calc_workdays import workdays


@click.group()
def calc() -> None:
    """Compute schedules, penalty interest, plan options, waiver limits and working days."""


for command in (schedule, penalty, plan, waiver, workdays):
    calc.add_command(command)
