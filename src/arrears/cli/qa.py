"""`arrears qa …`: call quality (QA-1) from the command line.

`arrears qa inspect FILE.txt [--party borrower|third_party] [--dpd N] [--on D] [--json]` inspects one transcript
(one utterance a line, prefixed `坐席:` / `客户:` or `Agent:` / `Customer:`; `-` reads standard input) with the
prohibited-language list and the policy of the database, and prints the steps with their evidence, the findings,
the satisfaction and the score.

`arrears qa import-recordings DIR [--user NAME] [--json]` stores the call recordings in DIR that its manifest
names, as the call platform's upload does (`quality.recordings.do_store_recording`): `DIR/manifest.csv`, UTF-8,
a header line and one row a recording, with the columns

    call              the call record's id in arrears, or
    platform_call_id  the call platform's id of the call, already tied to a call record (`POST /telephony/events`)
    file              the recording's path inside DIR (WAV or MP3, told by its bytes)
    sha256            the SHA-256 of the file, 64 hex digits: checked against the file before it is stored

(either `call` or `platform_call_id`, or both when they agree). Each row is stored whole or not at all, with its
own audit event; a bad row is reported on stderr with its line number and what is wrong, and the other rows go
on. A row whose call already has this very recording (same SHA-256) is counted as already stored, so running an
import again is harmless. The summary is printed last; the exit status is 1 when a row was refused. Runs as the
nightly run's identity (which may store recordings, `quality.telephony`) unless `--user` names another."""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import click

from arrears.cli.feed import actor_named
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
    """Call quality: inspection of call transcripts, the call platform's recordings."""


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


# -- recordings from a directory (QA-1) ---------------------------------------------------------------------

MANIFEST = "manifest.csv"
SHA256_HEX = frozenset("0123456789abcdef")


@dataclass
class Summary:
    imported: int = 0
    already: int = 0
    refused: list[dict] = field(default_factory=list)

    def as_json(self) -> dict:
        return {"imported": self.imported, "already_stored": self.already, "refused": self.refused}


class RowError(ValueError):
    """A manifest row that cannot be imported; the message says what is wrong with it."""


def _field(row: dict, name: str) -> str:
    value = row.get(name) or ""
    if "\x00" in value:
        raise RowError(f"{name} contains a NUL character")
    return value.strip()


def _file(directory: Path, name: str) -> Path:
    if not name:
        raise RowError("file is empty: give the recording's path inside the directory")
    path = (directory / name).resolve()
    if not path.is_relative_to(directory) or Path(name).is_absolute():
        raise RowError(f"file {name!r} is not inside {directory}")
    if not path.is_file():
        raise RowError(f"file {name!r} does not exist in {directory}")
    return path


def _sha256(text: str) -> str:
    value = text.lower()
    if len(value) != 64 or not set(value) <= SHA256_HEX:
        raise RowError("sha256 must be the file's SHA-256 as 64 hex digits")
    return value


def _call(row: dict):
    from arrears.collection.models import Call
    from arrears.home.inputs import parse_id
    from arrears.quality.models_recording import TelephonyCall
    from arrears.quality.telephony import PLATFORM_ID

    raw_id, platform_id = _field(row, "call"), _field(row, "platform_call_id")
    if not raw_id and not platform_id:
        raise RowError("give the call record (call) or the call platform's id (platform_call_id)")
    call = None
    if raw_id:
        call_id = parse_id(raw_id)
        call = Call.objects.filter(pk=call_id).first() if call_id else None
        if call is None:
            raise RowError(f"call {raw_id!r} is no call record (an id is digits 0-9)")
    if platform_id:
        tied = (
            TelephonyCall.objects.filter(platform_call_id=platform_id).values_list("call_id", flat=True).first()
            if PLATFORM_ID.fullmatch(platform_id)
            else None
        )
        if tied is None:
            raise RowError(
                f"platform_call_id {platform_id!r} is not a call the platform reported tied to a call record"
            )
        if call is not None and call.pk != tied:
            raise RowError(f"call {call.pk} and platform_call_id {platform_id!r} (call {tied}) disagree")
        call = call or Call.objects.get(pk=tied)
    return call


def _import_row(directory: Path, row: dict, actor, today) -> bool:
    """Store one row's recording; True when stored, False when this very recording was stored before."""
    from arrears.quality.errors import RecordingExists
    from arrears.quality.models_recording import RecordingSource
    from arrears.quality.recordings import Audio, do_store_recording

    call = _call(row)
    path = _file(directory, _field(row, "file"))
    sha = _sha256(_field(row, "sha256"))
    with path.open("rb") as stream:
        try:
            do_store_recording(
                call, Audio(stream, path.stat().st_size, sha), source=RecordingSource.IMPORT, actor=actor, today=today
            )
        except RecordingExists as exc:
            if exc.recording is not None and exc.recording.sha256 == sha:
                return False
            raise
    return True


@qa.command("import-recordings")
@click.argument("directory", type=click.Path(path_type=Path, file_okay=False, exists=True))
@click.option("--user", "username", default=None, help="Import as this user (default: the nightly run).")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as one JSON object.")
def import_recordings(directory: Path, username: str | None, as_json: bool) -> None:
    """Store the call recordings DIRECTORY/manifest.csv names, each row whole or not at all."""
    setup_django()
    from django.db import DatabaseError

    from arrears.accounts.permissions import Perm
    from arrears.collection.queries import today
    from arrears.compliance.actions import ActionDenied, LedgerBroken, require
    from arrears.quality.errors import QualityError

    actor = actor_named(username)
    try:
        require(actor, Perm.TELEPHONY)
    except ActionDenied as exc:
        raise click.ClickException(f"{exc}; nothing imported") from exc
    directory = directory.resolve()
    rows = _manifest(directory)
    on, summary = today(), Summary()
    for line, row in rows:
        try:
            if _import_row(directory, row, actor, on):
                summary.imported += 1
            else:
                summary.already += 1
        except (RowError, QualityError, OSError) as exc:
            message = str(exc) if not isinstance(exc, OSError) else f"the file could not be read ({exc.strerror})"
            summary.refused.append(
                {"line": line, "file": (row.get("file") or "").replace("\x00", ""), "error": message}
            )
            click.echo(f"line {line} ({summary.refused[-1]['file'] or 'no file'}): {message}; not imported", err=True)
        except (LedgerBroken, DatabaseError) as exc:
            raise click.ClickException(
                f"the import stopped at line {line}: {str(exc).splitlines()[0] if str(exc) else exc!r}; "
                f"{summary.imported} recordings were stored before it, run it again for the rest"
            ) from exc
    if as_json:
        click.echo(json.dumps(summary.as_json(), ensure_ascii=False, sort_keys=True))
    else:
        click.echo(
            f"recordings imported from {directory}: {summary.imported} stored, {summary.already} already stored, "
            f"{len(summary.refused)} refused"
        )
    if summary.refused:
        raise click.exceptions.Exit(1)


def _manifest(directory: Path) -> list[tuple[int, dict]]:
    """(line number, row) of each data row of the manifest, or a refusal of the whole manifest."""
    path = directory / MANIFEST
    if not path.is_file():
        raise click.ClickException(f"{path} does not exist: a directory of recordings comes with its {MANIFEST}")
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise click.ClickException(f"{path} is not UTF-8 text ({exc.reason}); nothing imported") from exc
    reader = csv.DictReader(text.splitlines())
    try:
        columns = {name.strip() for name in reader.fieldnames or []}
        rows = [
            (reader.line_num, {(k or "").strip(): v for k, v in row.items() if isinstance(v, str)}) for row in reader
        ]
    except csv.Error as exc:
        raise click.ClickException(f"{path} is not a CSV file ({exc}); nothing imported") from exc
    if not {"file", "sha256"} <= columns or not columns & {"call", "platform_call_id"}:
        raise click.ClickException(
            f"{path} needs the columns file, sha256 and call or platform_call_id (found: "
            f"{', '.join(sorted(columns)) or 'none'}); nothing imported"
        )
    if not rows:
        raise click.ClickException(f"{path} has no rows; nothing imported")
    return rows


@qa.command("transcribe")
@click.option("--limit", type=click.IntRange(1, 100_000), default=500, show_default=True, help="Recordings to hear.")
@click.option("--json", "as_json", is_flag=True, help="Print the counts as one JSON object.")
def transcribe(limit: int, as_json: bool) -> None:
    """Hear the stored recordings without a transcript (ARREARS_SPEECH) and inspect what was said (QA-1)."""
    setup_django()
    from arrears.compliance.actions import system_actor
    from arrears.quality.transcription import transcribe_pending

    actor = system_actor()
    if actor is None:
        raise click.ClickException("the nightly run's user is missing; run `arrears manage migrate`")
    done = transcribe_pending(actor=actor, today=datetime.now(ZoneInfo("Asia/Shanghai")).date(), limit=limit)
    if as_json:
        click.echo(json.dumps(done.as_dict()))
        return
    click.echo(f"{done.inspected} recordings heard and inspected, {done.flagged} flagged for review")
    for call, reason in done.failed.items():
        click.echo(f"  call {call}: not heard ({reason})")
