"""`arrears user create`: a new user with a one-time password, printed once (Issue 14, item 13).

The person at the console never chooses the password: `do_create_user` draws it, and the user must replace it
at first sign-in. The creation is an audited action of an administrator: `--by` names them, or, when the
installation has exactly one active user who may manage users, it is that one.
"""

from __future__ import annotations

import click

from arrears.cli.web import setup_django

HUMAN_ROLES = (
    "junior_collector",
    "senior_collector",
    "supervisor",
    "legal_officer",
    "compliance_officer",
    "agency_user",
    "analyst",
    "administrator",
)


@click.group()
def user() -> None:
    """Manage users from the console."""


def _administrator(username: str | None):
    from arrears.accounts.models import User
    from arrears.accounts.permissions import Perm, has_perm

    if username is not None:
        actor = User.objects.filter(username=username).first()
        if actor is None or not has_perm(actor, Perm.MANAGE_USERS):
            raise click.ClickException(f"--by {username!r}: no active user of that name who may manage users")
        return actor
    managers = list(User.objects.filter(is_active=True, role__grants__code=Perm.MANAGE_USERS).distinct()[:2])
    if len(managers) != 1:
        raise click.ClickException(
            "name the administrator who creates the user with --by USERNAME"
            if managers
            else "no active administrator yet: create one with `arrears manage createsuperuser` first"
        )
    return managers[0]


@user.command()
@click.option("--username", required=True, help="The new user's sign-in name.")
@click.option("--role", "role", required=True, type=click.Choice(HUMAN_ROLES), help="The user's role (its code).")
@click.option("--agency", "agency_id", default=None, help="The agency's id or code, e.g. 3 or AGY-001 (agency users).")
@click.option("--by", "by", default=None, help="The administrator recorded as creating the user.")
def create(username: str, role: str, agency_id: str | None, by: str | None) -> None:
    """Create a user and print their one-time password, once. They must change it at first sign-in."""
    setup_django()
    from django.core.exceptions import ValidationError

    from arrears.accounts.actions import do_create_user
    from arrears.accounts.models import Agency, User

    actor = _administrator(by)
    agency = None
    if agency_id is not None:
        given = agency_id.strip()
        if given.isascii() and given.isdigit() and len(given) < 19:
            agency = Agency.objects.filter(pk=int(given)).first()
        else:
            agency = Agency.objects.filter(code=given.upper()).first()
        if agency is None:
            raise click.ClickException(
                f"--agency {agency_id}: no agency with that id or code (`arrears` admin › Agencies, or GET /api/v1/agencies)"
            )
    try:
        created, password = do_create_user(
            User(username=username, role_id=role, agency=agency),
            actor=actor,
            reason="created with `arrears user create`",
        )
    except ValidationError as exc:
        raise click.ClickException("; ".join(exc.messages)) from None
    click.echo(f"created user {created.username} ({role}), recorded as created by {actor.username}")
    click.echo(f"one-time password: {password}")
    click.echo("it is shown only this once; the user must choose their own password at first sign-in")
