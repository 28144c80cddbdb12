"""`arrears review …`: the monthly review pack (Clause: REV-1) from the command line.

`arrears review prepare --month YYYY-MM [--user NAME] [--json]` prepares a closed month's pack, or refreshes a
prepared one (as the worker does on the month's first working day; `reports.actions_review.do_prepare_review`);
an approved pack is left as it is. Runs as the nightly run's identity unless `--user` names another. A month not
closed yet exits 1 with what to do.

`arrears review show --month YYYY-MM [--json]` prints the pack: its status, every indicator this month against
last month with the change, the target and whether it was met; the typical cases (all proposed while the pack is
prepared, the chosen ones once approved — case numbers, no borrower), the commentary, the action items and the
follow-up, and the SHA-256 of the PDF and XLSX kept at approval. `--json` prints one object:
`{"month", "status", "prepared_on", "approved_by", "approved_at", "indicators": [{"key", "unit", "this",
"last", "change", "target", "met"}], "cases": [...], "commentary", "action_items": [...], "follow_up": [...],
"pdf_sha256", "xlsx_sha256"}` — amounts yuan strings to the fen, rates strings with 4 decimals.
"""

from __future__ import annotations

import json
from typing import Any

import click

from arrears.cli.feed import actor_named
from arrears.cli.web import setup_django


class MonthType(click.ParamType):
    name = "month"

    def convert(self, value, param, ctx):
        from arrears.agencies.commissions import BadMonth, Month

        try:
            return Month.parse(str(value).strip())
        except BadMonth:
            self.fail(f"{value!r} is not a month; write YYYY-MM, e.g. 2026-03", param, ctx)


MONTH = MonthType()


@click.group("review")
def review() -> None:
    """The monthly review pack (REV-1): prepare a month's pack, show it."""


def _value(unit: str, value: Any) -> Any:
    from arrears.reports.summary import yuan

    if value is None:
        return None
    if unit == "fen":
        return yuan(int(value))
    return value if isinstance(value, int) else str(value)


def pack_json(pack) -> dict[str, Any]:
    """The pack as `arrears review show --json` prints it (module docstring)."""
    from arrears.reports.queries_review import case_rows, follow_up, person
    from arrears.reports.review_compare import indicator_rows
    from arrears.reports.summary import yuan

    indicators = []
    for row in indicator_rows(pack.figures or {}):
        change = row.change
        indicators.append(
            {
                "key": row.key,
                "unit": row.unit,
                "this": _value(row.unit, row.this),
                "last": _value(row.unit, row.last),
                "change": None if change is None else (yuan(int(change)) if row.unit == "fen" else str(change)),
                "target": row.target,
                "met": row.met,
            }
        )
    return {
        "month": pack.label,
        "status": pack.status,
        "prepared_on": pack.prepared_on.isoformat(),
        "approved_by": person(pack.approved_by) if pack.approved_by_id else None,
        "approved_at": pack.approved_at.isoformat() if pack.approved_at else None,
        "indicators": indicators,
        "cases": [
            {
                "kind": c.row.kind,
                "rule": c.row.rule,
                "case": c.row.case_id,
                "reference": c.row.reference,
                "date": c.row.occurred_on.isoformat(),
                "amount": None if c.row.amount_fen is None else yuan(c.row.amount_fen),
                "chosen": c.row.chosen,
                "note": c.row.note,
            }
            for c in case_rows(pack, None, chosen_only=pack.approved)
        ],
        "commentary": pack.commentary,
        "action_items": [
            {
                "text": item.text,
                "owner": person(item.owner),
                "due_on": item.due_on.isoformat(),
                "status": item.status,
                "note": item.follow_up_note,
            }
            for item in pack.items.select_related("owner").order_by("due_on", "pk")
        ],
        "follow_up": [item.as_json() for item in follow_up(pack)],
        "pdf_sha256": pack.pdf_sha256 or None,
        "xlsx_sha256": pack.xlsx_sha256 or None,
    }


@review.command("prepare")
@click.option("--month", "month", type=MONTH, required=True, help="The month, YYYY-MM (closed).")
@click.option("--user", "username", default=None, help="Prepare as this user (default: the nightly run).")
@click.option("--json", "as_json", is_flag=True, help="Print the pack as one JSON object.")
def prepare(month, username: str | None, as_json: bool) -> None:
    """Prepare (or refresh) a closed month's review pack."""
    setup_django()
    from django.utils import translation

    from arrears.collection.queries import today
    from arrears.compliance.actions import ActionDenied
    from arrears.reports.actions_review import ReviewError, do_prepare_review

    actor = actor_named(username)
    with translation.override("en"):
        try:
            pack = do_prepare_review(month, actor=actor, today=today())
        except (ActionDenied, ReviewError) as exc:
            raise click.ClickException(str(exc)) from None
        if as_json:
            click.echo(json.dumps(pack_json(pack), ensure_ascii=False))
            return
        state = "approved, left as it is" if pack.approved else "prepared"
        click.echo(f"review of {pack.label}: {state}; {pack.cases.count()} typical cases proposed")


@review.command("show")
@click.option("--month", "month", type=MONTH, required=True, help="The month, YYYY-MM.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def show(month, as_json: bool) -> None:
    """Show a month's review pack."""
    setup_django()
    from django.utils import translation

    from arrears.reports.models_review import ReviewPack
    from arrears.reports.review_compare import indicator_rows

    pack = ReviewPack.objects.filter(month=month.first).first()
    if pack is None:
        raise click.ClickException(
            f"no review pack for {month}; prepare it with `arrears review prepare --month {month}`"
        )
    with translation.override("en"):
        if as_json:
            click.echo(json.dumps(pack_json(pack), ensure_ascii=False))
            return
        click.echo(f"review of {pack.label} ({pack.get_status_display()}), prepared on {pack.prepared_on}")
        click.echo(f"{'indicator':<36} {'this month':>16} {'last month':>16} {'change':>16} {'target':>9}")
        for row in indicator_rows(pack.figures or {}):
            click.echo(
                f"{row.label:<36} {row.this_text:>16} {row.last_text:>16} {row.change_text:>16} "
                f"{row.target_text:>9} {row.met_text}"
            )
        data = pack_json(pack)
        for case in data["cases"]:
            mark = "*" if case["chosen"] else " "
            click.echo(f"{mark} {case['kind']:<8} {case['rule']:<18} case {case['case']} {case['amount'] or '—'}")
        for item in data["action_items"]:
            click.echo(f"- {item['text']} ({item['owner']}, due {item['due_on']}, {item['status']})")
