"""The audit ledger in the admin: read-only, for roles granting `compliance.view_audit`.

The ledger stores codes (actions, roles, object types), hashed and never renamed; the admin shows each in words
in the reader's language. What an event recorded — its basis, its changes and its reason — is shown exactly as
recorded (the hash covers it), marked `translate="no"`: a record, not the page's own text.
"""

from __future__ import annotations

import json

from django.apps import apps
from django.contrib import admin
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from arrears.accounts.roles import role_label
from arrears.compliance.action_words import ACTION_WORDS
from arrears.compliance.models import AuditEvent, ChangeRecord


def action_words(code: str) -> str:
    return str(ACTION_WORDS.get(code, code))


def subject_words(subject_type: str) -> str:
    """`collection.collectioncase`, or a kind an action named (`hold`, `calendar_year`) → the model's name in
    words (催收案件, 暂停催收); a kind no model has is shown as recorded."""
    try:
        return str(apps.get_model(subject_type)._meta.verbose_name)
    except (LookupError, ValueError):
        named = subject_type.replace("_", "")
        model = next((m for m in apps.get_models() if m._meta.model_name == named), None)
        return str(model._meta.verbose_name) if model else subject_type


def recorded(value) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, sort_keys=True)
    return format_html('<span translate="no">{}</span>', text) if text else "—"


class ActionFilter(admin.SimpleListFilter):
    title = _("action")
    parameter_name = "action"

    def lookups(self, request, model_admin):
        return sorted(((code.value, action_words(code)) for code in ACTION_WORDS), key=lambda pair: pair[1])

    def queryset(self, request, queryset):
        return queryset.filter(action=self.value()) if self.value() else queryset


class RoleFilter(admin.SimpleListFilter):
    title = _("role")
    parameter_name = "actor_role"

    def lookups(self, request, model_admin):
        roles = AuditEvent.objects.order_by().values_list("actor_role", flat=True).distinct()
        return [(code, role_label(code) if code else "—") for code in sorted(roles)]

    def queryset(self, request, queryset):
        return queryset.filter(actor_role=self.value()) if self.value() is not None else queryset


class _RecordedAdmin(admin.ModelAdmin):
    """What the ledger's events and the sealed change records share: read-only, their action and subject in words,
    what was recorded shown as recorded (covered by a hash)."""

    ordering = ("-id",)
    show_full_result_count = False
    actions = None

    @admin.display(description=_("action"), ordering="action")
    def what(self, row) -> str:
        return action_words(row.action)

    @admin.display(description=_("subject type"), ordering="subject_type")
    def subject(self, row) -> str:
        return subject_words(row.subject_type) if row.subject_type else "—"

    @admin.display(description=_("changes"))
    def recorded_changes(self, row) -> str:
        return recorded(row.changes)

    @admin.display(description=_("reason"))
    def recorded_reason(self, row) -> str:
        return recorded(row.reason)

    def get_readonly_fields(self, request, obj=None):
        return self.fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(_RecordedAdmin):
    list_display = ("number", "at", "actor_username", "role", "what", "subject", "subject_id", "recorded_reason")
    list_filter = (ActionFilter, RoleFilter)
    search_fields = ("=subject_id", "=actor_username", "=action")
    fields = (
        "number",
        "at",
        "actor_username",
        "role",
        "what",
        "subject",
        "subject_id",
        "recorded_basis",
        "recorded_changes",
        "recorded_reason",
        "prev_hash",
        "hash",
    )

    @admin.display(description=_("number"), ordering="id")
    def number(self, event: AuditEvent) -> int:
        return event.id

    @admin.display(description=_("role"), ordering="actor_role")
    def role(self, event: AuditEvent) -> str:
        return role_label(event.actor_role) if event.actor_role else "—"

    @admin.display(description=_("basis"))
    def recorded_basis(self, event: AuditEvent) -> str:
        return recorded(event.basis)


@admin.register(ChangeRecord)
class ChangeRecordAdmin(_RecordedAdmin):
    """The nightly run's sealed changes (AUTH-4, `seals.py`): read-only, searchable by the object's id, beside the
    ledger whose seal events vouch for them."""

    list_display = (
        "recorded_batch",
        "seq",
        "what",
        "subject",
        "subject_id",
        "clause",
        "recorded_changes",
        "recorded_reason",
    )
    list_filter = (ActionFilter,)
    search_fields = ("=subject_id", "=batch", "=action")
    fields = (*list_display, "digest")

    @admin.display(description=_("batch"), ordering="batch")
    def recorded_batch(self, record: ChangeRecord) -> str:
        return recorded(record.batch)
