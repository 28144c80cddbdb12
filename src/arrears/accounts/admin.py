"""Administrators manage users, roles' grants, teams and agencies here. Every save goes through an audited
action; nothing here is ever deleted (deactivate a user instead; a role's grants can be emptied).

No form here takes a password for someone else: adding a user and "reset password" each show a one-time
password once (on that response only, not cached), which the user must replace at first sign-in.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import PermissionDenied, ValidationError
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from arrears.accounts.actions import (
    do_create_user,
    do_reset_password,
    do_save_agency,
    do_save_team,
    do_save_user,
    do_update_role,
    validate_role_grants,
    validate_user,
)
from arrears.accounts.models import Agency, Role, Team, User
from arrears.accounts.permissions import Perm
from arrears.home.inputs import AsciiNumbersAdmin


class _NeverDelete(AsciiNumbersAdmin):
    def has_delete_permission(self, request, obj=None):
        return False


class _UserRulesMixin:
    """Check the user rules of `validate_user` on the form, so the admin shows them as form errors."""

    def _post_clean(self):
        super()._post_clean()
        if not self.errors:
            try:
                validate_user(self.instance)
            except ValidationError as exc:
                self._update_errors(exc)


class UserChangeForm(_UserRulesMixin, DjangoUserAdmin.form):
    pass


class UserCreationForm(_UserRulesMixin, forms.ModelForm):
    """Who the new user is and their role; no password field: they get a one-time password."""

    class Meta:
        model = User
        fields = ("username", "first_name", "last_name", "email", "role", "team", "agency")


@admin.register(User)
class UserAdmin(_NeverDelete, DjangoUserAdmin):
    form = UserChangeForm
    add_form = UserCreationForm
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (gettext_lazy("Personal info"), {"fields": ("first_name", "last_name", "email")}),
        (gettext_lazy("Role"), {"fields": ("is_active", "role", "team", "agency")}),
        (gettext_lazy("Important dates"), {"fields": ("last_login", "date_joined", "must_change_password")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("username", "first_name", "last_name", "email", "role", "team", "agency"),
            },
        ),
    )
    readonly_fields = ("last_login", "date_joined", "must_change_password")
    list_display = ("username", "first_name", "last_name", "role", "team", "agency", "is_active")
    list_filter = ("role", "team", "agency", "is_active")
    list_select_related = ("role", "team", "agency")
    filter_horizontal = ()

    def save_model(self, request, obj, form, change):
        if change:
            do_save_user(obj, actor=request.user)
        else:
            _user, request._one_time_password = do_create_user(obj, actor=request.user)

    def response_add(self, request, obj, post_url_continue=None):
        return self._one_time_page(request, obj, request._one_time_password, created=True)

    def _one_time_page(self, request, user, password, *, created):
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": user,
            "title": _("One-time password for %(user)s") % {"user": user.get_username()},
            "password": password,
            "created": created,
        }
        response = TemplateResponse(request, "accounts/admin_one_time_password.html", context)
        response["Cache-Control"] = "no-store"  # shown once, on this response only
        return response

    def user_change_password(self, request, id, form_url=""):
        """ "Reset password" replaces Django's form (which let an administrator type someone's password): a GET
        asks to confirm, a POST gives the user a one-time password through `do_reset_password` and shows it once."""
        user = self.get_object(request, unquote(id))
        if user is None or not self.has_change_permission(request, user):
            raise PermissionDenied
        if request.method == "POST":
            password = do_reset_password(user, actor=request.user)
            return self._one_time_page(request, user, password, created=False)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": user,
            "title": _("Reset the password of %(user)s") % {"user": user.get_username()},
        }
        return TemplateResponse(request, "accounts/admin_reset_password.html", context)


def _permission_choices() -> list[tuple[str, str]]:
    return [(p.value, p.text()) for p in Perm]  # what each permits, in words (the code is the stored value)


class RoleForm(forms.ModelForm):
    permissions = forms.MultipleChoiceField(
        label=gettext_lazy("permissions"),
        choices=_permission_choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        model = Role
        fields = ("name", "description")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["permissions"].initial = sorted(self.instance.grants.values_list("code", flat=True))

    def clean_permissions(self):
        codes = self.cleaned_data["permissions"]
        validate_role_grants(self.instance, codes)
        return codes


@admin.register(Role)
class RoleAdmin(_NeverDelete, admin.ModelAdmin):
    """Roles are the fixed set of `RoleCode`s (seeded); administrators rename them and edit their grants."""

    form = RoleForm
    list_display = ("name",)
    fields = ("name", "description", "permissions")

    def has_add_permission(self, request):
        return False

    def save_model(self, request, obj, form, change):
        do_update_role(obj, permissions=form.cleaned_data["permissions"], actor=request.user)


@admin.register(Team)
class TeamAdmin(_NeverDelete, admin.ModelAdmin):
    list_display = ("name",)
    search_fields = ("name",)

    def save_model(self, request, obj, form, change):
        do_save_team(obj, actor=request.user)


@admin.register(Agency)
class AgencyAdmin(_NeverDelete, admin.ModelAdmin):
    list_display = (
        "code",
        "name",
        "business_licence_expires",
        "collection_licence_expires",
        "confidentiality_signed_on",
    )
    search_fields = ("code", "name")

    def save_model(self, request, obj, form, change):
        do_save_agency(obj, actor=request.user)


from arrears.accounts import admin_tokens  # noqa: E402, F401 - registers the API tokens
