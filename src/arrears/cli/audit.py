"""`arrears audit verify`: recompute the audit ledger's hash chain and report the first broken link.
`arrears audit searched NUMBER`: the exact searches of a number (by its keyed hash; the ledger holds no number)."""

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


@audit.command()
@click.argument("number")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.pass_context
def searched(ctx: click.Context, number: str, as_json: bool) -> None:
    """List the exact searches (PRV-1) of a full mobile/phone or ID NUMBER: who searched it and when, found by
    hashing the number with the installation's key as the search did. Exit status 0 when it was searched, 1 when
    never (with this SECRET_KEY and ARREARS_SEARCH_HASH_SALT)."""
    setup_django()
    from arrears.compliance.models import AuditEvent
    from arrears.portfolio.actions import searched_number_hash

    digest = searched_number_hash(number)
    rows = list(
        AuditEvent.objects.filter(action="portfolio.search_exact", changes__number_hmac__1=digest)
        .order_by("id")
        .values_list("id", "at", "actor_username")
    )
    if as_json:
        events = [{"id": pk, "at": at.isoformat(), "actor": who} for pk, at, who in rows]
        click.echo(json.dumps({"hmac": digest, "searches": events}, ensure_ascii=False))
    elif rows:
        for pk, at, who in rows:
            click.echo(f"#{pk} {at:%Y-%m-%d %H:%M:%S%z} {who}")
    else:
        click.echo("never searched (with this installation's key)")
    ctx.exit(0 if rows else 1)
