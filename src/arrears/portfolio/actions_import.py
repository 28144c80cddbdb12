"""`do_import_feed`: the core-banking feed import, one audited action (`portfolio.import_feed`).

How this works
--------------
1. Permission first (`portfolio.import_feed`): a refusal reads nothing and writes nothing.
2. The feed's identity is (business date, SHA-256 of its files). A feed already loaded (`FeedLoad` done)
   changes nothing, records nothing and says so. A business date older than the newest loaded one is
   refused unless it is a replay.
3. One transaction, holding the import lock. The feed is read and validated (`arrears.portfolio.feed.stream`)
   in bounded chunks, in a thread beside it (`feed.pipeline`): polars, no row loops; each file's valid rows
   wait in spill Parquet files in a temporary directory, and are upserted (`feed.load.Loader`) as soon as
   the file is checked, while the next file is (the "read" phase is part of validation: each file is read
   as it is checked). Then re-post the payments of the loans whose schedule, payments or contract changed
   (`arrears.portfolio.posting.allocate_payments`), write the rejection report, mark the `FeedLoad` done and
   append the audit event. Any failure rolls all of it back; the failure itself is then recorded as a
   `FeedLoad` with status `failed` (no portfolio row, no audit event), so an operator sees what happened to
   last night's feed.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import polars as pl
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from arrears.accounts.permissions import Perm
from arrears.compliance.actions import ActionDenied, audited, require
from arrears.compliance.codes import ActionCode
from arrears.portfolio.feed import load, pipeline, read, report, stream, validate
from arrears.portfolio.models import FeedLoad

PHASES = ("read", "validate", "load", "post")
SAMPLE = 10
# progress(phase, done, total): called as each phase advances (files read, files validated, tables loaded).
Progress = Callable[[str, int, int], None]


class FeedRefused(Exception):
    """The feed may not be imported as asked (an older business date without --replay)."""


@dataclass
class FileResult:
    file: str
    read: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0


@dataclass
class ImportResult:
    business_date: date
    digest: str
    status: str  # "done" | "already_loaded"
    replay: bool = False
    files: dict[str, FileResult] = field(default_factory=dict)
    rejected: int = 0  # rows not loaded, all files
    faults: int = 0  # lines of the rejection report
    report_path: str = ""
    posted_loans: int = 0
    allocations: int = 0
    seconds: dict[str, float] = field(default_factory=dict)
    feed_load_id: int | None = None
    sample: list[dict[str, Any]] = field(default_factory=list)  # the first faults of the report, masked

    @property
    def already_loaded(self) -> bool:
        return self.status == "already_loaded"

    def as_json(self) -> dict[str, Any]:
        out = asdict(self)
        out["business_date"] = self.business_date.isoformat()
        return out


def _newest_done() -> date | None:
    return (
        FeedLoad.objects.filter(status="done")
        .order_by("-business_date")
        .values_list("business_date", flat=True)
        .first()
    )


def _already(business_date: date, digest: str) -> ImportResult | None:
    done = FeedLoad.objects.filter(business_date=business_date, digest=digest, status="done").first()
    if done is None:
        return None
    return ImportResult(
        business_date,
        digest,
        "already_loaded",
        replay=done.replay,
        rejected=done.rejected,
        report_path=str(done.report_file or ""),
        feed_load_id=done.pk,
    )


def _check_order(business_date: date, replay: bool) -> None:
    newest = _newest_done()
    if newest is not None and business_date < newest and not replay:
        raise FeedRefused(
            f"the feed of {business_date} is older than the newest loaded feed ({newest}); "
            "use --replay to load an older (corrected) feed"
        )


def do_import_feed(
    directory: str | Path,
    business_date: date,
    *,
    actor,
    replay: bool = False,
    progress: Progress | None = None,
    chunk_rows: int = stream.CHUNK_ROWS,
    bucket_bytes: int = stream.BUCKET_BYTES,
) -> ImportResult:
    """Import the feed in `directory` for `business_date` (see `docs/feed-format.md`). `chunk_rows` and
    `bucket_bytes` bound the memory of reading and validating (`feed.stream`); they change no result."""
    require(actor, Perm.IMPORT_FEED)  # before the feed is even read; audited() checks again when it writes
    clock = _Clock(progress)
    paths, strays = read.discover(Path(directory))
    digest = read.feed_digest(paths)
    already = _already(business_date, digest)
    if already is not None:
        return already
    _check_order(business_date, replay)

    for i in range(1, len(paths) + 1):  # each file is read as it is validated, a chunk at a time
        clock.step("read", i, len(paths))
    clock.end("read", len(paths))
    result = ImportResult(business_date, digest, "done", replay=replay)
    started = timezone.now()
    with tempfile.TemporaryDirectory(prefix="arrears-feed-") as spill:
        checks = pipeline.Validation(
            paths, business_date, Path(spill), stored=load.stored_keys, chunk_rows=chunk_rows, bucket_bytes=bucket_bytes
        )
        try:
            _load(result, checks, strays, actor, clock)
        except (ActionDenied, FeedRefused):
            raise
        except Exception as exc:
            if result.report_path:  # written just before a commit that failed: it describes nothing loaded
                Path(result.report_path).unlink(missing_ok=True)
                result.report_path = ""
            _record_failure(result, actor, started, exc)
            raise
    result.seconds = clock.finish()
    return result


def _load(result: ImportResult, checks: pipeline.Validation, strays, actor, clock: _Clock) -> None:
    from arrears.portfolio.posting import allocate_payments

    business_date, digest = result.business_date, result.digest
    path = report.report_path(Path(settings.VAR_DIR), business_date, digest)
    reason = f"core-banking feed of {business_date}" + (" (replay)" if result.replay else "")
    with transaction.atomic():
        with connection.cursor() as cursor:
            load.lock_imports(cursor)
        # Re-checked under the lock: another import may have finished meanwhile.
        if _already(business_date, digest) is not None:
            raise FeedRefused(f"the feed of {business_date} ({digest[:12]}) was loaded meanwhile by another import")
        _check_order(business_date, result.replay)
        with audited(
            actor,
            ActionCode.IMPORT_FEED,
            permission=Perm.IMPORT_FEED,
            subject=("feed", f"{business_date}/{digest[:12]}"),
            reason=reason,
        ) as record:
            feed_load = FeedLoad.objects.create(
                business_date=business_date,
                digest=digest,
                replay=result.replay,
                started_at=timezone.now(),
                imported_by=actor,
                report_path=str(report.stored_path(business_date, digest)),
            )
            loaded, faults = _load_beside(result, checks, strays, actor, clock)
            for name, counts in loaded.counts.items():
                result.files[name].inserted = counts.inserted
                result.files[name].updated = counts.updated
                result.files[name].unchanged = counts.unchanged
            result.posted_loans = len(loaded.touched_loans)
            result.allocations = allocate_payments(
                loaded.touched_loans,
                business_date=business_date,
                first_load=bool(loaded.loosened or loaded.pending),
                pending=loaded.pending,
            )
            clock.end("post", 1)
            report.write_report(faults, path)
            result.report_path = str(path)
            counts = _counts(result)
            FeedLoad.objects.filter(pk=feed_load.pk).update(
                status="done", finished_at=timezone.now(), counts=counts, rejected=result.rejected
            )
            record.change("rows", None, counts)
            result.feed_load_id = feed_load.pk


def _load_beside(
    result: ImportResult, checks: pipeline.Validation, strays, actor, clock: _Clock
) -> tuple[load.LoadResult, pl.DataFrame]:
    """Load each file as soon as its checks are done, while the next is checked (`feed.pipeline`). The phases
    are timed as if one followed the other: validation up to the moment its last file was done, the load from
    there to its end (the loads made meanwhile are in the validation's time). Returns what was loaded and the
    rejection report's lines."""
    loader = load.Loader(result.business_date, actor_id=actor.pk)
    files, loaded, validated, faults = len(checks.paths), 0, False, pl.DataFrame()
    with checks:
        for message in checks:
            if isinstance(message, pipeline.Step):
                clock.step("validate", message.done, files)
            elif isinstance(message, pipeline.File):
                outcome = message.outcome
                result.files[message.name] = FileResult(outcome.file, read=outcome.rows, rejected=outcome.rejected)
                if not outcome.whole_file_rejected:
                    loader.load(message.name, outcome.valid())
                loaded += 1
                if validated:
                    clock.step("load", loaded, files)
            else:
                clock.end("validate", len(message.outcomes), at=message.at)
                validated = True
                faults = report.masked_faults(validate.all_faults(message.outcomes, strays))
                result.faults = faults.height
                result.sample = faults.head(SAMPLE).to_dicts()
                result.rejected = sum(f.rejected for f in result.files.values())
                clock.step("load", loaded, files)
    clock.end("load", files)
    return loader.result(), faults


def _counts(result: ImportResult) -> dict[str, Any]:
    return {
        "files": {name: asdict(f) for name, f in result.files.items()},
        "rejected": result.rejected,
        "posted_loans": result.posted_loans,
        "allocations": result.allocations,
    }


def _record_failure(result: ImportResult, actor, started, exc: Exception) -> None:
    counts = _counts(result) | {"error": f"{type(exc).__name__}: {exc}"[:1000]}
    with transaction.atomic():  # after the rollback: the failure is recorded, nothing else
        FeedLoad.objects.create(
            business_date=result.business_date,
            digest=result.digest,
            replay=result.replay,
            started_at=started,
            finished_at=timezone.now(),
            status="failed",
            counts=counts,
            rejected=result.rejected,
            imported_by=actor,
        )


class _Clock:
    """Times the phases and forwards progress to the caller; a phase is over when done == total."""

    def __init__(self, progress: Progress | None) -> None:
        self.progress = progress
        self.seconds: dict[str, float] = {}
        self._last: dict[str, tuple[int, int]] = {}
        self._start = self._mark = time.perf_counter()

    def step(self, phase: str, done: int, total: int) -> None:
        self._last[phase] = (done, total)
        if self.progress is not None:
            self.progress(phase, done, total)

    def end(self, phase: str, total: int, *, at: float | None = None) -> None:
        """The phase is over (at `at`, a `time.perf_counter()` reading, or now)."""
        if self._last.get(phase) != (total, total):
            self.step(phase, total, total)
        now = time.perf_counter() if at is None else at
        self.seconds[phase] = round(now - self._mark, 3)
        self._mark = now

    def finish(self) -> dict[str, float]:
        seconds = {phase: self.seconds[phase] for phase in PHASES if phase in self.seconds}
        seconds["total"] = round(time.perf_counter() - self._start, 3)
        return seconds
