"""The desk's words for what the nightly run records as codes: a task's reason (`engine.work` writes a short
English code per cause, stored once and shown in the user's language)."""

from __future__ import annotations

from django import template
from django.utils.translation import gettext_lazy as _

register = template.Library()

TASK_REASONS = {
    "first call": _("first call of a new case"),
    "cadence": _("the next call of the call cadence"),
    "failed attempts": _("repeated collection attempts failed"),
    "refused": _("the borrower refused to pay"),
    "lost contact": _("contact lost"),
    "severe: decide the next step": _("severe: decide the next step"),
    "confirm delivery": _("confirm the notice was received"),
    "promise broken": _("the promise to pay was broken"),
}
PLAN_BROKEN = "plan broken: "


@register.filter
def task_reason(reason: str) -> str:
    """A task's reason in the active language; a plan's break keeps its figures after the translated words."""
    if reason in TASK_REASONS:
        return str(TASK_REASONS[reason])
    if reason.startswith(PLAN_BROKEN):
        return f"{_('plan broken')}: {reason.removeprefix(PLAN_BROKEN)}"
    return reason
