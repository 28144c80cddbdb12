"""Anchors: the ledger head, signed with a key the database does not hold, kept where its administrator cannot
rewrite it (AUTH-4).

The hash chain (`ledger.py`) shows any event edited, deleted or reordered — unless whoever changed it also
recomputed every later hash and rewrote the ledger head, which anyone able to drop the database's triggers can
do. An anchor pins the chain from outside: each nightly run (`run-daily`) and `arrears audit anchor` append
one line to `anchors.jsonl` in ARREARS_LEDGER_ANCHOR_DIR:

    {"at": "2026-12-05T21:50:08.123456+00:00", "head_hash": "<64 hex>", "head_id": 1234, "key": "<key id>",
     "sig": "<64 hex>", "v": 1}

`sig` is the HMAC-SHA256, under the anchor key, of `json.dumps({"at", "head_hash", "head_id", "v"},
sort_keys=True, separators=(",", ":"))` in UTF-8; `key` is the first 16 hex digits of the key's SHA-256 (which
key signed, not a secret). The key is ARREARS_LEDGER_ANCHOR_KEY, else a random key generated at the first
anchor in ARREARS_VAR/ledger_anchor_key; it is never in the database. The file is only ever appended to (one
`write` with O_APPEND per line, then fsync); the directory belongs on storage the database administrator cannot
rewrite (a WORM mount, a separate host, an object store with retention).

`arrears audit verify` checks every line's signature, that the chain still holds an event with each anchored id
and hash, and that the chain does not end before the newest anchor. An anchor is published only after the
events appended since the previous anchor verify (and that anchor's event is still there with its hash), so an
anchor never vouches for a chain that was already broken.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
import re
import secrets
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.utils import timezone, translation

from arrears.compliance.ledger import Anchor, VerifyResult, instant_text, verify_chain

FILE_NAME = "anchors.jsonl"
VERSION = 1
_HEX64 = re.compile(r"[0-9a-f]{64}")
log = logging.getLogger("arrears.security")


class AnchorRefused(RuntimeError):
    """No anchor was published: what was wrong and what to do."""


def anchor_path() -> Path:
    return Path(settings.ARREARS_LEDGER_ANCHOR_DIR) / FILE_NAME


def anchor_key(*, create: bool = False) -> bytes | None:
    """The signing key: the setting, else the key file (made with a random key when `create`), else None."""
    if settings.ARREARS_LEDGER_ANCHOR_KEY:
        return settings.ARREARS_LEDGER_ANCHOR_KEY.encode()
    path = Path(settings.ARREARS_LEDGER_ANCHOR_KEY_FILE)
    if not path.exists():
        if not create:
            return None
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # made meanwhile by another process: use theirs
            pass
        else:
            with os.fdopen(fd, "w") as fh:
                fh.write(secrets.token_hex(32))
    return path.read_text().strip().encode()


def key_id(key: bytes) -> str:
    return hashlib.sha256(key).hexdigest()[:16]


def signature(key: bytes, head_id: int, head_hash: str, at: str) -> str:
    payload = {"at": at, "head_hash": head_hash, "head_id": head_id, "v": VERSION}
    message = json.dumps(payload, sort_keys=True, separators=(",", ":")).encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class AnchorFile:
    """The anchors read from the file, or the first thing wrong with it (`problem`, a key of ledger.PROBLEMS)."""

    anchors: list[Anchor]
    problem: str = ""
    facts: dict | None = None

    def failed(self) -> VerifyResult:
        return VerifyResult(False, 0, None, self.problem, self.facts or {}, len(self.anchors))


def read_anchors(path: Path, key: bytes | None) -> AnchorFile:
    """Every anchor of `path`, each signature checked with `key`; stops at the first bad line."""
    if not path.exists():
        return AnchorFile([])
    anchors: list[Anchor] = []
    with path.open(encoding="utf-8", errors="replace") as fh:
        for number, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                data = json.loads(line)
                head_id, head_hash, at, sig = data["head_id"], data["head_hash"], data["at"], data["sig"]
                well_formed = (
                    data.get("v") == VERSION
                    and type(head_id) is int
                    and head_id >= 0
                    and isinstance(head_hash, str)
                    and _HEX64.fullmatch(head_hash)
                    and isinstance(at, str)
                    and isinstance(sig, str)
                )
            except (ValueError, TypeError, KeyError):
                well_formed = False
            if not well_formed:
                return AnchorFile(anchors, "anchor_malformed", {"file": path.name, "line": number})
            anchor = Anchor(head_id, head_hash, at, path.name, number)
            anchors.append(anchor)
            if key is not None and not hmac.compare_digest(signature(key, head_id, head_hash, at), sig):
                return AnchorFile(anchors, "anchor_forged", {"anchor": anchor})
    if anchors and key is None:
        return AnchorFile(anchors, "anchor_no_key", {"file": path.name, "count": len(anchors)})
    return AnchorFile(anchors)


ANCHOR_PROBLEMS = {"anchor_hash", "anchor_missing", "anchor_beyond"}


def replaced_hint(result: VerifyResult) -> str:
    """For the operator, when the chain disagrees with the anchors: the one innocent cause."""
    if result.problem not in ANCHOR_PROBLEMS:
        return ""
    return (
        f". If this database was replaced on purpose (a fresh demo, a restore from an older backup), "
        f"move {anchor_path()} aside: its anchors belong to the ledger that was replaced"
    )


def verify_ledger(batch_size: int = 2000, progress=None) -> VerifyResult:
    """What `arrears audit verify` and the verification page run: the anchors' signatures, then the whole chain
    against them (anchors are read before the chain's head, so each names a committed head)."""
    read = read_anchors(anchor_path(), anchor_key())
    if read.problem:
        return read.failed()
    return verify_chain(batch_size=batch_size, progress=progress, anchors=read.anchors)


@dataclass(frozen=True)
class Published:
    head_id: int
    head_hash: str
    at: str
    path: Path
    new: bool  # False: the newest anchor already named this head; nothing was written

    def as_json(self) -> dict:
        return {
            "head_id": self.head_id,
            "head_hash": self.head_hash,
            "at": self.at,
            "file": str(self.path),
            "published": self.new,
        }


def publish_anchor(*, at: datetime | None = None) -> Published:
    """Append the current ledger head, signed, to the anchor file — after checking the anchors and the events
    appended since the newest one. Raises `AnchorRefused` (nothing written) when anything is wrong."""
    path = anchor_path()
    try:
        key = anchor_key(create=True)
    except OSError as exc:
        raise AnchorRefused(f"cannot read or make the anchor key: {exc}") from exc
    read = read_anchors(path, key)
    if read.problem:
        with translation.override("en"):  # for the operator and the log, like the run's other refusals
            reason = read.failed().reason
        raise AnchorRefused(f"{reason}; nothing anchored — run `arrears audit verify`")
    newest = max(read.anchors, key=lambda a: (a.head_id, a.line), default=None)
    # The seals are checked as links; their change records are not re-read here: a seal's digest was computed
    # from the rows as written, so any later change to them is found by `audit verify` all the same.
    result = verify_chain(anchors=read.anchors, since=newest, changes=False)
    if not result.ok:
        with translation.override("en"):
            reason = result.reason
        where = "" if result.first_broken is None else f" at event #{result.first_broken}"
        log.error("ledger anchor refused: the chain is broken%s: %s", where, reason)
        raise AnchorRefused(
            f"the audit ledger is broken{where}: {reason}; nothing anchored — run `arrears audit verify`"
            + replaced_hint(result)
        )
    head_id, head_hash = result.head
    if newest is not None and (newest.head_id, newest.head_hash) == (head_id, head_hash):
        return Published(head_id, head_hash, newest.at, path, new=False)
    stamp = instant_text(at or timezone.now())
    line = {
        "at": stamp,
        "head_hash": head_hash,
        "head_id": head_id,
        "key": key_id(key),
        "sig": signature(key, head_id, head_hash, stamp),
        "v": VERSION,
    }
    data = (json.dumps(line, sort_keys=True, separators=(",", ":")) + "\n").encode()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            if os.write(fd, data) != len(data):
                raise OSError(f"short write to {path}")
            os.fsync(fd)
        finally:
            os.close(fd)
    except OSError as exc:
        raise AnchorRefused(f"cannot append to {path}: {exc}") from exc
    log.info("ledger anchored at event #%s (%s) in %s", head_id, head_hash, path)
    return Published(head_id, head_hash, stamp, path, new=True)
