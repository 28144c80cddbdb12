"""Backup and restore of one installation: its database and the files it keeps outside the database.

What the product keeps, and where:
- the database: every business record, and every document it produced or received — letter and agreement
  PDFs, signed scans — as bytes with their SHA-256 (`BinaryField`s);
- ARREARS_VAR: the feeds' rejection reports (`feeds/`), mail and SMS written as files when no server or gateway
  is configured (`mail/`, `sms/`), and any folder a later version keeps there: the backup takes the whole
  directory except what is regenerated (the collected static files), the SQLite database itself (copied through
  SQLite's backup API instead), and the secrets (below);
- ARREARS_LEDGER_ANCHOR_DIR: the audit ledger's anchors (`anchors.jsonl`), signed heads of its hash chain.

Left out on purpose: the secrets — SECRET_KEY (ARREARS_VAR/secret_key on a single box), the anchor key
(ARREARS_LEDGER_ANCHOR_KEY, else ARREARS_VAR/ledger_anchor_key) and the demo's first passwords
(demo-logins.txt). The anchors are worth something only because whoever can change the database cannot sign
one: a backup carrying the key would let whoever holds a copy of the backup rewrite the chain and sign anchors
that vouch for it. Kept apart (in the service's environment file, or the secrets store the bank uses), the key
makes `arrears audit verify` after a restore prove the restored ledger is the one that was anchored.

A backup is a directory: `manifest.json` (when, which database kind, the migrations applied, every file with its
size and SHA-256), `database.sqlite3` or `database.pgdump` (`pg_dump --format=custom`), and `files/var/…`,
`files/anchors/…`. It is written under a temporary name beside its destination and renamed when complete, so a
directory with a manifest is a whole backup.

A restore checks the manifest and every file's checksum first, then that the database is empty (no table) and
ARREARS_VAR holds none of the files a backup carries; it refuses, changing nothing, when any of that fails. The
files are copied into a staging folder inside ARREARS_VAR, the database is restored in one step (pg_restore in a
single transaction; SQLite: a copy renamed over the target), and only then are the files moved into place.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.db import DatabaseError, connections

FORMAT = 1
MANIFEST = "manifest.json"
STAGING = ".restore-staging"
SECRET_FILES = ("secret_key", "ledger_anchor_key", "demo-logins.txt")
SQLITE_SUFFIXES = ("", "-wal", "-shm", "-journal")
CHUNK = 1 << 20


class BackupError(RuntimeError):
    """Nothing was written or changed: what was wrong and what to do."""


@dataclass
class Manifest:
    created_at: str
    database: str  # "sqlite" or "postgresql"
    migrations: list[str]  # "app.name" of each migration applied in the backed-up database
    files: list[dict] = field(default_factory=list)  # {"path", "size", "sha256"}, paths relative to the backup

    def as_json(self) -> dict:
        return {
            "format": FORMAT,
            "product": "arrears",
            "created_at": self.created_at,
            "database": self.database,
            "migrations": self.migrations,
            "files": self.files,
        }


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while block := fh.read(CHUNK):
            digest.update(block)
    return digest.hexdigest()


def database_kind(alias: str = "default") -> str:
    engine = settings.DATABASES[alias]["ENGINE"]
    if "sqlite" in engine:
        return "sqlite"
    if "postgresql" in engine:
        return "postgresql"
    raise BackupError(f"unsupported database engine {engine}: arrears backs up SQLite and PostgreSQL")


def _sqlite_path(alias: str = "default") -> Path | None:
    name = str(settings.DATABASES[alias]["NAME"])
    if name == ":memory:" or name.startswith("file:"):
        return None
    return Path(name).resolve()


def _var_dir() -> Path:
    return Path(settings.VAR_DIR).resolve()


def _anchor_dir() -> Path:
    return Path(settings.ARREARS_LEDGER_ANCHOR_DIR).resolve()


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def _left_out(alias: str = "default", *, also: tuple[Path, ...] = ()) -> set[Path]:
    """Paths under ARREARS_VAR that a backup does not carry (see the module's docstring)."""
    var = _var_dir()
    skip = {var / name for name in SECRET_FILES}
    skip |= {Path(settings.ARREARS_LEDGER_ANCHOR_KEY_FILE).resolve(), Path(settings.STATIC_ROOT).resolve()}
    skip |= {_anchor_dir(), var / STAGING, *also}
    db = _sqlite_path(alias) if database_kind(alias) == "sqlite" else None
    if db is not None:
        skip |= {Path(f"{db}{suffix}") for suffix in SQLITE_SUFFIXES}
    return skip


def var_files(alias: str = "default", *, also: tuple[Path, ...] = ()) -> list[Path]:
    """The files of ARREARS_VAR a backup carries, relative to it, in a stable order."""
    var, skip = _var_dir(), _left_out(alias, also=also)
    found: list[Path] = []
    if not var.is_dir():
        return found
    for root, dirs, files in os.walk(var):
        here = Path(root)
        dirs[:] = sorted(d for d in dirs if here / d not in skip and not d.startswith(".backup-partial"))
        found += [(here / f).relative_to(var) for f in sorted(files) if here / f not in skip]
    return found


def applied_migrations(alias: str = "default") -> list[str]:
    from django.db.migrations.recorder import MigrationRecorder

    recorder = MigrationRecorder(connections[alias])
    if not recorder.has_table():
        return []
    return sorted(f"{app}.{name}" for app, name in recorder.applied_migrations())


def _pg_args(alias: str = "default") -> tuple[list[str], dict]:
    db = settings.DATABASES[alias]
    args = ["--dbname", db["NAME"]]
    if db.get("HOST"):
        args += ["--host", str(db["HOST"])]
    if db.get("PORT"):
        args += ["--port", str(db["PORT"])]
    if db.get("USER"):
        args += ["--username", str(db["USER"])]
    env = dict(os.environ)
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    return args, env


def _run(command: list[str], env: dict) -> None:
    tool = shutil.which(command[0])
    if tool is None:
        raise BackupError(f"{command[0]} is not installed; install PostgreSQL's client tools (postgresql-client)")
    done = subprocess.run([tool, *command[1:]], env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        detail = (done.stderr or done.stdout).strip().splitlines()
        raise BackupError(f"{command[0]} failed: {detail[-1] if detail else f'exit status {done.returncode}'}")


def _copy_file(source: Path, target: Path) -> dict:
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(source, target)
    return {"size": target.stat().st_size, "sha256": sha256_of(target)}


def make_backup(destination: Path, *, alias: str = "default", now: datetime | None = None) -> Manifest:
    """Write a backup to `destination` (absent or an empty directory). Consistent while the servers run: SQLite's
    online backup API, or pg_dump's snapshot; the files are copied after the database, so a document the
    database names was written before it."""
    destination = destination.resolve()
    if destination.exists() and (not destination.is_dir() or any(destination.iterdir())):
        raise BackupError(f"{destination} exists and is not an empty directory; name a new one")
    if not destination.parent.is_dir():
        raise BackupError(f"{destination.parent} does not exist; make it first")
    partial = destination.parent / f".backup-partial-{destination.name}"
    if partial.exists():
        shutil.rmtree(partial)  # what an interrupted backup to the same place left
    partial.mkdir()
    try:
        kind = database_kind(alias)
        try:
            migrations = applied_migrations(alias)
        except DatabaseError as exc:
            raise BackupError(f"cannot read the database: {str(exc).strip() or type(exc).__name__}") from exc
        manifest = Manifest(
            created_at=(now or datetime.now(UTC)).isoformat(timespec="seconds"),
            database=kind,
            migrations=migrations,
        )
        database_file = partial / ("database.sqlite3" if kind == "sqlite" else "database.pgdump")
        if kind == "sqlite":
            connection = connections[alias]
            connection.ensure_connection()
            with sqlite3.connect(database_file) as target:
                connection.connection.backup(target)
            target.close()
        else:
            args, env = _pg_args(alias)
            _run(
                ["pg_dump", "--format=custom", "--no-owner", "--no-privileges", "--file", str(database_file), *args],
                env,
            )
        manifest.files.append({"path": database_file.name, **_file_facts(database_file)})
        var = _var_dir()
        for relative in var_files(alias, also=(destination, partial)):
            where = Path("files/var") / relative
            manifest.files.append({"path": where.as_posix(), **_copy_file(var / relative, partial / where)})
        anchors = _anchor_dir() / "anchors.jsonl"
        if anchors.is_file():
            where = Path("files/anchors/anchors.jsonl")
            manifest.files.append({"path": where.as_posix(), **_copy_file(anchors, partial / where)})
        text = json.dumps(manifest.as_json(), ensure_ascii=False, indent=1)
        (partial / MANIFEST).write_text(text + "\n", encoding="utf-8")
        if destination.exists():
            destination.rmdir()
        partial.rename(destination)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    return manifest


def _file_facts(path: Path) -> dict:
    return {"size": path.stat().st_size, "sha256": sha256_of(path)}


def read_manifest(source: Path) -> Manifest:
    """The backup's manifest, every file it lists checked (size and SHA-256). Raises BackupError otherwise."""
    path = source / MANIFEST
    if not source.is_dir():
        raise BackupError(f"{source} is not a directory; name the folder `arrears backup --to` wrote")
    if not path.is_file():
        raise BackupError(f"{source} has no {MANIFEST}: not a backup, or one that did not finish; nothing restored")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("format") != FORMAT or data.get("product") != "arrears":
            raise ValueError("not an arrears backup of format 1")
        manifest = Manifest(
            created_at=str(data["created_at"]),
            database=data["database"],
            migrations=[str(m) for m in data["migrations"]],
            files=[{"path": str(f["path"]), "size": int(f["size"]), "sha256": str(f["sha256"])} for f in data["files"]],
        )
        if manifest.database not in ("sqlite", "postgresql"):
            raise ValueError(f"unknown database kind {manifest.database!r}")
    except (ValueError, KeyError, TypeError) as exc:
        raise BackupError(f"{path} is damaged ({exc}); nothing restored") from exc
    root = source.resolve()
    for entry in manifest.files:
        file = (root / entry["path"]).resolve()
        if not _inside(file, root) or file == root:
            raise BackupError(f"{path} names a file outside the backup ({entry['path']}); nothing restored")
        if not file.is_file():
            raise BackupError(f"{entry['path']} is missing from the backup; nothing restored")
        if file.stat().st_size != entry["size"] or sha256_of(file) != entry["sha256"]:
            raise BackupError(
                f"{entry['path']} does not match its checksum in {MANIFEST}: the backup was changed or damaged; "
                "nothing restored"
            )
    if not any(f["path"] in ("database.sqlite3", "database.pgdump") for f in manifest.files):
        raise BackupError(f"{path} lists no database file; nothing restored")
    return manifest


def _database_tables(alias: str = "default") -> list[str]:
    try:
        return _tables(alias)
    except DatabaseError as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise BackupError(
            f"cannot reach the database ({first}); create it empty first (createdb) and check DATABASE_URL; "
            "nothing restored"
        ) from exc


def _tables(alias: str) -> list[str]:
    kind = database_kind(alias)
    if kind == "sqlite":
        path = _sqlite_path(alias)
        if path is None or not path.exists():
            return []
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
            rows = conn.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'view')").fetchall()
        conn.close()
        return sorted(name for (name,) in rows if not name.startswith("sqlite_"))
    with connections[alias].cursor() as cursor:
        cursor.execute(
            "SELECT table_schema || '.' || table_name FROM information_schema.tables "
            "WHERE table_schema NOT IN ('pg_catalog', 'information_schema')"
        )
        return sorted(name for (name,) in cursor.fetchall())


@dataclass(frozen=True)
class Restored:
    manifest: Manifest
    files: int
    anchors: str  # "restored", "kept" (the target's own anchors file was left as it is) or "none"
    pending_migrations: int


def restore_backup(source: Path, *, alias: str = "default") -> Restored:
    """Restore the backup in `source` into this installation's empty database and ARREARS_VAR."""
    from django.db.migrations.loader import MigrationLoader

    source = source.resolve()
    manifest = read_manifest(source)
    kind = database_kind(alias)
    if manifest.database != kind:
        raise BackupError(
            f"the backup holds a {manifest.database} database and DATABASE_URL names a {kind} one; "
            f"restore into {manifest.database}"
        )
    known = {tuple(key) for key in MigrationLoader(None, ignore_no_migrations=True).disk_migrations}
    unknown = [m for m in manifest.migrations if tuple(m.split(".", 1)) not in known]
    if unknown:
        raise BackupError(
            f"the backup was made by a newer arrears (migrations {', '.join(unknown[:3])} are unknown here); "
            "install that version first; nothing restored"
        )
    tables = _database_tables(alias)
    if tables:
        shown = ", ".join(tables[:3]) + (" …" if len(tables) > 3 else "")
        raise BackupError(
            f"the database is not empty ({len(tables)} tables: {shown}); restore only into an empty database "
            "(a new PostgreSQL database, or a SQLite file that does not exist yet); nothing restored"
        )
    var = _var_dir()
    present = var_files(alias)
    if present:
        shown = ", ".join(p.as_posix() for p in present[:3]) + (" …" if len(present) > 3 else "")
        raise BackupError(
            f"{var} already holds files a backup restores ({shown}); restore into an empty ARREARS_VAR; "
            "nothing restored"
        )
    staging = var / STAGING
    if staging.exists():
        shutil.rmtree(staging)  # what an interrupted restore left; nothing of it was in place
    staging.mkdir(parents=True)
    try:
        var_entries = [f for f in manifest.files if f["path"].startswith("files/var/")]
        for entry in var_entries:
            target = staging / "var" / entry["path"].removeprefix("files/var/")
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source / entry["path"], target)
        _restore_database(source, manifest, alias)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    # The database is in place: now the files (renames within one file system).
    staged = staging / "var"
    if staged.is_dir():
        for item in sorted(staged.iterdir()):
            target = var / item.name
            if target.is_dir():
                for inner in item.rglob("*"):
                    if inner.is_file():
                        (target / inner.relative_to(item)).parent.mkdir(parents=True, exist_ok=True)
                        os.replace(inner, target / inner.relative_to(item))
            else:
                os.replace(item, target)
    shutil.rmtree(staging, ignore_errors=True)
    anchors = "none"
    if any(f["path"] == "files/anchors/anchors.jsonl" for f in manifest.files):
        target = _anchor_dir() / "anchors.jsonl"
        if target.exists():
            anchors = "kept"
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source / "files/anchors/anchors.jsonl", target)
            anchors = "restored"
    restored_names = {tuple(m.split(".", 1)) for m in manifest.migrations}
    return Restored(manifest, len(var_entries), anchors, len(known - restored_names))


def _restore_database(source: Path, manifest: Manifest, alias: str) -> None:
    if manifest.database == "sqlite":
        target = _sqlite_path(alias)
        if target is None:
            raise BackupError("the SQLite database is in memory; name a file in DATABASE_URL")
        connections[alias].close()
        target.parent.mkdir(parents=True, exist_ok=True)
        copy = target.parent / f".{target.name}.restoring"
        try:
            shutil.copyfile(source / "database.sqlite3", copy)
            check = sqlite3.connect(copy)
            try:
                intact = check.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            finally:
                check.close()
        except (OSError, sqlite3.DatabaseError) as exc:
            copy.unlink(missing_ok=True)
            raise BackupError(
                f"cannot copy the backup's SQLite database beside {target}: {exc}; nothing restored"
            ) from exc
        if not intact:
            copy.unlink()
            raise BackupError("the backup's SQLite database fails its integrity check; nothing restored")
        for suffix in SQLITE_SUFFIXES[1:]:  # an empty target's journal must not be replayed into the restored file
            Path(f"{target}{suffix}").unlink(missing_ok=True)
        os.replace(copy, target)
        return
    connections[alias].close()
    args, env = _pg_args(alias)
    _run(
        [
            "pg_restore",
            "--single-transaction",
            "--exit-on-error",
            "--no-owner",
            "--no-privileges",
            *args,
            str(source / "database.pgdump"),
        ],
        env,
    )
