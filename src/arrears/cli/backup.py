"""`arrears backup --to DIR` and `arrears restore --from DIR` (src/arrears/backup.py says what a backup holds).

A backup changes nothing of the business, so it writes no audit event: it is logged on `arrears.operations`.
A restore cannot record itself in the database it is replacing before that exists: once the database is
restored, its ledger is verified and the restore is recorded after it, by the system user (AUTH-4), with the
backup's time and the result of the check.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

import click

from arrears.cli.web import setup_django

log = logging.getLogger("arrears.operations")


@click.command()
@click.option("--to", "destination", required=True, type=click.Path(path_type=Path), help="A new (or empty) directory.")
@click.option("--json", "as_json", is_flag=True, help="Print the manifest's summary as one JSON object.")
def backup(destination: Path, as_json: bool) -> None:
    """Back up the database and the files kept outside it (ARREARS_VAR, the ledger's anchors) into a new
    directory, with a manifest of every file's SHA-256. Safe while the servers run. The secret keys are not
    included: keep them with your secrets (docs/deployment.md)."""
    setup_django()
    from arrears.backup import BackupError, make_backup

    try:
        manifest = make_backup(destination)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    size = sum(f["size"] for f in manifest.files)
    log.info(
        "backup written to %s: %s database, %s files, %s bytes",
        destination,
        manifest.database,
        len(manifest.files),
        size,
    )
    if as_json:
        summary = {
            "path": str(destination.resolve()),
            "created_at": manifest.created_at,
            "database": manifest.database,
            "files": len(manifest.files),
            "bytes": size,
        }
        click.echo(json.dumps(summary))
    else:
        click.echo(
            f"backup written to {destination}: {manifest.database} database and "
            f"{len(manifest.files) - 1} files, {size:,} bytes"
        )


@click.command()
@click.option(
    "--from",
    "source",
    required=True,
    type=click.Path(path_type=Path, file_okay=False),
    help="A directory written by `arrears backup`.",
)
@click.pass_context
def restore(ctx: click.Context, source: Path) -> None:
    """Restore a backup into an EMPTY database (DATABASE_URL) and an empty ARREARS_VAR, after checking every
    file against the manifest; refuses, changing nothing, otherwise. Then verifies the audit ledger and records
    the restore in it. Exit status 0 when the restored ledger verifies, 1 when it does not."""
    setup_django()
    from django.utils import translation

    from arrears.accounts.permissions import Perm
    from arrears.backup import BackupError, restore_backup
    from arrears.compliance.actions import LedgerBroken, record_system_event
    from arrears.compliance.anchors import anchor_path, verify_ledger
    from arrears.compliance.codes import ActionCode

    try:
        done = restore_backup(source)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"restored the {done.manifest.database} database of {done.manifest.created_at} and {done.files} files")
    if done.anchors == "kept":
        click.echo(f"kept the anchors already in {anchor_path()}: the restored ledger is checked against them")
    with translation.override("en"):
        result = verify_ledger()
        reason = result.reason
    if result.ok:
        click.echo(f"audit ledger intact: {result.checked} events checked against {result.anchors} anchors")
    else:
        click.echo(f"audit ledger does NOT verify: {reason}")
    try:
        record_system_event(
            ActionCode.RESTORE_BACKUP,
            permission=Perm.VERIFY_AUDIT,
            subject=None,
            clause="AUTH-4",
            changes={
                "backup_created_at": (None, done.manifest.created_at),
                "files": (None, done.files),
                "ledger_ok": (None, result.ok),
                "checked": (None, result.checked),
            },
            reason=reason,
        )
    except LedgerBroken:
        click.echo("the ledger refused to record the restore (it is broken); logged instead", err=True)
    log.warning(
        "database restored from %s (backup of %s); ledger %s",
        source,
        done.manifest.created_at,
        "intact" if result.ok else f"BROKEN: {reason}",
    )
    if done.pending_migrations:
        click.echo(
            f"{done.pending_migrations} migrations of this version are not applied yet: "
            "run `arrears manage migrate` (or start `arrears serve`, which applies them)"
        )
    ctx.exit(0 if result.ok else 1)
