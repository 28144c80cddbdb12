"""Commands that run the Django shell: `serve`."""

from __future__ import annotations

import os

import click


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "arrears.settings")
    import django

    django.setup()


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535), help="TCP port.")
@click.option("--no-migrate", is_flag=True, help="Do not apply database migrations first.")
def serve(host: str, port: int, no_migrate: bool) -> None:
    """Apply migrations and serve the web application."""
    setup_django()
    from django.core.management import call_command

    if not no_migrate:
        call_command("migrate", interactive=False, verbosity=0)
    click.echo(f"arrears: serving on http://{host}:{port}/ (Ctrl-C to stop)", err=True)
    call_command("runserver", f"{host}:{port}", use_reloader=False)


@click.command(context_settings={"ignore_unknown_options": True, "allow_extra_args": True})
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
def manage(args: tuple[str, ...]) -> None:
    """Run a Django management command, e.g. `arrears manage createsuperuser`."""
    setup_django()
    from django.core.management import execute_from_command_line

    execute_from_command_line(["arrears manage", *args])
