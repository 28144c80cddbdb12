"""`audited()`: permission first, then the action's writes and its event in one transaction (AUTH-4)."""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.db import transaction

from arrears.accounts.models import Team
from arrears.accounts.permissions import Perm
from arrears.compliance.actions import ActionDenied, append_events_bulk, audited, require
from arrears.compliance.codes import ActionCode
from arrears.compliance.ledger import verify_chain
from arrears.compliance.models import AuditEvent
from factories import make_user

pytestmark = pytest.mark.django_db

AT = datetime(2026, 3, 1, 1, 2, 3, 456789, tzinfo=UTC)


def rename_team(team: Team, name: str, *, actor, fail: bool = False) -> None:
    """A minimal action in the house style, for exercising `audited()`."""
    with audited(
        actor, ActionCode.SAVE_TEAM, permission=Perm.MANAGE_USERS, subject=team, reason="reorganisation", at=AT
    ) as record:
        record.change("name", team.name, name)
        Team.objects.filter(pk=team.pk).update(name=name)
        if fail:
            raise RuntimeError("disk full")


def test_the_event_records_actor_role_action_subject_basis_changes_and_reason():
    """Clause: AUTH-4 — every field of the event, written with the action."""
    admin = make_user("administrator", username="ada")
    team = Team.objects.create(name="早期一组")
    rename_team(team, "早期二组", actor=admin)
    event = AuditEvent.objects.get()
    assert event.actor == admin
    assert (event.actor_username, event.actor_role) == ("ada", "administrator")
    assert event.action == "accounts.save_team"
    assert (event.subject_type, event.subject_id) == ("accounts.team", str(team.pk))
    assert event.basis == {"permission": "accounts.manage_users", "clause": None, "approval": None}
    assert event.changes == {"name": ["早期一组", "早期二组"]}
    assert event.reason == "reorganisation"
    assert event.at == AT
    assert (event.id, event.prev_hash, len(event.hash)) == (1, "0" * 64, 64)
    assert Team.objects.get(pk=team.pk).name == "早期二组"


def test_an_exception_inside_rolls_back_the_change_and_the_event():
    """The action's writes and its event share one transaction: neither survives a failure."""
    team = Team.objects.create(name="A")
    with pytest.raises(RuntimeError, match="disk full"):
        rename_team(team, "B", actor=make_user("administrator"), fail=True)
    assert Team.objects.get(pk=team.pk).name == "A"
    assert AuditEvent.objects.count() == 0
    assert verify_chain().ok


def test_a_denied_actor_gets_action_denied_and_nothing_changes(caplog):
    """Deny by default: the refusal names the permission and the role; no change, no event, a security log."""
    team = Team.objects.create(name="A")
    collector = make_user("junior_collector", username="jun")
    with (
        caplog.at_level(logging.WARNING, logger="arrears.security"),
        pytest.raises(ActionDenied, match=r"accounts\.manage_users.*junior_collector") as denied,
    ):
        rename_team(team, "B", actor=collector)
    assert denied.value.permission is Perm.MANAGE_USERS
    assert (Team.objects.get(pk=team.pk).name, AuditEvent.objects.count()) == ("A", 0)
    assert "denied: jun (role junior_collector, active True) lacks accounts.manage_users" in caplog.text


def test_the_basis_carries_the_clause_and_the_approval():
    """Clause: AUTH-4 — an action resting on a policy clause and an approval records both."""
    supervisor = make_user("supervisor")
    with audited(
        supervisor,
        ActionCode.UNMASK_FIELD,
        permission=Perm.UNMASK,
        subject=("portfolio.borrower", "42"),
        reason="borrower called",
        clause="PRV-1",
        approval="A-17",
    ):
        pass
    event = AuditEvent.objects.get()
    assert event.basis == {"permission": "portfolio.unmask", "clause": "PRV-1", "approval": "A-17"}
    assert (event.subject_type, event.subject_id) == ("portfolio.borrower", "42")


def test_a_subject_created_inside_the_block_is_recorded_with_its_id():
    """`set_subject` names a row created in the block; its id is read when the event is written."""
    with audited(make_user("administrator"), ActionCode.SAVE_TEAM, permission=Perm.MANAGE_USERS, subject=None) as rec:
        team = Team.objects.create(name="新组")
        rec.set_subject(team)
        rec.change("name", None, team.name)
    assert rec.event.subject_id == str(team.pk)
    assert AuditEvent.objects.get().subject_type == "accounts.team"


def test_values_are_recorded_json_safe_and_floats_are_refused():
    """Decimal as its string, dates in ISO 8601, sets sorted; a float fails inside the transaction."""
    admin = make_user("administrator")
    with audited(admin, ActionCode.SAVE_AGENCY, permission=Perm.MANAGE_USERS, subject=None) as rec:
        rec.change("fee", Decimal("0.10"), Decimal("0.125"))
        rec.change("expires", None, date(2027, 6, 30))
        rec.change("regions", None, {"上海", "北京"})
    assert AuditEvent.objects.get().changes == {
        "fee": ["0.10", "0.125"],
        "expires": [None, "2027-06-30"],
        "regions": [None, ["上海", "北京"]],
    }
    with (
        pytest.raises(TypeError, match="float"),
        audited(admin, ActionCode.SAVE_AGENCY, permission=Perm.MANAGE_USERS, subject=None) as rec,
    ):
        rec.change("fee", None, 0.1)
    assert AuditEvent.objects.count() == 1


def test_require_refuses_anonymous_inactive_and_role_less_users():
    """Deny by default for read-only checks too."""
    from django.contrib.auth.models import AnonymousUser

    inactive = make_user("supervisor", is_active=False)
    for who in (AnonymousUser(), inactive, make_user(None)):
        with pytest.raises(ActionDenied):
            require(who, Perm.VIEW_PORTFOLIO)
    require(make_user("supervisor"), Perm.VIEW_PORTFOLIO)


def test_bulk_append_chains_events_in_order_in_the_callers_transaction():
    """The nightly run appends many events at once; they continue the chain in the order given."""
    system = _system_user()
    rename_team(Team.objects.create(name="A"), "B", actor=make_user("administrator"))
    events = (
        {
            "action": ActionCode.DAILY_RUN,
            "permission": Perm.RUN_DAILY,
            "subject": ("portfolio.loan", str(n)),
            "changes": {"dpd": (n, n + 1)},
            "at": AT,
        }
        for n in range(2500)
    )
    with transaction.atomic():
        assert append_events_bulk(events, actor=system) == 2500
    assert list(AuditEvent.objects.order_by("-id").values_list("id", "subject_id")[:2]) == [
        (2501, "2499"),
        (2500, "2498"),
    ]
    assert verify_chain(batch_size=300) == verify_chain().__class__(True, 2501)


def test_bulk_append_by_an_actor_without_the_permission_is_refused():
    """A role lacking an event's permission stops the batch; the caller's transaction rolls back."""
    with pytest.raises(ActionDenied), transaction.atomic():
        append_events_bulk(
            [{"action": ActionCode.DAILY_RUN, "permission": Perm.RUN_DAILY}], actor=make_user("supervisor")
        )
    assert AuditEvent.objects.count() == 0


def _system_user():
    from arrears.accounts.models import User

    return User.objects.get(username="nightly-run")
