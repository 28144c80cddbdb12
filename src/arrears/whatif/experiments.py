"""Champion/challenger experiments (issue 23): started and stopped by a supervisor, applied by the nightly run.

- `do_start_experiment(name, strategy_text, share, min_sample, actor=…, today=…, seed=None)`
  (`reports.experiment`): the strategy is checked (`strategies.parse_strategy`) and laid over the policy in force
  today (`strategies.challenger_policy`); the share lies strictly between 0 and 1 with at most 4 decimals; one
  experiment runs at a time. The seed, given or drawn, is kept: the assignment can be checked from it alone
  (`arms.arm_of`). Audited.
- `do_stop_experiment(experiment, actor=…, today=…, reason=…)`: stopped from that night on. Audited.
- `night_plan(day, champion)`: the experiment running on `day`, with the challenger's terms — or None when none
  runs, or when its strategy no longer fits the policy in force (a later version changed a neighbouring value):
  then every borrower is worked under the champion that night and the run's summary says why.
- `decide_night(inputs, terms, plan, decider, calendar)`: the night's decisions — the challenger's borrowers (those
  whose seeded hash falls in the share and who have no open case opened before the experiment started: only new
  cases take part) decided under the challenger's terms, the others under the champion's, each with the instalments
  of its own reminder horizon; the engine decides each borrower on their own rows, so the two halves join into
  one night.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

import polars as pl
from django.utils.translation import gettext as _

from arrears.accounts.permissions import Perm
from arrears.compliance.actions import audited, require
from arrears.compliance.codes import ActionCode
from arrears.engine.params import Terms
from arrears.engine.runner import Decisions, joined, subset_of
from arrears.engine.schema import Inputs
from arrears.policy import Policy, PolicyError
from arrears.rules.queries import policy_book
from arrears.whatif.arms import CHALLENGER, arms_of
from arrears.whatif.errors import ExperimentError
from arrears.whatif.models import Experiment, ExperimentStatus
from arrears.whatif.scripts import check_script
from arrears.whatif.strategies import challenger_policy, parse_strategy

__all__ = [
    "ExperimentError",
    "NightPlan",
    "decide_night",
    "do_start_experiment",
    "do_stop_experiment",
    "night_plan",
    "reach",
]

MAX_NAME, MAX_SAMPLE = 200, 1_000_000


def _share(value: Any) -> Decimal:
    text = str(value).strip()
    try:  # ASCII only: Decimal() would also read full-width and other digits
        share = Decimal(text) if text.isascii() else None
    except InvalidOperation:
        share = None
    if share is None or not share.is_finite() or not 0 < share < 1 or share.as_tuple().exponent < -4:
        raise ExperimentError(
            _("The challenger's share is a number between 0 and 1 with at most 4 decimals, e.g. 0.2 for a fifth.")
        )
    return share


def do_start_experiment(
    name: str, strategy_text: str, share: Any, min_sample: int, *, actor: Any, today: date, seed: str | None = None
) -> Experiment:
    require(actor, Perm.RUN_EXPERIMENT)
    name = (name or "").strip()
    if not name or len(name) > MAX_NAME or "\x00" in name:
        raise ExperimentError(_("Give the experiment a name of at most %(n)s characters.") % {"n": MAX_NAME})
    try:
        changes = parse_strategy(strategy_text)
        challenger_policy(policy_book().on(today), changes)
    except PolicyError as exc:
        raise ExperimentError(_("The strategy is not valid:"), tuple(exc.problems)) from None
    check_script(changes)
    ratio = _share(share)
    if isinstance(min_sample, bool) or not isinstance(min_sample, int) or not 1 <= min_sample <= MAX_SAMPLE:
        raise ExperimentError(
            _("The cases per arm before the difference is read: a whole number from 1 to %(n)s.")
            % {"n": f"{MAX_SAMPLE:,}"}
        )
    if Experiment.objects.filter(status=ExperimentStatus.RUNNING).exists():
        raise ExperimentError(_("An experiment is running already: stop it before starting another."))
    seed = seed or f"exp-{secrets.token_hex(8)}"
    with audited(actor, ActionCode.START_EXPERIMENT, permission=Perm.RUN_EXPERIMENT, subject=None) as record:
        experiment = Experiment.objects.create(
            name=name,
            strategy_text=strategy_text,
            seed=seed,
            share=ratio,
            min_sample=min_sample,
            started_on=today,
            started_by=actor,
        )
        record.set_subject(experiment)
        for key, value in (("name", name), ("seed", seed), ("share", str(ratio)), ("min_sample", min_sample)):
            record.change(key, None, value)
        record.change(
            "strategy", None, {f"{s}.{k}": str(v) for s, values in changes.items() for k, v in values.items()}
        )
    return experiment


def do_stop_experiment(experiment: Experiment, *, actor: Any, today: date, reason: str) -> Experiment:
    require(actor, Perm.RUN_EXPERIMENT)
    if not (reason or "").strip():
        raise ExperimentError(_("Say why the experiment stops."))
    with audited(
        actor, ActionCode.STOP_EXPERIMENT, permission=Perm.RUN_EXPERIMENT, subject=experiment, reason=reason
    ) as record:
        locked = Experiment.objects.select_for_update().get(pk=experiment.pk)
        if locked.status != ExperimentStatus.RUNNING:
            raise ExperimentError(_("This experiment has stopped already."))
        locked.status, locked.stopped_on, locked.stopped_by = (
            ExperimentStatus.STOPPED,
            max(today, locked.started_on),
            actor,
        )
        locked.save(update_fields=["status", "stopped_on", "stopped_by"])
        record.change("status", ExperimentStatus.RUNNING, ExperimentStatus.STOPPED)
        record.change("stopped_on", None, locked.stopped_on)
    return locked


@dataclass(frozen=True)
class NightPlan:
    experiment: Experiment
    terms: Terms | None  # the challenger's; None when its strategy does not fit the policy in force tonight
    problem: str = ""


def night_plan(day: date, champion: Policy) -> NightPlan | None:
    """The experiment in force on `day` (started by then, not stopped before it), with the challenger's terms."""
    experiment = Experiment.on(day)
    if experiment is None:
        return None
    try:
        policy = challenger_policy(champion, parse_strategy(experiment.strategy_text))
    except PolicyError as exc:
        return NightPlan(experiment, None, "; ".join(exc.problems))
    return NightPlan(experiment, Terms.of(policy, day))


def reach(terms: Terms, plan: NightPlan | None) -> Terms:
    """The terms whose reminder horizon the night's read must reach: the farther of the champion's and the
    challenger's."""
    if plan is not None and plan.terms is not None and plan.terms.horizon > terms.horizon:
        return plan.terms
    return terms


def challengers(experiment: Experiment, inputs: Inputs) -> list[int]:
    """The borrowers of tonight's inputs in the challenger's arm: their seeded hash in the share, and no open case
    opened before the experiment started."""
    before = (
        inputs.cases.filter((pl.col("status") == "open") & (pl.col("opened_on") < experiment.started_on))
        .select("borrower_id")
        .collect()["borrower_id"]
    )
    old = set(before.to_list())
    borrowers = inputs.borrowers.select("borrower_id").unique().collect()["borrower_id"].to_list()
    new = [b for b in borrowers if b not in old]
    return sorted(
        b for b, arm in zip(new, arms_of(experiment.seed, new, experiment.share), strict=True) if arm == CHALLENGER
    )


def _within(inputs: Inputs, terms: Terms) -> Inputs:
    return replace(inputs, instalments=inputs.instalments.filter(pl.col("due_date") <= terms.horizon))


def decide_night(inputs: Inputs, terms: Terms, plan: NightPlan | None, decider, calendar) -> tuple[Decisions, int]:
    """The night's decisions and how many borrowers were decided under the challenger."""
    if plan is None or plan.terms is None:  # read to the champion's own horizon: nothing to narrow
        return decider(inputs, terms, calendar), 0
    ids = challengers(plan.experiment, inputs)
    if not ids:
        return decider(_within(inputs, terms), terms, calendar), 0
    chosen = pl.LazyFrame({"borrower_id": ids}, schema={"borrower_id": pl.Int64})
    champion = decider(_within(subset_of(inputs, chosen, keep=False), terms), terms, calendar)
    challenger = decider(_within(subset_of(inputs, chosen), plan.terms), plan.terms, calendar)
    return joined(champion, challenger), len(ids)
