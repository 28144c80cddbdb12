"""A what-if asked for on the page and replayed by the worker (a large book's period takes minutes).

- `do_request_whatif(policy_text, first, last, actor=…)` (`reports.whatif`): the candidate's TOML and the period are
  checked as `arrears whatif` checks them (`WhatIfRefused`, with every fault of the policy); the request is kept
  (`WhatIfReport`, waiting for the worker) and audited. The worker's `whatif` job picks up the waiting ones.
- `do_complete_whatif(report_id, actor=…)` (the worker, as the nightly run's identity): replays it (`do_whatif`,
  outside any write transaction: it reads), then keeps the figures and marks it done, audited with its totals in
  brief; a period the replay refuses by then (the calendar, the policy) is marked failed with the reason (kept in
  English for the log and the ledger: the page asks the checks again in the reader's language).
- `do_fail_whatif(report_id, error, actor=…)`: the job gave up; the report says so.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from arrears.accounts.permissions import Perm
from arrears.compliance.actions import audited, require
from arrears.compliance.codes import ActionCode
from arrears.policy.versions import PolicyError, PolicyVersion, parse_policy_toml
from arrears.whatif.actions import WhatIfRefused, check_period, do_whatif
from arrears.whatif.models import WhatIfReport, WhatIfStatus

__all__ = ["MAX_POLICY_TEXT", "candidate_of", "do_complete_whatif", "do_fail_whatif", "do_request_whatif"]

MAX_POLICY_TEXT = 20_000  # characters: a policy version is a page of TOML, not a file upload


def candidate_of(text: str) -> PolicyVersion:
    """The candidate version of `text`, or `WhatIfRefused` saying every fault (in the reader's language)."""
    if len(text) > MAX_POLICY_TEXT:
        raise WhatIfRefused(
            _("The policy is %(n)s characters long; a policy version is at most %(max)s. Give only what differs.")
            % {"n": f"{len(text):,}", "max": f"{MAX_POLICY_TEXT:,}"}
        )
    if "\x00" in text:
        raise WhatIfRefused(_("The policy contains a NUL character; paste the TOML text itself."))
    try:
        return parse_policy_toml(text, "candidate")
    except PolicyError as exc:
        raise WhatIfRefused(_("The candidate policy is not valid:"), tuple(exc.problems)) from None


def do_request_whatif(policy_text: str, first: date, last: date, *, actor: Any) -> WhatIfReport:
    require(actor, Perm.RUN_WHATIF)
    candidate = candidate_of(policy_text)
    check_period(first, last)
    with audited(actor, ActionCode.REQUEST_WHATIF, permission=Perm.RUN_WHATIF, subject=None) as record:
        report = WhatIfReport.objects.create(
            name=candidate.name[:200],
            policy_text=policy_text,
            first=first,
            last=last,
            requested_by=actor,
            requested_at=timezone.now(),
        )
        record.set_subject(report)
        record.change("candidate", None, report.name)
        record.change("period", None, f"{first}..{last}")
        record.change("overrides", None, {key: str(value) for key, value in candidate.overrides().items()})
    return report


def _finish(report: WhatIfReport, actor: Any, **fields: Any) -> WhatIfReport:
    require(actor, Perm.RUN_WHATIF)
    with transaction.atomic():
        locked = WhatIfReport.objects.select_for_update().get(pk=report.pk)
        if locked.status != WhatIfStatus.QUEUED:
            return locked  # done or failed already (another attempt): kept as it is, nothing audited twice
        with audited(actor, ActionCode.COMPLETE_WHATIF, permission=Perm.RUN_WHATIF, subject=locked) as record:
            for name, value in fields.items():
                setattr(locked, name, value)
            locked.finished_at = timezone.now()
            locked.save()
            record.change("status", WhatIfStatus.QUEUED, locked.status)
            if locked.status == WhatIfStatus.DONE:
                total = locked.result["total"]
                written = {side: total[side]["reminders"]["written"] for side in ("baseline", "candidate")}
                record.change("reminders_written", None, written)
            else:
                record.change("error", None, locked.error)
    return locked


def do_complete_whatif(report_id: int, *, actor: Any) -> WhatIfReport:
    require(actor, Perm.RUN_WHATIF)
    report = WhatIfReport.objects.get(pk=report_id)
    if report.status != WhatIfStatus.QUEUED:
        return report
    try:
        with translation.override("en"):  # the reason kept is for the log and the ledger; the page words its own
            result = do_whatif(candidate_of(report.policy_text), report.first, report.last, actor=actor)
    except WhatIfRefused as refused:
        return _finish(report, actor, status=WhatIfStatus.FAILED, error=str(refused))
    return _finish(report, actor, status=WhatIfStatus.DONE, result=result.as_json())


def do_fail_whatif(report_id: int, error: str, *, actor: Any) -> WhatIfReport:
    report = WhatIfReport.objects.get(pk=report_id)
    return _finish(report, actor, status=WhatIfStatus.FAILED, error=error[:2000])
