"""`arrears backup` and `arrears restore` (issue 16, item 5): a small site with letters, an agreement, a signed scan
and files in ARREARS_VAR is backed up, restored into an empty database (a new SQLite file, or a scratch PostgreSQL
database when the suite runs on PostgreSQL) and an empty ARREARS_VAR by the command an operator runs; then, in
another process against the restored copy, every document the database holds has the same SHA-256 as before,
the files are back, and `arrears audit verify` passes against the anchors with the key kept apart. A restore
refuses — changing nothing — a database or ARREARS_VAR that is not empty, a changed file and a damaged manifest."""

from __future__ import annotations

import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from demo_site import build_site
from scratch import ARREARS, scratch_database

OWN = {"DATABASE_URL", "SECRET_KEY", "DEBUG", "ARREARS_VAR", "ARREARS_LEDGER_ANCHOR_DIR", "ARREARS_LEDGER_ANCHOR_KEY"}
ANCHOR_KEY = "b1d0c2a7e5f4" * 6  # the anchor key, kept outside the backup as the deployment guide says
SECRET = "r" * 10 + "Zq8w" * 10

# Every document the database holds: its bytes' SHA-256 by "app.model.field#pk" (run here and in the restored copy).
DIGESTS = """
import hashlib
from django.apps import apps
from django.db import models
found = {}
for model in apps.get_models():
    for f in model._meta.concrete_fields:
        if isinstance(f, models.BinaryField):
            for pk, data in model.objects.exclude(**{f.name: b""}).values_list("pk", f.name):
                found[f"{model._meta.label_lower}.{f.name}#{pk}"] = hashlib.sha256(bytes(data)).hexdigest()
"""
DOCUMENTS = "import json, django\ndjango.setup()\n" + DIGESTS + "print(json.dumps(found))\n"


def digests_here() -> dict:
    namespace: dict = {}
    exec(DIGESTS, namespace)  # noqa: S102 - the test's own code, the same as run in the restored copy
    return namespace["found"]


def environment(database_url: str, var: Path, anchors: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in OWN}
    return env | {
        "DATABASE_URL": database_url,
        "SECRET_KEY": SECRET,
        "ARREARS_VAR": str(var),
        "ARREARS_LEDGER_ANCHOR_DIR": str(anchors),
        "ARREARS_LEDGER_ANCHOR_KEY": ANCHOR_KEY,
        "DJANGO_SETTINGS_MODULE": "arrears.settings",
    }


def arrears(env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([ARREARS, *args], env=env, capture_output=True, text=True, check=False, timeout=600)


def documents(env: dict) -> dict:
    done = subprocess.run([sys.executable, "-c", DOCUMENTS], env=env, capture_output=True, text=True, check=True)
    return json.loads(done.stdout)


def tree(folder: Path) -> dict[str, bytes]:
    """Every file under `folder` with its bytes (what "nothing changed" compares)."""
    if not folder.exists():
        return {}
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def site_backup(ledger_transactional_db, approved_templates, settings, tmp_path):
    """The demo-like site (committed), with files in its ARREARS_VAR and an anchor, backed up by `make_backup`
    in this process (the command's code) — returns (backup dir, documents before, var files before)."""
    from arrears.backup import make_backup
    from arrears.compliance.anchors import publish_anchor

    var = tmp_path / "site-var"
    settings.VAR_DIR = var
    settings.ARREARS_LEDGER_ANCHOR_KEY = ANCHOR_KEY
    build_site()
    publish_anchor()
    (var / "feeds/2026-03-20/0123456789ab").mkdir(parents=True)
    (var / "feeds/2026-03-20/0123456789ab/rejections.csv").write_text("file,row,key,field,value,reason\n")
    (var / "sms").mkdir()
    (var / "sms/notice-7.txt").write_text("To: 139****0001\n\n您好\n", encoding="utf-8")
    for secret in ("secret_key", "ledger_anchor_key", "demo-logins.txt"):
        (var / secret).write_text("not-in-any-backup")
    reference = digests_here()
    files = tree(var)
    files["anchors"] = (Path(settings.ARREARS_LEDGER_ANCHOR_DIR) / "anchors.jsonl").read_bytes()
    backup = tmp_path / "backup"
    make_backup(backup)
    return backup, reference, files


def test_a_backup_restores_into_an_empty_database_with_every_document_and_a_verifying_ledger(site_backup, tmp_path):
    """Issue 16, item 5 — the restored copy holds every document with the same SHA-256 (letters, the agreement,
    the signed scan, the print batch), the files of ARREARS_VAR but not its secrets, the anchors; `arrears audit
    verify` passes and the restore is recorded after the events it restored. A second restore into it is refused."""
    backup, reference, files = site_backup
    manifest = json.loads((backup / "manifest.json").read_text())
    listed = {f["path"] for f in manifest["files"]}
    assert "files/var/sms/notice-7.txt" in listed
    assert "files/anchors/anchors.jsonl" in listed
    assert not any(secret in path for path in listed for secret in ("secret_key", "anchor_key", "demo-logins"))
    kinds = {key.split("#")[0] for key in reference}
    assert {"arrangements.plan.agreement_pdf", "arrangements.plan.signed_scan"} <= kinds
    assert any(kind.endswith(".pdf") for kind in kinds - {"arrangements.plan.agreement_pdf"})  # letters, batch

    with scratch_database(tmp_path) as (url, _query):
        env = environment(url, tmp_path / "restored-var", tmp_path / "restored-anchors")
        done = arrears(env, "restore", "--from", str(backup))
        assert done.returncode == 0, done.stderr
        assert "audit ledger intact" in done.stdout
        assert documents(env) == reference
        restored = tree(tmp_path / "restored-var")
        for name in ("feeds/2026-03-20/0123456789ab/rejections.csv", "sms/notice-7.txt"):
            assert restored[name] == files[name]
        assert not {"secret_key", "ledger_anchor_key", "demo-logins.txt"} & set(restored)
        anchors = (tmp_path / "restored-anchors" / "anchors.jsonl").read_bytes()
        assert anchors == files["anchors"]

        verify = arrears(env, "audit", "verify", "--json")
        assert verify.returncode == 0, verify.stdout + verify.stderr
        result = json.loads(verify.stdout)
        assert (result["ok"], result["anchors"]) == (True, len(anchors.splitlines()))
        events = subprocess.run(
            [
                sys.executable,
                "-c",
                "import django; django.setup(); from arrears.compliance.models import AuditEvent as E; "
                "e = E.objects.order_by('-id').first(); print(e.action, e.actor_username, e.changes['ledger_ok'])",
            ],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        assert events.stdout.split() == ["compliance.restore_backup", "nightly-run", "[None,", "True]"]

        again = arrears(env, "restore", "--from", str(backup))
        assert again.returncode == 1
        assert "the database is not empty" in again.stderr
        assert documents(env) == reference


@pytest.fixture(scope="module")
def small_backup(tmp_path_factory):
    """A backup of a freshly migrated SQLite installation with one file in ARREARS_VAR, made by the command."""
    root = tmp_path_factory.mktemp("small")
    env = environment(f"sqlite:///{root / 'source.sqlite3'}", root / "var", root / "anchors")
    (root / "var/feeds").mkdir(parents=True)
    (root / "var/feeds/report.csv").write_text("file,row\n")
    for args in (("manage", "migrate", "-v0"), ("audit", "anchor"), ("backup", "--to", str(root / "backup"))):
        done = arrears(env, *args)
        assert done.returncode == 0, done.stderr
    return root / "backup"


def refused(small_backup: Path, tmp_path: Path, *, prepare=None, backup: Path | None = None) -> tuple[str, dict]:
    """Restore into an empty SQLite file and ARREARS_VAR (after `prepare(db, var)`); assert it was refused and
    that nothing changed. Returns the error text."""
    source = backup or small_backup
    db, var, anchors = tmp_path / "target.sqlite3", tmp_path / "target-var", tmp_path / "target-anchors"
    var.mkdir()
    if prepare:
        prepare(db, var)
    before = (tree(tmp_path / "target-var"), db.read_bytes() if db.exists() else None)
    done = arrears(environment(f"sqlite:///{db}", var, anchors), "restore", "--from", str(source))
    assert done.returncode == 1
    after = (tree(var), db.read_bytes() if db.exists() else None)
    after[0].pop("secret_key", None)  # settings.py makes the single-box key file at start-up, not the restore
    before[0].pop("secret_key", None)
    assert after == before
    assert not anchors.exists()
    return done.stderr


def test_a_restore_refuses_a_database_that_is_not_empty(small_backup, tmp_path):
    def prepare(db, var):
        with sqlite3.connect(db) as conn:
            conn.execute("CREATE TABLE ledger_notes (note text)")
        conn.close()

    error = refused(small_backup, tmp_path, prepare=prepare)
    assert "the database is not empty (1 tables: ledger_notes)" in error
    assert "nothing restored" in error


def test_a_restore_refuses_an_arrears_var_holding_files(small_backup, tmp_path):
    def prepare(db, var):
        (var / "mail").mkdir()
        (var / "mail/1.eml").write_text("Subject: kept\n")

    error = refused(small_backup, tmp_path, prepare=prepare)
    assert "already holds files a backup restores (mail/1.eml)" in error


def test_a_changed_file_in_the_backup_is_refused_before_anything_is_touched(small_backup, tmp_path):
    copy = tmp_path / "copy"
    shutil.copytree(small_backup, copy)
    report = copy / "files/var/feeds/report.csv"
    report.write_text("file,row\nforged\n")
    error = refused(small_backup, tmp_path, backup=copy)
    assert "files/var/feeds/report.csv does not match its checksum in manifest.json" in error


def test_a_changed_database_file_is_refused(small_backup, tmp_path):
    copy = tmp_path / "copy"
    shutil.copytree(small_backup, copy)
    with (copy / "database.sqlite3").open("r+b") as fh:
        fh.seek(5000)
        fh.write(b"\x00\xff")
    error = refused(small_backup, tmp_path, backup=copy)
    assert "database.sqlite3 does not match its checksum" in error


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda m: m.unlink(), "has no manifest.json: not a backup, or one that did not finish"),
        (lambda m: m.write_text('{"format": 1, "product": "arr'), "manifest.json is damaged"),
        (lambda m: m.write_text(m.read_text().replace('"format": 1', '"format": 9')), "manifest.json is damaged"),
    ],
    ids=["missing", "cut short", "unknown format"],
)
def test_a_missing_or_damaged_manifest_is_refused(small_backup, tmp_path, damage, message):
    copy = tmp_path / "copy"
    shutil.copytree(small_backup, copy)
    damage(copy / "manifest.json")
    error = refused(small_backup, tmp_path, backup=copy)
    assert message in error
    assert "nothing restored" in error


def test_a_backup_of_a_newer_arrears_is_refused(small_backup, tmp_path):
    """A migration this version does not know: the backup came from a newer version; install it first."""
    copy = tmp_path / "copy"
    shutil.copytree(small_backup, copy)
    manifest = json.loads((copy / "manifest.json").read_text())
    manifest["migrations"].append("portfolio.9999_from_the_future")
    (copy / "manifest.json").write_text(json.dumps(manifest))
    error = refused(small_backup, tmp_path, backup=copy)
    assert "the backup was made by a newer arrears (migrations portfolio.9999_from_the_future are unknown" in error


def test_a_sqlite_backup_is_not_restored_into_postgresql(small_backup, tmp_path):
    """Refused before any connection is made (no server listens at that address)."""
    env = environment("postgres://arrears@127.0.0.1:9/none", tmp_path / "var", tmp_path / "anchors")
    done = arrears(env, "restore", "--from", str(small_backup))
    assert done.returncode == 1
    assert "the backup holds a sqlite database and DATABASE_URL names a postgresql one" in done.stderr
    assert not (tmp_path / "anchors").exists()


def test_a_backup_refuses_a_destination_that_is_not_empty(small_backup, tmp_path):
    env = environment(f"sqlite:///{tmp_path / 'x.sqlite3'}", tmp_path / "var", tmp_path / "anchors")
    done = arrears(env, "backup", "--to", str(small_backup))
    assert done.returncode == 1
    assert "exists and is not an empty directory" in done.stderr


SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "backup.sh"


def test_the_backup_script_writes_a_dated_backup_and_keeps_the_newest(small_backup, tmp_path):
    """scripts/backup.sh ROOT 2: a new arrears-<UTC time> backup; of the complete backups only the newest two stay;
    a folder without a manifest (unfinished) or of another name is never deleted."""
    source = small_backup.parent
    env = environment(f"sqlite:///{source / 'source.sqlite3'}", source / "var", source / "anchors")
    env["ARREARS"] = ARREARS
    root = tmp_path / "backups"
    for name in ("arrears-20260101T000000Z", "arrears-20260102T000000Z", "arrears-20260103T000000Z"):
        (root / name).mkdir(parents=True)
        (root / name / "manifest.json").write_text("{}")
    (root / "arrears-20250101T000000Z").mkdir()  # unfinished: no manifest
    (root / "keep-me").mkdir()
    (root / "keep-me" / "manifest.json").write_text("{}")
    done = subprocess.run(["bash", str(SCRIPT), str(root), "2"], env=env, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    left = sorted(p.name for p in root.iterdir())
    assert len(left) == 4
    assert left[:2] == ["arrears-20250101T000000Z", "arrears-20260103T000000Z"]
    assert re.fullmatch(r"arrears-20\d{6}T\d{6}Z", left[2])
    assert left[2] > "arrears-20260103T000000Z"
    assert left[3] == "keep-me"
    new = json.loads((root / left[2] / "manifest.json").read_text())
    assert new["database"] == "sqlite"
    assert "files/var/feeds/report.csv" in {f["path"] for f in new["files"]}


def test_the_backup_script_refuses_a_bad_count(tmp_path):
    done = subprocess.run(["bash", str(SCRIPT), str(tmp_path), "none"], capture_output=True, text=True, check=False)
    assert done.returncode == 2
    assert "KEEP must be a whole number above 0, got 'none'" in done.stderr
    assert list(tmp_path.iterdir()) == []


def test_anchors_already_on_their_own_storage_are_kept_and_checked(small_backup, tmp_path):
    """The anchor directory already holds anchors (they survived on their own storage, as the guide advises):
    the restore leaves the file as it is and checks the restored ledger against it — an anchor beyond the
    restored chain (a newer state than the backup's) makes the restore exit 1, saying the ledger does not verify."""
    from arrears.compliance.anchors import key_id, signature

    anchors = tmp_path / "anchors"
    anchors.mkdir()
    at = "2027-03-01T13:30:00.000000+00:00"
    head_hash = "ab" * 32
    line = {
        "at": at,
        "head_hash": head_hash,
        "head_id": 999,
        "key": key_id(ANCHOR_KEY.encode()),
        "sig": signature(ANCHOR_KEY.encode(), 999, head_hash, at),
        "v": 1,
    }
    kept = (small_backup / "files/anchors/anchors.jsonl").read_text() + json.dumps(line) + "\n"
    (anchors / "anchors.jsonl").write_text(kept)
    env = environment(f"sqlite:///{tmp_path / 'target.sqlite3'}", tmp_path / "var", anchors)
    done = arrears(env, "restore", "--from", str(small_backup))
    assert done.returncode == 1, done.stderr
    assert "kept the anchors already in" in done.stdout
    assert "audit ledger does NOT verify" in done.stdout
    assert (anchors / "anchors.jsonl").read_text() == kept
    assert (tmp_path / "var/feeds/report.csv").read_text() == "file,row\n"


def test_a_database_that_cannot_be_restored_leaves_nothing_behind(small_backup, tmp_path):
    """A database file that passes its checksum (the manifest made again to match) but is no SQLite database:
    the files already staged are removed, no database file is left, ARREARS_VAR holds nothing restored."""
    import hashlib

    copy = tmp_path / "copy"
    shutil.copytree(small_backup, copy)
    database = copy / "database.sqlite3"
    data = bytearray(database.read_bytes())
    data[:16] = b"not a database!\0"
    database.write_bytes(bytes(data))
    manifest = json.loads((copy / "manifest.json").read_text())
    for entry in manifest["files"]:
        if entry["path"] == "database.sqlite3":
            entry["sha256"] = hashlib.sha256(data).hexdigest()
    (copy / "manifest.json").write_text(json.dumps(manifest))
    error = refused(small_backup, tmp_path, backup=copy)
    assert "cannot copy the backup's SQLite database beside" in error
    assert "file is not a database" in error
    assert sorted(p.name for p in tmp_path.iterdir()) == ["copy", "target-var"]
    assert [p.name for p in (tmp_path / "target-var").iterdir()] == ["static"]  # made empty by the settings
