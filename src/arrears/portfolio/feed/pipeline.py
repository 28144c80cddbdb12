"""Validating a feed in a thread beside its load: each file is loaded while the next one is checked.

How this works
--------------
`Validation(paths, …)` runs `stream.validate_chunked` in a thread of its own. Iterating it, in the caller's
thread, gives what the checks report, in order: a `File` message as each file is done (parents first, so its
valid rows may be loaded at once), a `Step` after each, and last `Done` with every outcome and the moment the
checks ended, so the caller can time validation apart from its own work.

The thread never touches the database. The look-ups validation needs — stored borrowers and loans that the
feed refers to but does not carry — are sent to the caller's thread, which runs them on its own connection
between loads (`stored`). They ask only for keys the feed does not carry, which the load does not write, so
they find what they would have found before the load began, inside the import's transaction or not.

Polars releases the GIL while it works, and the database works in a process of its own: on two cores the
checks of one file and the load of the file before run at the same time.

Leaving the `with` block early (the load failed) tells the thread to stop at its next file or look-up and
waits for it, so the spill files are never removed under it; a failure of the checks themselves is raised in
the caller's thread.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import polars as pl

from arrears.portfolio.feed import stream

Stored = Callable[[str, pl.Series], pl.DataFrame]


class Stopped(Exception):
    """The caller stopped reading: the checks end where they are."""


@dataclass(frozen=True)
class File:
    name: str
    outcome: stream.Outcome


@dataclass(frozen=True)
class Step:
    done: int  # files checked so far


@dataclass(frozen=True)
class Done:
    outcomes: dict[str, stream.Outcome]
    at: float  # time.perf_counter() when the checks ended


@dataclass(frozen=True)
class _Lookup:
    file: str
    keys: pl.Series
    reply: queue.Queue


@dataclass(frozen=True)
class _Failed:
    error: BaseException


class Validation:
    """`stream.validate_chunked` in a thread; iterate inside `with` to receive its messages."""

    def __init__(
        self,
        paths: dict[str, Path],
        business_date: date,
        spill: Path,
        *,
        stored: Stored,
        chunk_rows: int = stream.CHUNK_ROWS,
        bucket_bytes: int = stream.BUCKET_BYTES,
    ) -> None:
        self.paths = paths
        self._stored = stored
        self._inbox: queue.Queue = queue.Queue()
        self._stop = threading.Event()
        self._ended = False  # the thread's last message was received
        arguments = (paths, business_date, self._ask, spill)
        options = {"chunk_rows": chunk_rows, "bucket_bytes": bucket_bytes, "on_file": self._file, "step": self._step}
        self._thread = threading.Thread(
            target=self._run, args=(arguments, options), name="feed-validation", daemon=True
        )

    def __enter__(self) -> Validation:
        self._thread.start()
        return self

    def __exit__(self, *_exc) -> None:
        self._stop.set()
        # The thread ends by sending one last message (Done, or its failure). Until it has, answer what it still
        # asks; no timed wait (the suite's fake clock would make one wait for the next message anyway).
        while not self._ended:
            message = self._inbox.get()
            if isinstance(message, _Lookup):
                message.reply.put(_Failed(Stopped()))
            elif isinstance(message, Done | _Failed):
                self._ended = True
        self._thread.join()

    def __iter__(self) -> Iterator[File | Step | Done]:
        while not self._ended:
            message = self._inbox.get()
            if isinstance(message, _Lookup):
                try:
                    answer = self._stored(message.file, message.keys)
                except Exception as exc:  # the thread raises it, and reports it as its failure
                    answer = _Failed(exc)
                message.reply.put(answer)
                continue
            if isinstance(message, Done | _Failed):
                self._ended = True
            if isinstance(message, _Failed):
                raise message.error
            yield message

    # In the thread.
    def _run(self, arguments: tuple, options: dict) -> None:
        try:
            outcomes = stream.validate_chunked(*arguments, **options)
        except BaseException as exc:  # handed to the caller's thread, which raises it
            self._inbox.put(_Failed(exc))
        else:
            self._inbox.put(Done(outcomes, time.perf_counter()))

    def _ask(self, file: str, keys: pl.Series) -> pl.DataFrame:
        self._check()
        reply: queue.Queue = queue.Queue(maxsize=1)
        self._inbox.put(_Lookup(file, keys, reply))
        answer = reply.get()
        if isinstance(answer, _Failed):
            raise answer.error
        return answer

    def _file(self, name: str, outcome: stream.Outcome) -> None:
        self._check()
        self._inbox.put(File(name, outcome))

    def _step(self, done: int) -> None:
        self._inbox.put(Step(done))

    def _check(self) -> None:
        if self._stop.is_set():
            raise Stopped
