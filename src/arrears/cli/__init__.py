"""The `arrears` command.

Pure-core commands (`calc`, `policy`) never start Django; the others set it up first. Every error reaches
the user as one line on stderr with a non-zero exit status, never a traceback.
"""

from __future__ import annotations

import sys

import click

from arrears.cli.audit import audit
from arrears.cli.backup import backup, restore
from arrears.cli.calc import calc
from arrears.cli.complaints import complaints
from arrears.cli.costs import costs
from arrears.cli.daily import run_daily
from arrears.cli.demo import demo
from arrears.cli.dispatch import dispatch
from arrears.cli.experiment import experiment
from arrears.cli.feed import import_feed
from arrears.cli.kpi import kpi, kpi_reconstruct
from arrears.cli.policy import policy
from arrears.cli.purge import purge
from arrears.cli.qa import qa
from arrears.cli.review import review
from arrears.cli.scorecards import scorecards
from arrears.cli.tokens import token
from arrears.cli.users import user
from arrears.cli.web import manage, serve
from arrears.cli.whatif import whatif
from arrears.cli.worker import worker


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="arrears")
def cli() -> None:
    """arrears: collections management for a bank's lending book."""


cli.add_command(audit)
cli.add_command(backup)
cli.add_command(restore)
cli.add_command(calc)
cli.add_command(complaints)
cli.add_command(costs)
cli.add_command(demo)
cli.add_command(dispatch)
cli.add_command(experiment)
cli.add_command(policy)
cli.add_command(purge)
cli.add_command(qa)
cli.add_command(review)
cli.add_command(serve)
cli.add_command(manage)
cli.add_command(import_feed)
cli.add_command(kpi)
cli.add_command(kpi_reconstruct)
cli.add_command(run_daily)
cli.add_command(scorecards)
cli.add_command(token)
cli.add_command(user)
cli.add_command(whatif)
cli.add_command(worker)


def main(argv: list[str] | None = None) -> int:
    """Console entry point: run the command group, turning errors into one line and an exit status."""
    try:
        rv = cli.main(args=argv, prog_name="arrears", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("arrears: aborted", err=True)
        return 130
    except click.ClickException as exc:
        where = f"{exc.ctx.command_path}: " if getattr(exc, "ctx", None) else "arrears: "
        click.echo(f"{where}error: {exc.format_message()}", err=True)
        return exc.exit_code
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except Exception as exc:
        database = sys.modules.get("django.db")
        if database is None or not isinstance(exc, database.DatabaseError):
            raise
        # A database that is not there, not migrated, or not answering: one line, and what to do.
        click.echo(
            f"arrears: error: the database could not answer ({str(exc).splitlines()[0] if str(exc) else type(exc).__name__}); "
            "check DATABASE_URL and run `arrears manage migrate`",
            err=True,
        )
        return 1
    return rv if isinstance(rv, int) else 0


if __name__ == "__main__":
    sys.exit(main())
