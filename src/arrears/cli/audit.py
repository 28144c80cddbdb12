"""`arrears audit verify`: recompute the audit ledger's hash chain and report the first broken link."""

from __future__ import annotations

import json
import sys

import click

from arrears.cli.web import setup_django


@click.group()
def audit() -> None:
    """Check the audit ledger."""


@audit.command()
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.option(
    "--batch-size", default=2000, show_default=True, type=click.IntRange(1, 100_000), help="Events read at a time."
)
@click.pass_context
def verify(ctx: click.Context, as_json: bool, batch_size: int) -> None:
    """Recompute every event's hash in order. Exit status 0 when the chain is intact, 1 at the first broken
    link (an edited, deleted or reordered event), naming the event and what is wrong."""
    setup_django()
    from arrears.compliance.ledger import verify_chain

    def progress(checked: int, total: int) -> None:
        click.echo(f"… {checked:,} of {total:,} events checked", err=True)

    show_progress = sys.stderr.isatty()
    result = verify_chain(batch_size=batch_size, progress=progress if show_progress else None)
    if as_json:
        payload = {
            "ok": result.ok,
            "checked": result.checked,
            "first_broken": result.first_broken,
            "reason": result.reason or None,
        }
        click.echo(json.dumps(payload, ensure_ascii=False))
    elif result.ok:
        click.echo(f"audit ledger intact: {result.checked} events checked")
    else:
        click.echo(f"audit ledger BROKEN at event #{result.first_broken}: {result.reason}")
        click.echo(f"{result.checked} events before it checked and intact")
    ctx.exit(0 if result.ok else 1)
