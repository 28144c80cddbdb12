"""The audit ledger in the admin: read-only, for roles granting `compliance.view_audit`."""

from __future__ import annotations

from django.contrib import admin

from arrears.compliance.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ("id", "at", "actor_username", "actor_role", "action", "subject_type", "subject_id", "reason")
    list_filter = ("action", "actor_role")
    search_fields = ("=subject_id", "=actor_username", "=action")
    ordering = ("-id",)
    show_full_result_count = False
    actions = None

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in AuditEvent._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
