"""API tokens of service accounts in the admin (Issue 16): administrators create one (its token is shown once,
on that response only, like a one-time password) and revoke them; nothing is edited or deleted."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from arrears.accounts.models import Role, ServiceToken, User
from arrears.accounts.tokens import SERVICE_ROLES, do_create_token, do_revoke_token
from arrears.home.inputs import AsciiNumbersAdmin


class ServiceTokenForm(forms.ModelForm):
    role = forms.ModelChoiceField(
        label=gettext_lazy("role"), queryset=Role.objects.filter(code__in=[str(r) for r in SERVICE_ROLES])
    )

    class Meta:
        model = ServiceToken
        fields = ("name",)

    def clean(self):
        cleaned = super().clean()
        name, role = cleaned.get("name"), cleaned.get("role")
        account = User.objects.filter(username=name).first() if name else None
        if account is not None and not account.is_service_account:
            raise ValidationError(
                _("%(name)s is a person's account; a token needs a name of its own.") % {"name": name}
            )
        if account is not None and role is not None and account.role_id != role.code:
            raise ValidationError(
                _("The service account %(name)s has another role; revoke its tokens and choose a new name.")
                % {"name": name}
            )
        return cleaned


@admin.register(ServiceToken)
class ServiceTokenAdmin(AsciiNumbersAdmin, admin.ModelAdmin):
    form = ServiceTokenForm
    list_display = ("name", "account", "role_name", "created_at", "created_by", "revoked_at", "last_used_at")
    list_select_related = ("account__role", "created_by")
    readonly_fields = ("name", "account", "created_by", "created_at", "revoked_at", "last_used_at")
    actions = ("revoke",)

    @admin.display(description=gettext_lazy("role"))
    def role_name(self, obj: ServiceToken) -> str:
        return str(obj.account.role) if obj.account.role_id else ""

    def get_fields(self, request, obj=None):
        return ("name", "role") if obj is None else self.readonly_fields

    def get_readonly_fields(self, request, obj=None):
        return () if obj is None else self.readonly_fields

    def has_change_permission(self, request, obj=None):
        return False  # a token is created or revoked, never edited

    def has_delete_permission(self, request, obj=None):
        return False  # revoked rows stay: the ledger's events name them

    def has_revoke_permission(self, request):
        return self.has_view_permission(request)

    def save_model(self, request, obj, form, change):
        row, request._api_token = do_create_token(obj.name, form.cleaned_data["role"].code, actor=request.user)
        obj.pk, obj.account, obj.created_at = row.pk, row.account, row.created_at

    def response_add(self, request, obj, post_url_continue=None):
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": obj,
            "title": _("API token %(name)s") % {"name": obj.name},
            "token": request._api_token,
        }
        response = TemplateResponse(request, "accounts/admin_token_created.html", context)
        response["Cache-Control"] = "no-store"  # shown once, on this response only
        return response

    def log_addition(self, request, obj, message):
        return None  # the audit ledger records it (accounts.create_token); Django's log would hold a half row

    @admin.action(description=gettext_lazy("Revoke the selected API tokens"), permissions=["revoke"])
    def revoke(self, request, queryset):
        revoked = 0
        for row in queryset.filter(revoked_at__isnull=True):
            do_revoke_token(row.name, actor=request.user, reason="revoked in the admin")
            revoked += 1
        self.message_user(request, _("%(n)s API tokens revoked.") % {"n": revoked}, messages.SUCCESS)
