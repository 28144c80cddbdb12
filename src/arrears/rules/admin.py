"""Administrators add policy versions and calendar years here; both go through the audited actions.

Nothing is edited or deleted once stored: a correction to a policy is a new version, and the calendar of a
past year is history the nightly runs relied on.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from arrears.accounts.permissions import Perm, has_perm
from arrears.home.inputs import AsciiNumbersAdmin
from arrears.rules.actions import RuleError, do_add_calendar_year, do_add_policy_version
from arrears.rules.models import CalendarDay, CalendarYear, PolicyVersion


class _AddForm(forms.ModelForm):
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 16, "cols": 90}))
    reason = forms.CharField(label=_("reason"), max_length=500, help_text=_("Recorded in the audit ledger."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["text"].label = self._meta.labels["text"]  # a declared field does not take Meta's label


class PolicyVersionForm(_AddForm):
    class Meta:
        model = PolicyVersion
        fields = ["text"]
        labels = {"text": _("policy version (TOML)")}
        help_texts = {"text": _("effective_from = 2027-01-01, then the sections that differ from the SPEC.")}


class CalendarYearForm(_AddForm):
    class Meta:
        model = CalendarYear
        fields = []
        labels = {"text": _("calendar file (TOML)")}


class _AddOnly(AsciiNumbersAdmin, admin.ModelAdmin):
    """Add through an action; never change or delete."""

    perm: Perm
    action = None

    def has_module_permission(self, request):
        return has_perm(request.user, self.perm)

    has_view_permission = has_add_permission = lambda self, request, obj=None: has_perm(request.user, self.perm)
    has_change_permission = has_delete_permission = lambda self, request, obj=None: False

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        user, action = request.user, type(self).action

        def clean(form_self):
            data = super(form, form_self).clean()
            if "text" in data and "reason" in data:
                try:
                    stored = action(data["text"], actor=user, reason=data["reason"])
                    form_self.instance = stored[0] if isinstance(stored, list) else stored
                except RuleError as exc:
                    raise ValidationError(str(exc)) from None
            return data

        form.clean = clean
        return form

    def get_fields(self, request, obj=None):
        """A stored object's page shows what it stores; the add form's text and reason are for adding only."""
        fields = super().get_fields(request, obj)
        if obj is None:
            return fields
        stored = {f.name for f in self.model._meta.get_fields()}
        return [name for name in fields if name in stored or name in self.get_readonly_fields(request, obj)]

    def save_model(self, request, obj, form, change):
        messages.info(request, _("Stored and recorded in the audit ledger."))  # the action saved it in clean()


@admin.register(PolicyVersion)
class PolicyVersionAdmin(_AddOnly):
    perm = Perm.MANAGE_POLICY
    action = staticmethod(do_add_policy_version)
    form = PolicyVersionForm
    list_display = ["effective_from", "name", "added_by", "added_at"]
    readonly_fields = ["effective_from", "name", "added_by", "added_at"]


class CalendarDayInline(admin.TabularInline):
    model = CalendarDay
    fields = ["day", "kind", "name"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(CalendarYear)
class CalendarYearAdmin(_AddOnly):
    perm = Perm.MANAGE_CALENDAR
    action = staticmethod(do_add_calendar_year)
    form = CalendarYearForm
    list_display = ["year", "source"]
    inlines = [CalendarDayInline]
