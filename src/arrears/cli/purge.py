"""`arrears purge --as-of D [--dry-run] [--json] [--user NAME]`: the retention purge (`arrears.retention.actions`).

Deletes or anonymises what is past the policy's retention periods on business date D — personal data of
borrowers closed out long enough, letter and print-batch PDFs, call-recording days — and records it in the
audit ledger; audit events themselves are only counted (the ledger is never cut). `--dry-run` prints what would
be done and changes nothing. Runs as the nightly run's identity unless `--user` names another.
"""

from __future__ import annotations

import json

import click

from arrears.cli.feed import actor_named, first_line
from arrears.cli.params import DATE
from arrears.cli.web import setup_django

LINES = (
    ("borrowers_anonymised", "borrowers anonymised", "PRV-1"),
    ("contacts_anonymised", "contact persons anonymised", "PRV-1"),
    ("call_numbers_erased", "call numbers erased", "PRV-1"),
    ("notices_erased", "notice recipients and texts erased", "PRV-1"),
    ("letter_pdfs_deleted", "letter PDFs deleted", "LTR-1"),
    ("print_batches_deleted", "print batches deleted", "LTR-1"),
    ("recording_days_deleted", "recording days deleted", "CALL-3"),
    ("recording_files_deleted", "recording files deleted", "CALL-3"),
    ("recordings_deleted", "stored recordings' audio deleted", "QA-1"),
)


@click.command("purge")
@click.option("--as-of", "as_of", type=DATE, required=True, help="Business date the periods are counted to.")
@click.option("--dry-run", is_flag=True, help="Report what is past its period; change nothing.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as one JSON object.")
@click.option("--user", "username", default=None, help="Run as this user (default: the nightly run).")
def purge(as_of, dry_run: bool, as_json: bool, username: str | None) -> None:
    """Delete or anonymise what is past its retention period, audited."""
    setup_django()
    from django.db import DatabaseError

    from arrears.compliance.actions import ActionDenied, LedgerBroken
    from arrears.retention.actions import do_purge_expired

    actor = actor_named(username)
    try:
        report = do_purge_expired(as_of, actor=actor, basis="arrears purge", dry_run=dry_run)
    except (ActionDenied, LedgerBroken) as exc:
        raise click.ClickException(f"{exc}; nothing changed") from exc
    except ValueError as exc:  # the policy or the calendar is unusable
        raise click.ClickException(f"the purge stopped: {exc}; nothing changed") from exc
    except (OSError, DatabaseError) as exc:
        raise click.ClickException(f"the purge stopped: {first_line(exc)}; nothing was recorded, run it again") from exc
    if as_json:
        click.echo(json.dumps(report.as_json(), ensure_ascii=False, sort_keys=True))
        return
    verb = "would purge" if dry_run else "purged"
    click.echo(f"retention purge of {as_of.isoformat()} ({report.policy}){': dry run' if dry_run else ''}")
    cut = report.cutoffs
    click.echo(
        f"  kept from: personal data {cut['personal_data']}, letters {cut['letters']}, "
        f"recordings {cut['recordings']}, audit events {cut['audit']}"
    )
    for key, words, clause in LINES:
        click.echo(f"  {words}: {getattr(report, key)} ({clause})")
    click.echo(f"  audit events past their period, kept (the ledger is never cut): {report.audit_events_past_period}")
    click.echo(f"  sealed change records past their period, kept with their seals: {report.change_records_past_period}")
    if report.changed == 0:
        click.echo("nothing past its period; nothing changed")
    elif dry_run:
        click.echo(f"{verb} {report.changed} items; nothing changed (dry run)")
    else:
        click.echo(f"{verb} {report.changed} items; {report.events_written} audit events written")
