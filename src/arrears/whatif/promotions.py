"""Promoting an experiment's challenger to the bank's policy (issue 23), maker–checker.

- `promoted_version(experiment, effective_from)`: the policy version the challenger becomes — the version in force
  on `effective_from` with the experiment's strategy laid over it (`strategies.challenger_policy`), written as the
  TOML `arrears policy check` reads (every parameter that differs from the SPEC's defaults, so the version reads on
  its own like any other) and checked as a new version would be (`rules.actions.checked_version`). A strategy's
  call script version is not a policy value: it is left out (legal review makes a script everyone's), and a
  strategy that changes nothing else cannot be promoted.
- `do_propose_promotion(experiment, effective_from, reason, actor=…, today=…)` (`reports.experiment`): a supervisor
  proposes it from a date after the business date (a version never changes nights already run), one proposal per
  experiment at a time. Audited, with the version's parameters.
- `do_decide_promotion(promotion, approve, note, actor=…, today=…)`: a second supervisor — never the one who
  proposed it, also a database constraint — approves it, which stores the policy version in the same transaction
  (`rules.actions.store_version`; the maker and the checker are both in the ledger), or rejects it with a note.
  A proposal whose date has come by the time it is decided is refused: propose it again from a later date.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import tomli_w
from django.utils import timezone
from django.utils.translation import gettext as _

from arrears.accounts.permissions import Perm
from arrears.compliance.actions import audited, require
from arrears.compliance.codes import ActionCode
from arrears.policy import PolicyError
from arrears.policy.versions import PolicyVersion as Version
from arrears.rules.actions import RuleError, checked_version, store_version
from arrears.rules.queries import policy_book
from arrears.whatif.errors import ExperimentError
from arrears.whatif.models import Experiment, Promotion, PromotionStatus
from arrears.whatif.strategies import challenger_policy, parse_strategy

__all__ = ["do_decide_promotion", "do_propose_promotion", "promoted_version"]

MAX_NAME = 120


def _toml_value(value: Any) -> Any:
    return list(value) if isinstance(value, tuple) else value


def promoted_version(experiment: Experiment, effective_from: date) -> tuple[str, Version]:
    """The TOML of the version the challenger becomes from `effective_from`, and the version read back from it."""
    champion = policy_book().on(effective_from)
    try:
        changes = parse_strategy(experiment.strategy_text)
        policy = challenger_policy(champion, changes)
    except PolicyError as exc:
        raise ExperimentError(
            _("The strategy no longer fits the policy in force on that date:"), tuple(exc.problems)
        ) from None
    if policy == champion:
        raise ExperimentError(
            _(
                "The strategy changes no policy value, only the call script: the script becomes everyone's when "
                "legal review approves that version again as the current one."
            )
        )
    sections: dict[str, dict[str, Any]] = {}
    for dotted, value in Version(effective_from, policy).overrides().items():
        section, key = dotted.split(".", 1)
        sections.setdefault(section, {})[key] = _toml_value(value)
    name = f"{experiment.name} (experiment {experiment.pk})"[:MAX_NAME]
    text = tomli_w.dumps({"effective_from": effective_from, "name": name, **sections})
    try:
        return text, checked_version(text, source=f"experiment {experiment.pk}")
    except RuleError as exc:
        raise ExperimentError(_("The challenger cannot become a policy version:"), (str(exc),)) from None


def _after_today(effective_from: date, today: date) -> None:
    if effective_from <= today:
        raise ExperimentError(
            _("A new policy version governs nights not yet run: choose a date from %(day)s on.")
            % {"day": (today + timedelta(days=1)).isoformat()}
        )


def do_propose_promotion(
    experiment: Experiment, effective_from: date, reason: str, *, actor: Any, today: date
) -> Promotion:
    require(actor, Perm.RUN_EXPERIMENT)
    reason = (reason or "").strip()
    if not reason or "\x00" in reason:
        raise ExperimentError(_("Say why the challenger should become the policy: the outcomes that show it."))
    _after_today(effective_from, today)
    if experiment.promotions.filter(status=PromotionStatus.PROPOSED).exists():
        raise ExperimentError(_("This experiment's challenger is proposed already: approve or reject that first."))
    text, version = promoted_version(experiment, effective_from)
    with audited(
        actor, ActionCode.PROPOSE_PROMOTION, permission=Perm.RUN_EXPERIMENT, subject=experiment, reason=reason
    ) as record:
        promotion = Promotion.objects.create(
            experiment=experiment,
            effective_from=effective_from,
            name=version.name,
            text=text,
            reason=reason,
            proposed_by=actor,
            proposed_at=timezone.now(),
        )
        record.change("promotion", None, promotion.pk)
        record.change("effective_from", None, effective_from)
        for key, value in version.overrides().items():
            record.change(key, None, str(value))
    return promotion


def do_decide_promotion(promotion: Promotion, approve: bool, note: str, *, actor: Any, today: date) -> Promotion:
    require(actor, Perm.RUN_EXPERIMENT)
    note = (note or "").strip()
    if "\x00" in note or (not approve and not note):
        raise ExperimentError(_("Say why the proposal is rejected."))
    if promotion.proposed_by_id == actor.pk:
        raise ExperimentError(
            _("You proposed this yourself; another supervisor must approve or reject it (maker–checker).")
        )
    with audited(
        actor,
        ActionCode.DECIDE_PROMOTION,
        permission=Perm.RUN_EXPERIMENT,
        subject=promotion.experiment,
        reason=note,
        approval=f"promotion:{promotion.pk}",
    ) as record:
        locked = Promotion.objects.select_for_update().get(pk=promotion.pk)
        if locked.status != PromotionStatus.PROPOSED:
            raise ExperimentError(_("This proposal has been decided already."))
        record.change("promotion", None, locked.pk)
        if approve:
            _after_today(locked.effective_from, today)
            try:
                version = checked_version(locked.text, source=f"promotion {locked.pk}")
            except RuleError as exc:
                raise ExperimentError(_("The challenger cannot become a policy version:"), (str(exc),)) from None
            locked.policy_version = store_version(locked.text, version, actor=actor, record=record)
            record.change("policy_version", None, locked.policy_version.pk)
        locked.status = PromotionStatus.APPROVED if approve else PromotionStatus.REJECTED
        locked.decided_by, locked.decided_at, locked.note = actor, timezone.now(), note
        locked.save(update_fields=["status", "decided_by", "decided_at", "note", "policy_version"])
        record.change("status", PromotionStatus.PROPOSED, locked.status)
    return locked
