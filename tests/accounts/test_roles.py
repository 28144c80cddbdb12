"""Roles grant permissions as data; everything not granted is refused."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import IntegrityError, transaction

from arrears.accounts.models import Agency, RolePermission, User
from arrears.accounts.permissions import Perm, has_perm
from arrears.accounts.roles import ROLE_PERMISSIONS, SYSTEM_USERNAME, RoleCode
from arrears.compliance.models import AuditEvent
from factories import make_user

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", list(RoleCode))
def test_each_role_has_exactly_its_default_permissions(role):
    """Clause: AUTH-1, AUTH-2, AUTH-3 — every role × every permission, against ROLE_PERMISSIONS."""
    if role is RoleCode.SYSTEM:
        user = User.objects.get(username=SYSTEM_USERNAME)
    elif role is RoleCode.AGENCY_USER:
        user = make_user(role, agency=Agency.objects.create(name="示例资产管理有限公司"))
    else:
        user = make_user(role)
    assert {perm: has_perm(user, perm) for perm in Perm} == {perm: perm in ROLE_PERMISSIONS[role] for perm in Perm}


def test_the_seeded_grants_are_the_default_table():
    """The data migration's frozen copy and ROLE_PERMISSIONS agree (a change needs a new data migration)."""
    seeded = {code: set() for code in RoleCode}
    for role_id, code in RolePermission.objects.values_list("role_id", "code"):
        seeded[RoleCode(role_id)].add(code)
    assert seeded == {role: {str(p) for p in perms} for role, perms in ROLE_PERMISSIONS.items()}


def test_the_clauses_are_held_by_the_roles_they_name():
    """Clause: AUTH-1, AUTH-2, AUTH-3 — juniors call and write only; seniors propose; supervisors approve and
    decide escalation; nobody else approves or escalates."""
    junior = ROLE_PERMISSIONS[RoleCode.JUNIOR_COLLECTOR]
    assert {Perm.CALL, Perm.SEND_LETTER} <= junior
    assert not junior & {Perm.PROPOSE_PLAN, Perm.PROPOSE_WAIVER, Perm.APPROVE, Perm.UNMASK, Perm.DECIDE_ESCALATION}
    assert {Perm.PROPOSE_PLAN, Perm.PROPOSE_WAIVER} <= ROLE_PERMISSIONS[RoleCode.SENIOR_COLLECTOR]
    assert Perm.APPROVE not in ROLE_PERMISSIONS[RoleCode.SENIOR_COLLECTOR]
    deciders = {role for role, perms in ROLE_PERMISSIONS.items() if perms & {Perm.APPROVE, Perm.DECIDE_ESCALATION}}
    assert deciders == {RoleCode.SUPERVISOR}


def test_a_user_without_a_role_an_inactive_user_and_a_visitor_may_do_nothing():
    """Deny by default."""
    for who in (make_user(None), make_user("supervisor", is_active=False), AnonymousUser()):
        assert not any(has_perm(who, perm) for perm in Perm)
        assert not who.is_staff


def test_a_code_in_the_database_this_version_does_not_know_grants_nothing():
    """An unknown grant is ignored, not guessed; asking for an unknown code is a programming error."""
    RolePermission.objects.create(role_id=RoleCode.ANALYST, code="portfolio.view_everything")
    analyst = make_user("analyst")
    assert has_perm(analyst, Perm.VIEW_REPORTS)
    with pytest.raises(ValueError, match=r"portfolio\.view_everything"):
        has_perm(analyst, "portfolio.view_everything")


def test_djangos_has_perm_answers_from_the_role():
    """`user.has_perm` (used by the admin) agrees with the role: the codes and the admin model rights."""
    admin, supervisor = make_user("administrator"), make_user("supervisor")
    assert supervisor.has_perm("portfolio.unmask")
    assert not supervisor.has_perm("accounts.change_user")
    assert admin.has_perm("accounts.change_user")
    assert admin.has_perm("compliance.view_auditevent")
    assert not admin.has_perm("portfolio.unmask")
    assert admin.has_module_perms("accounts")
    assert not supervisor.has_module_perms("accounts")


def test_admin_access_follows_the_role_and_is_never_stored():
    """`is_staff` is derived: administrators and compliance officers open the admin, collectors do not."""
    assert make_user("administrator").is_staff
    assert make_user("compliance_officer").is_staff
    assert not make_user("senior_collector").is_staff
    with pytest.raises(AttributeError, match="follows the user's role"):
        make_user("analyst").is_staff = True
    with pytest.raises(ValueError, match="is_staff is not set"):
        User.objects.create_user("sneaky", password="a long passphrase 123", is_staff=True)


def test_an_agency_user_needs_an_agency_and_only_agency_users_have_one():
    """The database refuses an agency user without an agency, and an agency on any other role."""
    agency = Agency.objects.create(name="示例资产管理有限公司")
    assert make_user("agency_user", agency=agency).agency == agency
    for role, given in (("agency_user", None), ("junior_collector", agency), (None, agency)):
        with pytest.raises(IntegrityError), transaction.atomic():
            make_user(role, agency=given)


def test_there_are_no_superusers():
    """Roles decide everything: the database refuses is_superuser."""
    user = make_user("administrator")
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.filter(pk=user.pk).update(is_superuser=True)


def test_the_nightly_run_has_the_system_role_and_cannot_sign_in():
    """The system identity exists from the migration, with an unusable password and no sign-in grant."""
    system = User.objects.get(username=SYSTEM_USERNAME)
    assert system.role_id == RoleCode.SYSTEM
    assert not system.has_usable_password()
    assert not has_perm(system, Perm.SIGN_IN)


def test_createsuperuser_makes_an_audited_administrator():
    """`manage createsuperuser` gives the administrator role (not superuser powers) and records it."""
    user = User.objects.create_superuser("root", "root@example.com", "a long passphrase 123")
    assert (user.role_id, user.is_superuser, user.is_staff) == (RoleCode.ADMINISTRATOR, False, True)
    event = AuditEvent.objects.get()
    assert (event.action, event.actor, event.subject_id) == ("accounts.save_user", user, str(user.pk))
    assert event.changes["role"] == [None, "administrator"]
    assert event.changes["password"] == [None, "(set)"]
