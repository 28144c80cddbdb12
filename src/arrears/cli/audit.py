"""`arrears audit verify`: recompute the audit ledger's hash chain, check it against the anchors kept outside
the database, and report the first broken link. `arrears audit anchor`: publish the ledger head as an anchor.
`arrears audit searched NUMBER`: the exact searches of a number (by its keyed hash; the ledger holds no number)."""

from __future__ import annotations

import json
import sys

import click

from arrears.cli.web import setup_django


@click.group()
def audit() -> None:
    """Check the audit ledger, and anchor it outside the database."""


@audit.command()
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.option(
    "--batch-size", default=2000, show_default=True, type=click.IntRange(1, 100_000), help="Events read at a time."
)
@click.pass_context
def verify(ctx: click.Context, as_json: bool, batch_size: int) -> None:
    """Recompute every event's hash in order and check the chain against the anchors (ARREARS_LEDGER_ANCHOR_DIR).
    Exit status 0 when the ledger is intact, 1 at the first broken link (an event edited, deleted, reordered,
    written past the ledger head, a head or chain rewritten since an anchor, a forged anchor), naming the event
    and what is wrong."""
    setup_django()
    from django.utils import translation

    from arrears.compliance.anchors import anchor_path, replaced_hint, verify_ledger

    def progress(checked: int, total: int) -> None:
        click.echo(f"… {checked:,} of {total:,} events checked", err=True)

    show_progress = sys.stderr.isatty()
    with translation.override("en"):
        result = verify_ledger(batch_size=batch_size, progress=progress if show_progress else None)
        reason = result.reason
    if as_json:
        payload = {
            "ok": result.ok,
            "checked": result.checked,
            "first_broken": result.first_broken,
            "reason": reason or None,
            "anchors": result.anchors,
        }
        click.echo(json.dumps(payload, ensure_ascii=False))
    elif result.ok:
        click.echo(f"audit ledger intact: {result.checked} events checked")
        if result.anchors:
            click.echo(f"checked against {result.anchors} anchors in {anchor_path()}")
        else:
            click.echo(
                f"no anchor in {anchor_path()}: a chain rewritten consistently would not show "
                "(publish one with `arrears audit anchor`)"
            )
    else:
        where = "" if result.first_broken is None else f" at event #{result.first_broken}"
        click.echo(f"audit ledger BROKEN{where}: {reason}")
        click.echo(f"{result.checked} events before it checked and intact")
        if hint := replaced_hint(result):
            click.echo(hint.removeprefix(". ") + ".")
    ctx.exit(0 if result.ok else 1)


@audit.command()
@click.argument("number")
@click.option("--name", "by_name", is_flag=True, help="NUMBER is a name as searched (the search by name).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.pass_context
def searched(ctx: click.Context, number: str, by_name: bool, as_json: bool) -> None:
    """List the exact searches (PRV-1) of a full mobile/phone or ID NUMBER — or with --name, the searches by
    name of exactly that text (e.g. the beginning of a name, as typed) — who searched it and when, found by
    hashing it with the installation's key as the search did. Exit status 0 when it was searched, 1 when
    never (with this SECRET_KEY and ARREARS_SEARCH_HASH_SALT)."""
    setup_django()
    from arrears.compliance.models import AuditEvent
    from arrears.portfolio.actions import searched_name_hash, searched_number_hash

    if by_name:
        digest = searched_name_hash(number)
        events = AuditEvent.objects.filter(action="portfolio.search_name", changes__name_hmac__1=digest)
    else:
        digest = searched_number_hash(number)
        events = AuditEvent.objects.filter(action="portfolio.search_exact", changes__number_hmac__1=digest)
    rows = list(events.order_by("id").values_list("id", "at", "actor_username"))
    if as_json:
        found = [{"id": pk, "at": at.isoformat(), "actor": who} for pk, at, who in rows]
        click.echo(json.dumps({"hmac": digest, "searches": found}, ensure_ascii=False))
    elif rows:
        for pk, at, who in rows:
            click.echo(f"#{pk} {at:%Y-%m-%d %H:%M:%S%z} {who}")
    else:
        click.echo("never searched (with this installation's key)")
    ctx.exit(0 if rows else 1)


@audit.command()
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.pass_context
def anchor(ctx: click.Context, as_json: bool) -> None:
    """Append the ledger head (its last event's id and hash), signed with the anchor key, to the anchor file —
    once the events appended since the newest anchor verify. The nightly run does this at its end. Exit status 1,
    nothing written, when the ledger is broken."""
    setup_django()
    from arrears.compliance.anchors import AnchorRefused, publish_anchor

    try:
        published = publish_anchor()
    except AnchorRefused as exc:
        raise click.ClickException(str(exc)) from exc
    if as_json:
        click.echo(json.dumps(published.as_json(), ensure_ascii=False))
    elif published.new:
        click.echo(f"ledger anchored at event #{published.head_id} ({published.head_hash}) in {published.path}")
    else:
        click.echo(f"ledger head #{published.head_id} already anchored at {published.at} in {published.path}")
    ctx.exit(0)
