"""Commands that run the Django shell: `serve` (gunicorn, or Django's development server with --dev), `manage`."""

from __future__ import annotations

import hashlib
import logging
import os
from pathlib import Path

import click


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "arrears.settings")
    import django

    django.setup()


def say(text: str) -> None:
    """A line for the operator on stderr: as it is, or with ARREARS_LOG_FORMAT=json one JSON object like every
    other line there (logger `arrears.server`), so a log collector reads them all."""
    from django.conf import settings

    if getattr(settings, "ARREARS_LOG_FORMAT", "text") != "json":
        click.echo(f"arrears: {text}", err=True)
        return
    from arrears.logs import JsonLines

    record = logging.makeLogRecord(
        {"name": "arrears.server", "levelname": "INFO", "levelno": logging.INFO, "msg": text}
    )
    click.echo(JsonLines().format(record), err=True)


def collect_static() -> None:
    """Collect the static files into STATIC_ROOT (hashed names, compressed copies), unless the files collected last
    time came from exactly these sources: compressing them all again takes a while on every start."""
    from django.conf import settings
    from django.contrib.staticfiles import finders
    from django.core.management import call_command

    sources = sorted(
        (path, os.stat(storage.path(path)).st_size, os.stat(storage.path(path)).st_mtime_ns)
        for finder in finders.get_finders()
        for path, storage in finder.list([])
    )
    fingerprint = hashlib.sha256(repr((settings.STORAGES["staticfiles"], sources)).encode()).hexdigest()
    stamp = Path(settings.STATIC_ROOT) / ".collected"
    manifest = Path(settings.STATIC_ROOT) / "staticfiles.json"
    if manifest.exists() and stamp.exists() and stamp.read_text() == fingerprint:
        return
    say("collecting the static files (once after each upgrade)")
    call_command("collectstatic", interactive=False, verbosity=0)
    stamp.write_text(fingerprint)


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535), help="TCP port.")
@click.option(
    "--workers", default=2, show_default=True, type=click.IntRange(1, 64), help="Worker processes (about 2 per core)."
)
@click.option("--threads", default=1, show_default=True, type=click.IntRange(1, 64), help="Threads per worker.")
@click.option(
    "--timeout",
    default=120,
    show_default=True,
    type=click.IntRange(10, 3600),
    help="Seconds before a hung worker is restarted.",
)
@click.option("--no-migrate", is_flag=True, help="Do not apply database migrations first.")
@click.option("--debug", is_flag=True, help="Show Django's debug pages (never in production; same as DEBUG=1).")
@click.option("--dev", is_flag=True, help="Django's development server instead (one process, for working on arrears).")
def serve(
    host: str, port: int, workers: int, threads: int, timeout: int, no_migrate: bool, debug: bool, dev: bool
) -> None:
    """Apply migrations, collect the static files and serve the web application with gunicorn.

    SIGTERM stops it gracefully: running requests finish, then it exits.
    """
    if debug:
        os.environ["DEBUG"] = "1"
    if not dev:
        os.environ["ARREARS_STATIC_COLLECTED"] = "1"  # hashed, compressed files served by WhiteNoise (settings)
    setup_django()
    from django.core.management import call_command
    from django.db import connections

    if not no_migrate:
        call_command("migrate", interactive=False, verbosity=0)
    if dev:
        say(f"development server on http://{host}:{port}/ (Ctrl-C to stop)")
        call_command("runserver", f"{host}:{port}", use_reloader=False)
        return
    collect_static()
    connections.close_all()  # the workers are forked: each opens its own connections
    from arrears.cli import server
    from arrears.compliance.language import warm_up

    warm_up()  # the language check's dictionary, loaded once before the fork and shared by the workers
    from arrears.wsgi import application

    say(f"serving on http://{host}:{port}/ with {workers} worker(s) (SIGTERM or Ctrl-C to stop)")
    server.run(application, host=host, port=port, workers=workers, threads=threads, timeout=timeout)


@click.command(context_settings={"ignore_unknown_options": True, "allow_extra_args": True})
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
def manage(args: tuple[str, ...]) -> None:
    """Run a Django management command, e.g. `arrears manage createsuperuser`."""
    setup_django()
    from django.core.management import execute_from_command_line

    execute_from_command_line(["arrears manage", *args])
