"""Champion/challenger experiments on the workstation (issue 23). Thin: check, read, call one action, answer.

Read by supervisors and analysts (`reports.whatif`); started, stopped and promoted by supervisors
(`reports.experiment`), and a promotion approved or rejected by a second supervisor (maker–checker).

* `experiments` — GET /reports/experiments/: the experiments, newest first, and the form to start one.
* `start` — POST /reports/experiments/start/ (`experiments.do_start_experiment`).
* `experiment` — GET /reports/experiments/<id>/: its terms, each arm's outcomes and the differences with their
  intervals (`outcomes`), a warning while either arm is below the experiment's sample, the stop form, the
  proposals to promote the challenger and the forms to propose or decide one.
* `stop`, `propose` — POST /reports/experiments/<id>/stop/, …/promote/; `decide` — POST
  /reports/experiments/promotions/<id>/decide/ (`promotions`). A refusal answers the page again with what is wrong
  (400), nothing stored.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from arrears.accounts.permissions import Perm
from arrears.collection.queries import today
from arrears.compliance.actions import require
from arrears.home.inputs import parse_id
from arrears.whatif.errors import ExperimentError
from arrears.whatif.experiments import MAX_SAMPLE, do_start_experiment, do_stop_experiment
from arrears.whatif.models import Experiment, ExperimentStatus, Promotion, PromotionStatus
from arrears.whatif.outcomes import outcomes
from arrears.whatif.promotions import do_decide_promotion, do_propose_promotion
from arrears.whatif.views import parse_date

STRATEGY_EXAMPLE = "[reminders]\nadvance_days = 5\n"


def _percent(value: Decimal | None) -> str:
    return "—" if value is None else f"{value * 100:.2f} %"


def _may_run(request: HttpRequest) -> bool:
    return request.user.has_perm(Perm.RUN_EXPERIMENT)


def _list(request: HttpRequest, *, error: str = "", problems: tuple[str, ...] = (), values=None, status=200):
    context = {
        "experiments": Experiment.objects.select_related("started_by")[:50],
        "running": Experiment.objects.filter(status=ExperimentStatus.RUNNING).exists(),
        "may_run": _may_run(request),
        "example": STRATEGY_EXAMPLE,
        "values": values or {},
        "error": error,
        "problems": problems,
        "max_sample": MAX_SAMPLE,
    }
    return render(request, "whatif/experiments.html", context, status=status)


@login_required
@require_GET
def experiments(request: HttpRequest) -> HttpResponse:
    require(request.user, Perm.RUN_WHATIF)
    return _list(request)


def _whole(text: str) -> int | None:
    text = text.strip()
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 9 else None


@login_required
@require_POST
def start(request: HttpRequest) -> HttpResponse:
    require(request.user, Perm.RUN_EXPERIMENT)
    values = {name: request.POST.get(name, "") for name in ("name", "strategy", "share", "min_sample", "seed")}
    try:
        minimum = _whole(values["min_sample"])
        if minimum is None:
            raise ExperimentError(
                _("The cases per arm before the difference is read: a whole number from 1 to %(n)s.")
                % {"n": f"{MAX_SAMPLE:,}"}
            )
        seed = values["seed"].strip()
        if len(seed) > 64 or "\x00" in seed:
            raise ExperimentError(_("A seed is at most 64 characters; leave it empty to have one drawn."))
        found = do_start_experiment(
            values["name"], values["strategy"], values["share"], minimum, actor=request.user, today=today(), seed=seed
        )
    except ExperimentError as refused:
        return _list(request, error=refused.message, problems=refused.problems, values=values, status=400)
    return redirect("experiments:experiment", experiment_id=found.pk)


def _experiment_of(experiment_id: str) -> Experiment:
    found = (
        Experiment.objects.select_related("started_by", "stopped_by").filter(pk=parse_id(experiment_id) or 0).first()
    )
    if found is None:
        raise Http404(_("No such experiment."))
    return found


def _measure_rows(result) -> list[dict[str, Any]]:
    rows = []
    for measure in result.measures:
        diff = measure.difference
        rows.append(
            {
                "key": measure.key,
                "words": measure.words,
                "champion": measure.champion,
                "challenger": measure.challenger,
                "champion_shown": _percent(measure.champion.value),
                "challenger_shown": _percent(measure.challenger.value),
                "estimate": None if diff is None else _percent(diff.estimate),
                "interval": None if diff is None else f"{_percent(diff.low)} … {_percent(diff.high)}",
                "clear": diff is not None and diff.excludes_zero,
                "better": diff is not None and diff.excludes_zero and (diff.estimate > 0) == measure.higher_is_better,
                "enough": measure.enough,
                "rate": measure.champion.successes is not None,  # a rate shows its counts
            }
        )
    return rows


def _page(request: HttpRequest, found: Experiment, *, error="", problems=(), values=None, status=200):
    result = outcomes(found)
    promotions = list(found.promotions.select_related("proposed_by", "decided_by", "policy_version"))
    context = {
        "experiment": found,
        "outcomes": result,
        "rows": _measure_rows(result),
        "promotions": promotions,
        "pending": next((p for p in promotions if p.status == PromotionStatus.PROPOSED), None),
        "may_run": _may_run(request),
        "values": values or {},
        "error": error,
        "problems": problems,
        "today": today(),
    }
    return render(request, "whatif/experiment.html", context, status=status)


@login_required
@require_GET
def experiment(request: HttpRequest, experiment_id: str) -> HttpResponse:
    require(request.user, Perm.RUN_WHATIF)
    return _page(request, _experiment_of(experiment_id))


@login_required
@require_POST
def stop(request: HttpRequest, experiment_id: str) -> HttpResponse:
    require(request.user, Perm.RUN_EXPERIMENT)
    found = _experiment_of(experiment_id)
    values = {"reason": request.POST.get("reason", "")}
    try:
        do_stop_experiment(found, actor=request.user, today=today(), reason=values["reason"])
    except ExperimentError as refused:
        return _page(request, found, error=refused.message, values=values, status=400)
    return redirect("experiments:experiment", experiment_id=found.pk)


@login_required
@require_POST
def propose(request: HttpRequest, experiment_id: str) -> HttpResponse:
    require(request.user, Perm.RUN_EXPERIMENT)
    found = _experiment_of(experiment_id)
    values = {name: request.POST.get(name, "") for name in ("effective_from", "why")}
    try:
        effective = parse_date(values["effective_from"], _("In force from"), ExperimentError)
        do_propose_promotion(found, effective, values["why"], actor=request.user, today=today())
    except ExperimentError as refused:
        return _page(request, found, error=refused.message, problems=refused.problems, values=values, status=400)
    return redirect("experiments:experiment", experiment_id=found.pk)


@login_required
@require_POST
def decide(request: HttpRequest, promotion_id: str) -> HttpResponse:
    require(request.user, Perm.RUN_EXPERIMENT)
    promotion = Promotion.objects.select_related("experiment").filter(pk=parse_id(promotion_id) or 0).first()
    if promotion is None:
        raise Http404(_("No such proposal."))
    decision = request.POST.get("decision", "")
    values = {"note": request.POST.get("note", "")}
    try:
        if decision not in ("approve", "reject"):
            raise ExperimentError(_("Approve or reject the proposal with one of its two buttons."))
        do_decide_promotion(promotion, decision == "approve", values["note"], actor=request.user, today=today())
    except ExperimentError as refused:
        return _page(
            request, promotion.experiment, error=refused.message, problems=refused.problems, values=values, status=400
        )
    return redirect("experiments:experiment", experiment_id=promotion.experiment_id)
