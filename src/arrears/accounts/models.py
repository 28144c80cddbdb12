"""Users, their role, team and agency.

A role is a row keyed by its stable code (`RoleCode`); its grants are `RolePermission` rows, one per code, so
administrators edit them in the admin on SQLite and PostgreSQL alike. Keying roles by code lets the database
itself hold the rule "an agency user belongs to exactly one agency, and only agency users do" (a check
constraint on `accounts_user`), and "there are no superusers": roles decide everything.

`User.is_staff` (may open the Django admin) is not stored: it is true while the user's role grants one of
`BACKOFFICE_PERMS`, so a change of role or grants takes effect at once and cannot drift. Writes go through
`arrears.accounts.actions`; nothing here has logic in `save()` or signals.
"""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.contrib.auth.models import AbstractUser
from django.contrib.auth.models import UserManager as DjangoUserManager
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from arrears.accounts.permissions import BACKOFFICE_PERMS, granted_permissions
from arrears.accounts.roles import RoleCode


class Role(models.Model):
    code = models.CharField(_("code"), max_length=32, primary_key=True, choices=[(c.value, c.value) for c in RoleCode])
    name = models.CharField(_("name"), max_length=100)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ("code",)
        verbose_name = _("role")
        verbose_name_plural = _("roles")

    def __str__(self) -> str:
        return self.name  # the code never reaches a page (user lists, role selects)


class RolePermission(models.Model):
    """One permission granted to one role. Codes are `Perm` values; the action that writes them refuses others,
    and a code this version does not know is ignored when checking (deny by default)."""

    role = models.ForeignKey(Role, on_delete=models.CASCADE, related_name="grants")
    code = models.CharField(_("permission"), max_length=64)

    class Meta:
        constraints = (models.UniqueConstraint(fields=("role", "code"), name="accounts_rolepermission_once"),)
        verbose_name = _("role permission")
        verbose_name_plural = _("role permissions")

    def __str__(self) -> str:
        return f"{self.role_id}: {self.code}"


class Team(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)

    class Meta:
        ordering = ("name",)
        verbose_name = _("team")
        verbose_name_plural = _("teams")

    def __str__(self) -> str:
        return self.name


def new_agency_code() -> str:
    """A fresh agency code (AGY-3F9A01C2); an administrator may give the bank's own instead."""
    return f"AGY-{uuid.uuid4().hex[:8].upper()}"


class Agency(models.Model):
    """A third-party collection agency and the documents AGY-1 requires before it may receive cases. `code` is
    what other systems and the API name it by (unique; upper-case letters, digits and dashes)."""

    code = models.CharField(
        _("code"),
        max_length=16,
        unique=True,
        default=new_agency_code,
        validators=[
            RegexValidator(
                r"^[A-Z0-9][A-Z0-9-]{1,15}$",
                _("Use 2 to 16 upper-case letters, digits or dashes, starting with a letter or digit, e.g. AGY-001."),
            )
        ],
    )
    name = models.CharField(_("name"), max_length=200, unique=True)
    business_licence_no = models.CharField(_("business licence number"), max_length=64, blank=True)
    business_licence_expires = models.DateField(_("business licence expires"), null=True, blank=True)
    collection_licence_no = models.CharField(_("collection licence number"), max_length=64, blank=True)
    collection_licence_expires = models.DateField(_("collection licence expires"), null=True, blank=True)
    confidentiality_signed_on = models.DateField(_("confidentiality agreement signed on"), null=True, blank=True)
    # The commission the agency's contract sets on amounts recovered while a case is placed with it (a placement
    # keeps the percentage of its day; `agencies.commissions`).
    commission_percent = models.DecimalField(
        _("commission (%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
        help_text=_("Percentage of the amounts recovered during a placement, e.g. 12.50."),
    )

    class Meta:
        ordering = ("name",)
        verbose_name = _("agency")
        verbose_name_plural = _("agencies")

    def __str__(self) -> str:
        return self.name


class UserManager(DjangoUserManager):
    """`is_staff` is derived from the role and `is_superuser` is never set (see the module docstring)."""

    def create_user(self, username, email=None, password=None, **extra_fields):
        for derived in ("is_staff", "is_superuser"):
            if extra_fields.pop(derived, False):
                raise ValueError(f"{derived} is not set on arrears users: give the user a role that grants it")
        return super().create_user(username, email, password, **extra_fields)

    def _create_user_object(self, username, email, password, **extra_fields):
        extra_fields.pop("is_staff", None)  # Django's create_user passes is_staff=False; it is derived here
        return super()._create_user_object(username, email, password, **extra_fields)

    def create_superuser(self, username, email=None, password=None, **extra_fields):
        """`manage createsuperuser`: an active user with the administrator role, audited."""
        from arrears.accounts.actions import do_create_administrator_at_console

        return do_create_administrator_at_console(username, email=email, password=password, **extra_fields)


class User(AbstractUser):
    role = models.ForeignKey(
        Role, on_delete=models.PROTECT, null=True, blank=True, related_name="users", verbose_name=_("role")
    )
    team = models.ForeignKey(
        Team, on_delete=models.PROTECT, null=True, blank=True, related_name="users", verbose_name=_("team")
    )
    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, null=True, blank=True, related_name="users", verbose_name=_("agency")
    )
    # Set when the password is a one-time password someone else was shown (a new user, a reset): until the user
    # chooses their own, every page sends them to the change-password page (`accounts.middleware`).
    must_change_password = models.BooleanField(_("must change password at next sign-in"), default=False)
    # Another system (CRM, call platform) calling the API with a token (`ServiceToken`): its password is
    # unusable and the backend refuses it a sign-in, so it can never hold a web session.
    is_service_account = models.BooleanField(_("service account"), default=False)

    objects = UserManager()

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"
        constraints = (
            models.CheckConstraint(
                condition=(
                    Q(role__isnull=False, role=RoleCode.AGENCY_USER.value, agency__isnull=False)
                    | (Q(agency__isnull=True) & (Q(role__isnull=True) | ~Q(role=RoleCode.AGENCY_USER.value)))
                ),
                name="accounts_user_agency_iff_agency_role",
                violation_error_message=_("An agency user needs an agency, and only agency users have one."),
            ),
            models.CheckConstraint(condition=Q(is_superuser=False), name="accounts_user_no_superuser"),
        )

    @property
    def is_staff(self) -> bool:
        """May open the Django admin: the role grants a back-office permission (derived, never stored)."""
        return bool(granted_permissions(self) & BACKOFFICE_PERMS)

    @is_staff.setter
    def is_staff(self, value: bool) -> None:
        raise AttributeError("is_staff follows the user's role; change the role or its permissions instead")


class ServiceToken(models.Model):
    """One API token of a service account (Issue 16). Only the SHA-256 of the token is stored: the token is
    shown once, when created, and cannot be recovered. Revoking sets `revoked_at`; rows are never deleted, so the
    ledger's events keep naming a token that existed. Writes go through `arrears.accounts.tokens`."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    account = models.ForeignKey(User, on_delete=models.PROTECT, related_name="tokens", verbose_name=_("account"))
    token_sha256 = models.CharField(_("token SHA-256"), max_length=64, unique=True, editable=False)
    created_by = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", verbose_name=_("created by"), editable=False
    )
    created_at = models.DateTimeField(_("created at"), editable=False)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True, editable=False)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ("name",)
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return self.name
