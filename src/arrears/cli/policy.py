"""`arrears policy show|check`: what the policy says on a date, and whether a policy file is valid."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import click

from arrears.cli.params import DATE
from arrears.policy import (
    PolicyBook,
    PolicyError,
    book_from_files,
    default_book,
    load_policy_file,
    parameter_rows,
    to_jsonable,
)


@click.group()
def policy() -> None:
    """Show the collection policy in force, or check a policy file."""


def _book(files: tuple[str, ...], stored: bool = False) -> PolicyBook:
    try:
        if stored:
            # The book the web application and posting use: the files plus the versions administrators stored.
            from arrears.cli.web import setup_django

            setup_django()
            from arrears.rules.queries import policy_book

            return policy_book()
        return book_from_files(files) if files else default_book()
    except PolicyError as exc:
        raise click.ClickException(str(exc)) from None


# The bank's local day when no feed says otherwise (the settings' TIME_ZONE; Clause: practice).
LOCAL_ZONE = ZoneInfo("Asia/Shanghai")


def _newest_feed_date() -> date | None:
    """The newest loaded feed's business date (as `run-daily` finds it), or None when there is none. Raises
    when there is no database to ask (an embedded SQLite file not created yet counts as none: it is not made)."""
    from arrears.cli.web import setup_django

    setup_django()
    from django.conf import settings

    db = settings.DATABASES["default"]
    name = str(db["NAME"])
    in_memory = name == ":memory:" or "mode=memory" in name
    if db["ENGINE"].endswith("sqlite3") and not in_memory and not Path(name).exists():
        raise FileNotFoundError(f"no database file {name}")
    from arrears.portfolio.queries import business_date

    return business_date()


def default_business_date() -> tuple[date, str]:
    """The date `policy show` uses without --on, and how it was chosen (said in the output): the newest feed's
    business date when the database has one, else today in Asia/Shanghai. A pure command: no database is
    needed, its absence is stated, never an error."""
    try:
        found = _newest_feed_date()
    except Exception as exc:  # no settings, no server, no tables: fall back to the local date, and say why
        found, why = None, f"the database could not be read ({_first_line(exc)})"
    else:
        why = "no feed is loaded"
    if found is not None:
        return found, "the newest feed's business date"
    # The user's "now" is read here, at the edge, never in logic.
    return datetime.now(LOCAL_ZONE).date(), f"today in Asia/Shanghai: {why}"


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


@policy.command()
@click.option(
    "--on",
    "on",
    type=DATE,
    help="Business date (YYYY-MM-DD); default: the newest feed's business date, or today in Asia/Shanghai "
    "when there is no feed or no database.",
)
@click.option(
    "--file",
    "files",
    multiple=True,
    type=click.Path(dir_okay=False),
    help="Policy version files to use instead of ARREARS_POLICY_FILES (repeatable).",
)
@click.option(
    "--stored", is_flag=True, help="Include the versions stored in the database (as the web application does)."
)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.option("--markdown", is_flag=True, help="Print the parameter table as Markdown (for the README).")
def show(on: date | None, files: tuple[str, ...], stored: bool, as_json: bool, markdown: bool) -> None:
    """Show every parameter of the policy in force on a date."""
    if stored and files:
        raise click.UsageError("--stored and --file exclude each other: --stored uses ARREARS_POLICY_FILES")
    chosen = "given with --on"
    if on is None:
        on, chosen = default_business_date()
    version = _book(files, stored).version_on(on)
    rows = parameter_rows(version.policy)
    if as_json:
        payload = {
            "on": on.isoformat(),
            "on_chosen": chosen,
            "version": {
                "name": version.name,
                "effective_from": None if version.effective_from == date.min else version.effective_from.isoformat(),
                "source": version.source,
            },
            "policy": to_jsonable(version.policy),
        }
        click.echo(json.dumps(payload, ensure_ascii=False, indent=2))
        return
    if markdown:
        click.echo(f"policy on {on} ({chosen})", err=True)  # the table itself goes into the README unchanged
        click.echo("| parameter | default | allowed | clause | meaning |")
        click.echo("|---|---|---|---|---|")
        for row in rows:
            click.echo(f"| `{row['key']}` | {row['value']} | {row['allowed']} | {row['clause']} | {row['meaning']} |")
        return
    since = "" if version.effective_from == date.min else f", in force since {version.effective_from}"
    click.echo(f"Policy on {on} ({chosen}): {version.name} ({version.source}{since})")
    width = max(len(row["key"]) for row in rows)
    for row in rows:
        click.echo(f"  {row['key']:<{width}}  {row['value']:<14} [{row['clause']}] {row['meaning']}")


@policy.command()
@click.argument("file", type=click.Path(dir_okay=False))
def check(file: str) -> None:
    """Validate a policy version FILE (TOML); list every fault with the key, value and allowed range."""
    try:
        version = load_policy_file(file)
    except PolicyError as exc:
        for problem in exc.problems:
            click.echo(f"{exc.source}: {problem}", err=True)
        raise click.ClickException(f"{file} is not a valid policy ({len(exc.problems)} problem(s) above)") from None
    changes = version.overrides()
    click.echo(f"{file}: valid; {version.name!r} in force from {version.effective_from}")
    for key, value in changes.items():
        click.echo(f"  {key} = {value}")
    if not changes:
        click.echo("  (no parameter differs from the SPEC defaults)")
