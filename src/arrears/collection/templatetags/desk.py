"""The desk's words for what the nightly run records as codes: a task's reason (`engine.work` writes a short
English code per cause, stored once and shown in the user's language)."""

from __future__ import annotations

import re

from django import template
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

register = template.Library()

TASK_REASONS = {
    "first call": _("first call of a new case"),
    "cadence": _("the next call of the call cadence"),
    "moderate cadence": _("the next call of the moderate stage's cadence"),
    "failed attempts": _("repeated collection attempts failed"),
    "refused": _("the borrower refused to pay"),
    "lost contact": _("contact lost"),
    "severe: decide the next step": _("severe: decide the next step"),
    "confirm delivery": _("confirm the notice was received"),
    "promise broken": _("the promise to pay was broken"),
}
PLAN_BROKEN = "plan broken: "
# Why a plan ended, as `engine.plans` writes it (amounts in yuan, grouped, two decimals).
_BROKEN = re.compile(
    r"instalment (?P<n>\d+) due (?P<due>[\d-]+): (?P<paid>[\d,.]+) paid of (?P<owed>[\d,.]+) due by then"
    r"(?: \((?P<plan>[\d,.]+) under the plan, (?P<own>[\d,.]+) of the loans' own instalments\))?"
)
_COMPLETED = re.compile(r"all (?P<n>\d+) instalments met: (?P<owed>[\d,.]+)")


@register.filter
def task_reason(reason: str) -> str:
    """A task's reason in the active language; a plan's break keeps its figures after the translated words."""
    if reason in TASK_REASONS:
        return str(TASK_REASONS[reason])
    if reason.startswith(PLAN_BROKEN):
        return f"{_('plan broken')}: {plan_end(reason.removeprefix(PLAN_BROKEN))}"
    return reason


@register.filter
def plan_end(reason: str) -> str:
    """Why a plan ended, in the active language; a reason a person wrote (a withdrawal's) is shown as written."""
    broken = _BROKEN.fullmatch(reason or "")
    if broken:
        words = (
            gettext("instalment %(n)s due %(due)s: %(paid)s yuan paid of %(owed)s yuan due by then")
            % broken.groupdict()
        )
        if broken["plan"]:
            words += (
                gettext(" (%(plan)s yuan under the plan, %(own)s yuan of the loans' own instalments)")
                % broken.groupdict()
            )
        return words
    completed = _COMPLETED.fullmatch(reason or "")
    if completed:
        return gettext("all %(n)s instalments met: %(owed)s yuan") % completed.groupdict()
    return reason
