"""Administrators manage users, roles' grants, teams and agencies here. Every save goes through an audited
action; nothing here is ever deleted (deactivate a user instead; a role's grants can be emptied)."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from arrears.accounts.actions import (
    do_save_agency,
    do_save_team,
    do_save_user,
    do_set_user_password,
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


class UserCreationForm(_UserRulesMixin, DjangoUserAdmin.add_form):
    pass


@admin.register(User)
class UserAdmin(_NeverDelete, DjangoUserAdmin):
    form = UserChangeForm
    add_form = UserCreationForm
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (gettext_lazy("Personal info"), {"fields": ("first_name", "last_name", "email")}),
        (gettext_lazy("Role"), {"fields": ("is_active", "role", "team", "agency")}),
        (gettext_lazy("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("username", "usable_password", "password1", "password2", "role", "team", "agency"),
            },
        ),
    )
    readonly_fields = ("last_login", "date_joined")
    list_display = ("username", "first_name", "last_name", "role", "team", "agency", "is_active")
    list_filter = ("role", "team", "agency", "is_active")
    list_select_related = ("role", "team", "agency")
    filter_horizontal = ()

    def save_model(self, request, obj, form, change):
        do_save_user(obj, actor=request.user)

    def user_change_password(self, request, id, form_url=""):
        """Django's password page, with the save going through `do_set_user_password` (audited)."""
        if request.method != "POST":
            return super().user_change_password(request, id, form_url)
        user = self.get_object(request, unquote(id))
        if user is None or not self.has_change_permission(request, user):
            raise PermissionDenied
        form = self.change_password_form(user, request.POST)
        unset = "unset-password" in request.POST
        if not form.is_valid() or not (form.cleaned_data["set_usable_password"] or unset):
            return super().user_change_password(request, id, form_url)  # shows the errors; saves nothing
        password = form.cleaned_data["password1"] if form.cleaned_data["set_usable_password"] else None
        do_set_user_password(user, password, actor=request.user)
        if user.pk == request.user.pk:
            update_session_auth_hash(request, user)
        messages.success(request, _("Password changed successfully."))
        return HttpResponseRedirect(reverse(f"{self.admin_site.name}:accounts_user_change", args=(user.pk,)))


def _permission_choices() -> list[tuple[str, str]]:
    return [(p.value, f"{p.value} — {p.text()}") for p in Perm]


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
    list_display = ("code", "name")
    readonly_fields = ("code",)
    fields = ("code", "name", "description", "permissions")

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
    list_display = ("name", "business_licence_expires", "collection_licence_expires", "confidentiality_signed_on")
    search_fields = ("name",)

    def save_model(self, request, obj, form, change):
        do_save_agency(obj, actor=request.user)
