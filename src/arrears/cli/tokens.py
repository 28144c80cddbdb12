"""`arrears token create | revoke | list`: service-account API tokens, from the console (Issue 16, item 3).

`create` prints the token, and only the token, on stdout — once: a script can capture it
(`TOKEN=$(arrears token create --name crm --role junior_collector)`) and it is never shown again (only its
SHA-256 is stored). Everything else goes to stderr. Creating and revoking are audited actions of an
administrator: `--by` names them, or, when the installation has exactly one active user who may manage users,
it is that one (as for `arrears user create`).
"""

from __future__ import annotations

import click

from arrears.cli.users import _administrator
from arrears.cli.web import setup_django

SERVICE_ROLE_CODES = (
    "junior_collector",
    "senior_collector",
    "supervisor",
    "legal_officer",
    "compliance_officer",
    "analyst",
    "telephony",  # the call platform (CTI): call events and recordings
)


@click.group()
def token() -> None:
    """Manage service accounts' API tokens."""


@token.command()
@click.option("--name", required=True, help="The token's name, also its service account's username (e.g. crm).")
@click.option("--role", required=True, type=click.Choice(SERVICE_ROLE_CODES), help="The service account's role.")
@click.option("--by", default=None, help="The administrator recorded as creating the token.")
def create(name: str, role: str, by: str | None) -> None:
    """Create a token for the service account NAME (created if needed) and print it on stdout, once."""
    setup_django()
    from django.core.exceptions import ValidationError

    from arrears.accounts.tokens import do_create_token

    actor = _administrator(by)
    try:
        row, secret = do_create_token(name, role, actor=actor, reason="created with `arrears token create`")
    except ValidationError as exc:
        raise click.ClickException("; ".join(exc.messages)) from None
    click.echo(
        f"created token {row.name} for service account {row.account.username} ({role}), recorded as "
        f"created by {actor.username}; it is shown only this once",
        err=True,
    )
    click.echo(secret)


@token.command()
@click.argument("name")
@click.option("--by", default=None, help="The administrator recorded as revoking the token.")
def revoke(name: str, by: str | None) -> None:
    """Revoke the token NAME: its next call is answered 401."""
    setup_django()
    from django.core.exceptions import ValidationError

    from arrears.accounts.tokens import do_revoke_token

    actor = _administrator(by)
    try:
        do_revoke_token(name, actor=actor, reason="revoked with `arrears token revoke`")
    except ValidationError as exc:
        raise click.ClickException("; ".join(exc.messages)) from None
    click.echo(f"revoked token {name}, recorded as revoked by {actor.username}", err=True)


@token.command(name="list")
def list_tokens() -> None:
    """List the tokens: name, role, created, revoked, last used (never the token itself)."""
    setup_django()
    from arrears.accounts.models import ServiceToken

    def when(value) -> str:
        return value.strftime("%Y-%m-%d %H:%M UTC") if value else "-"

    click.echo("name\trole\tcreated\tcreated by\trevoked\tlast used")
    for row in ServiceToken.objects.select_related("account", "created_by").order_by("name"):
        click.echo(
            f"{row.name}\t{row.account.role_id}\t{when(row.created_at)}\t{row.created_by.username}\t"
            f"{when(row.revoked_at)}\t{when(row.last_used_at)}"
        )
