"""Users, roles' grants, teams and agencies change only through audited actions."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from arrears.accounts.actions import (
    do_create_user,
    do_save_agency,
    do_save_user,
    do_set_user_password,
    do_update_role,
)
from arrears.accounts.models import Agency, Role, User
from arrears.accounts.permissions import Perm, has_perm
from arrears.accounts.roles import ROLE_PERMISSIONS, SYSTEM_USERNAME, RoleCode
from arrears.compliance.actions import ActionDenied
from arrears.compliance.models import AuditEvent
from factories import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    """These tests read the English wording of the refusals (the interface default is zh-Hans)."""
    with translation.override("en"):
        yield


def test_changing_a_users_role_is_recorded_with_before_and_after():
    """Clause: AUTH-4 — promotion from junior to senior collector, on the ledger."""
    admin, user = make_user("administrator"), make_user("junior_collector", username="li")
    user.role_id = RoleCode.SENIOR_COLLECTOR
    user.first_name = "丽"
    do_save_user(user, actor=admin, reason="promoted")
    event = AuditEvent.objects.get()
    assert (event.action, event.subject_type, event.subject_id) == ("accounts.save_user", "accounts.user", str(user.pk))
    assert event.changes == {"role": ["junior_collector", "senior_collector"], "first_name": ["", "丽"]}
    assert has_perm(User.objects.get(pk=user.pk), Perm.PROPOSE_PLAN)


def test_a_new_user_is_recorded_without_the_password():
    """A creation lists the fields set; the one-time password only as '(one-time)'."""
    _user, password = do_create_user(
        User(username="wang", role_id=RoleCode.ANALYST, email="wang@example.com"), actor=make_user("administrator")
    )
    changes = AuditEvent.objects.get().changes
    assert changes == {
        "username": [None, "wang"],
        "email": [None, "wang@example.com"],
        "is_active": [None, True],
        "role": [None, "analyst"],
        "must_change_password": [None, True],
        "password": [None, "(one-time)"],
    }
    assert "pbkdf2" not in str(changes)
    assert password not in str(changes)


def test_a_collector_cannot_change_users_and_nothing_changes():
    """Deny by default: no change, no event."""
    victim = make_user("junior_collector")
    victim.role_id = RoleCode.SUPERVISOR
    with pytest.raises(ActionDenied, match=r"accounts\.manage_users"):
        do_save_user(victim, actor=make_user("junior_collector"))
    assert User.objects.get(pk=victim.pk).role_id == RoleCode.JUNIOR_COLLECTOR
    assert AuditEvent.objects.count() == 0


def test_the_system_role_belongs_to_the_nightly_run_alone():
    """A person never acts as the nightly run; the refusal writes nothing."""
    user = make_user("supervisor")
    user.role_id = RoleCode.SYSTEM
    with pytest.raises(ValidationError, match="nightly run"):
        do_save_user(user, actor=make_user("administrator"))
    assert User.objects.get(pk=user.pk).role_id == RoleCode.SUPERVISOR
    assert User.objects.get(username=SYSTEM_USERNAME).role_id == RoleCode.SYSTEM
    assert AuditEvent.objects.count() == 0


def test_the_last_administrator_cannot_lock_everyone_out():
    """Deactivating the only user who manages users, or removing the grant from the only such role, is refused."""
    admin = make_user("administrator")
    target = User.objects.get(pk=admin.pk)
    target.is_active = False
    with pytest.raises(ValidationError, match="keep one administrator"):
        do_save_user(target, actor=admin)
    role = Role.objects.get(pk=RoleCode.ADMINISTRATOR)
    with pytest.raises(ValidationError, match="keep one administrator"):
        do_update_role(role, permissions=[Perm.SIGN_IN], actor=admin)
    assert AuditEvent.objects.count() == 0
    assert has_perm(User.objects.get(pk=admin.pk), Perm.MANAGE_USERS)


def test_editing_a_roles_grants_is_recorded_and_takes_effect():
    """Clause: AUTH-4 — granting exact search to analysts, with the full before and after lists."""
    admin, analyst = make_user("administrator"), make_user("analyst")
    role = Role.objects.get(pk=RoleCode.ANALYST)
    role.name = "分析员"
    do_update_role(role, permissions=[Perm.SIGN_IN, Perm.VIEW_REPORTS, Perm.SEARCH_EXACT], actor=admin)
    event = AuditEvent.objects.get()
    assert event.action == "accounts.update_role"
    assert event.subject_id == "analyst"
    assert event.changes == {
        "name": ["数据分析员", "分析员"],
        "permissions": [
            sorted(str(p) for p in ROLE_PERMISSIONS[RoleCode.ANALYST]),
            ["accounts.sign_in", "portfolio.search_exact", "reports.view"],
        ],
    }
    assert has_perm(User.objects.get(pk=analyst.pk), Perm.SEARCH_EXACT)


def test_an_unknown_permission_code_is_refused():
    """Only `Perm` codes can be granted."""
    with pytest.raises(ValidationError, match="Unknown permission"):
        do_update_role(
            Role.objects.get(pk="analyst"), permissions=["reports.everything"], actor=make_user("administrator")
        )
    assert AuditEvent.objects.count() == 0


def test_an_agencys_documents_are_recorded():
    """AGY-1's documents: the agency's code, licence numbers and expiry dates, as ISO dates on the ledger."""
    from datetime import date

    agency = Agency(
        code="AGY-007",
        name="示例资产管理有限公司",
        collection_licence_no="CL-1",
        collection_licence_expires=date(2027, 6, 30),
    )
    do_save_agency(agency, actor=make_user("administrator"))
    assert AuditEvent.objects.get().changes == {
        "code": [None, "AGY-007"],
        "name": [None, "示例资产管理有限公司"],
        "collection_licence_no": [None, "CL-1"],
        "collection_licence_expires": [None, "2027-06-30"],
    }


def test_an_administrator_sets_only_their_own_password_and_the_ledger_never_shows_it():
    """Issue 14 item 13 — another user's password is refused (nothing changed, no event); one's own is set, the
    ledger says a password changed, never what it is; weak passwords are refused."""
    admin, user = make_user("administrator"), make_user("analyst")
    with pytest.raises(ActionDenied, match="No one sets another user's password"):
        do_set_user_password(user, "another long passphrase 456", actor=admin)
    assert User.objects.get(pk=user.pk).check_password("a long passphrase 123")
    with pytest.raises(ValidationError):
        do_set_user_password(admin, "123", actor=admin)
    do_set_user_password(admin, "another long passphrase 456", actor=admin)
    assert User.objects.get(pk=admin.pk).check_password("another long passphrase 456")
    assert AuditEvent.objects.get().changes == {"password": ["(hidden)", "(set)"]}
