"""`arrears qa …`: call quality (QA-1) from the command line.

`arrears qa inspect FILE.txt [--party borrower|third_party] [--dpd N] [--on D] [--json]` inspects one transcript
(one utterance a line, prefixed `坐席:` / `客户:` or `Agent:` / `Customer:`; `-` reads standard input) with the
prohibited-language list and the policy of the database, and prints the steps with their evidence, the findings,
the satisfaction and the score."""

from __future__ import annotations

import json
from datetime import datetime
from zoneinfo import ZoneInfo

import click

from arrears.cli.params import DATE
from arrears.cli.web import setup_django

_PROBLEMS = {
    "empty": "the transcript has no lines; write one utterance a line, prefixed 坐席: / 客户: or Agent: / Customer:",
    "too_long": "the transcript is too long to be one call",
    "nul": "the transcript holds a NUL byte; it is not a text file",
    "prefix": "the line does not start with 坐席: / 客户: or Agent: / Customer:",
}


@click.group("qa")
def qa() -> None:
    """Call quality: inspection of call transcripts."""


@qa.command("inspect")
@click.argument("transcript", type=click.File("rb"))
@click.option(
    "--party",
    type=click.Choice(["borrower", "third_party"]),
    default="borrower",
    show_default=True,
    help="Who was called: the borrower, or someone else (the other side is still 客户: / Customer:).",
)
@click.option("--dpd", type=click.IntRange(0, 100_000), default=None, help="Days past due at the call (CALL-4 stage).")
@click.option("--on", "on", type=DATE, default=None, help="Business date whose policy applies (default: today).")
@click.option("--json", "as_json", is_flag=True, help="Print the inspection as one JSON object.")
def inspect_command(transcript, party: str, dpd: int | None, on, as_json: bool) -> None:
    """Inspect one call transcript: script steps, prohibited language, privacy, satisfaction, score."""
    raw = transcript.read(2_000_001)
    if len(raw) > 2_000_000:
        raise click.BadParameter("the file is larger than 2 MB; one call's transcript is far smaller")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise click.BadParameter(f"the file is not UTF-8 text (byte {exc.start}); save it as UTF-8") from None
    setup_django()
    from arrears.quality.inspect import TranscriptError
    from arrears.quality.inspection import inspect_text

    on = on or datetime.now(ZoneInfo("Asia/Shanghai")).date()
    try:
        result = inspect_text(text, party=party, dpd=dpd, on=on)
    except TranscriptError as exc:
        where = f" (line {exc.line})" if exc.line else ""
        raise click.ClickException(f"{_PROBLEMS.get(exc.problem, exc.problem)}{where}") from None
    if as_json:
        click.echo(json.dumps(result.as_dict(), ensure_ascii=False))
        return
    click.echo(f"score {result.score}/100 · satisfaction {result.satisfaction.level}")
    for step in result.steps:
        mark = ("✓" if step.in_order else "↕") if step.present else "✗"
        click.echo(f"  {mark} {step.step:<20} {step.evidence or ''}")
    for finding in result.findings:
        where = f"line {finding.line}: " if finding.line else ""
        click.echo(f"  ! {finding.rule:<20} {where}{finding.evidence or ', '.join(finding.detail)}")
