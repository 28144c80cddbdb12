"""`arrears experiment …`: champion/challenger experiments (issue 23) from the command line, as a supervisor.

`arrears experiment start --name NAME --strategy FILE --share S --min-sample N --user SUPERVISOR [--seed SEED]`
starts one on the business date (the newest feed's): FILE is TOML of the sections `reminders`, `calls` and `letters`
only (`arrears.whatif.strategies`), S the challenger's share of new cases (0 < S < 1, at most 4 decimals), N the
cases per arm before the difference is read. The seed is drawn unless given; it is printed, and the arms can be
checked from it alone. `arrears experiment stop --user SUPERVISOR --reason TEXT` stops the running one from that
night on. `arrears experiment show [--json]` prints the running or latest experiment: `{"id", "name", "status",
"seed", "share", "min_sample", "started_on", "stopped_on", "strategy", "outcomes"}`, the outcomes per arm with the
differences and their intervals (`arrears.whatif.outcomes`). `arrears experiment promote --effective-from D --reason
TEXT --user SUPERVISOR` proposes the latest experiment's challenger as the policy version from D;
`arrears experiment approve|reject --user SUPERVISOR [--note TEXT]` decides the pending proposal as a second
supervisor (maker–checker; approving stores the version). Refusals exit 1 saying what is wrong.
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from arrears.cli.feed import actor_named
from arrears.cli.web import setup_django


@click.group("experiment")
def experiment() -> None:
    """Champion/challenger experiments: start, stop, show."""


def _refused(exc) -> click.ClickException:
    return click.ClickException(str(exc))


@experiment.command("start")
@click.option("--name", required=True, help="What the experiment tries, in a few words.")
@click.option("--strategy", "strategy_file", type=click.Path(dir_okay=False, path_type=Path), required=True)
@click.option("--share", required=True, help="The challenger's share of new cases, e.g. 0.2.")
@click.option("--min-sample", type=click.IntRange(min=1), required=True, help="Cases per arm before reading.")
@click.option("--user", "username", required=True, help="The supervisor who starts it.")
@click.option("--seed", default=None, help="The assignment's seed (drawn when not given).")
def start(name: str, strategy_file: Path, share: str, min_sample: int, username: str, seed: str | None) -> None:
    """Start a champion/challenger experiment on the business date."""
    try:
        text = strategy_file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise click.ClickException(f"{strategy_file}: cannot be read as UTF-8 text ({exc})") from None
    setup_django()
    from django.utils import translation

    from arrears.collection.queries import today
    from arrears.compliance.actions import ActionDenied
    from arrears.whatif.experiments import ExperimentError, do_start_experiment

    actor = actor_named(username)
    with translation.override("en"):
        try:
            found = do_start_experiment(name, text, share, min_sample, actor=actor, today=today(), seed=seed)
        except (ExperimentError, ActionDenied) as exc:
            raise _refused(exc) from None
    click.echo(
        f"experiment {found.pk} started on {found.started_on}: seed {found.seed}, challenger share {found.share}"
    )


@experiment.command("stop")
@click.option("--user", "username", required=True, help="The supervisor who stops it.")
@click.option("--reason", required=True, help="Why it stops.")
def stop(username: str, reason: str) -> None:
    """Stop the running experiment from the business date on."""
    setup_django()
    from django.utils import translation

    from arrears.collection.queries import today
    from arrears.compliance.actions import ActionDenied
    from arrears.whatif.experiments import ExperimentError, do_stop_experiment
    from arrears.whatif.models import Experiment, ExperimentStatus

    actor = actor_named(username)
    running = Experiment.objects.filter(status=ExperimentStatus.RUNNING).first()
    if running is None:
        raise click.ClickException("no experiment is running")
    with translation.override("en"):
        try:
            found = do_stop_experiment(running, actor=actor, today=today(), reason=reason)
        except (ExperimentError, ActionDenied) as exc:
            raise _refused(exc) from None
    click.echo(f"experiment {found.pk} stopped on {found.stopped_on}")


@experiment.command("show")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def show(as_json: bool) -> None:
    """The running experiment, or the latest one."""
    setup_django()
    from arrears.whatif.outcomes import outcomes

    found = _latest()
    shown = {
        "id": found.pk,
        "name": found.name,
        "status": found.status,
        "seed": found.seed,
        "share": format(found.share.normalize(), "f"),
        "min_sample": found.min_sample,
        "started_on": found.started_on.isoformat(),
        "stopped_on": found.stopped_on.isoformat() if found.stopped_on else None,
        "strategy": found.strategy_text,
        "outcomes": outcomes(found).as_json(),
    }
    if as_json:
        click.echo(json.dumps(shown, ensure_ascii=False))
        return
    for key, value in shown.items():
        if key != "outcomes":
            click.echo(f"{key}: {value}")
    for measure in shown["outcomes"]["measures"]:
        diff = measure["difference"]
        click.echo(
            f"{measure['key']}: champion {measure['champion']['value']} (n={measure['champion']['n']}), "
            f"challenger {measure['challenger']['value']} (n={measure['challenger']['n']}), difference "
            + ("-" if diff is None else f"{diff['estimate']} [{diff['low']}, {diff['high']}]")
            + ("" if measure["enough"] else " (too few cases yet)")
        )


def _latest():
    from arrears.whatif.models import Experiment

    found = Experiment.objects.order_by("-started_on", "-id").first()
    if found is None:
        raise click.ClickException("no experiment has been started")
    return found


@experiment.command("promote")
@click.option("--effective-from", "effective_from", type=click.DateTime(formats=["%Y-%m-%d"]), required=True)
@click.option("--reason", required=True, help="Why the challenger should become the policy.")
@click.option("--user", "username", required=True, help="The supervisor who proposes it.")
def promote(effective_from, reason: str, username: str) -> None:
    """Propose the latest experiment's challenger as the policy version from a later date."""
    setup_django()
    from django.utils import translation

    from arrears.collection.queries import today
    from arrears.compliance.actions import ActionDenied
    from arrears.whatif.promotions import ExperimentError, do_propose_promotion

    actor, found = actor_named(username), _latest()
    with translation.override("en"):
        try:
            proposal = do_propose_promotion(found, effective_from.date(), reason, actor=actor, today=today())
        except (ExperimentError, ActionDenied) as exc:
            raise _refused(exc) from None
    click.echo(f"promotion {proposal.pk} proposed from {proposal.effective_from}; another supervisor decides it")
    click.echo(proposal.text, nl=False)


def _decide(username: str, note: str, approve: bool) -> None:
    setup_django()
    from django.utils import translation

    from arrears.collection.queries import today
    from arrears.compliance.actions import ActionDenied
    from arrears.whatif.models import PromotionStatus
    from arrears.whatif.promotions import ExperimentError, do_decide_promotion

    actor, found = actor_named(username), _latest()
    pending = found.promotions.filter(status=PromotionStatus.PROPOSED).first()
    if pending is None:
        raise click.ClickException(f"experiment {found.pk} has no proposal waiting for a decision")
    with translation.override("en"):
        try:
            decided = do_decide_promotion(pending, approve, note, actor=actor, today=today())
        except (ExperimentError, ActionDenied) as exc:
            raise _refused(exc) from None
    if decided.policy_version_id:
        click.echo(
            f"promotion {decided.pk} approved: policy version {decided.policy_version_id} from {decided.effective_from}"
        )
    else:
        click.echo(f"promotion {decided.pk} rejected")


@experiment.command("approve")
@click.option("--user", "username", required=True, help="A supervisor other than the one who proposed it.")
@click.option("--note", default="", help="A note on the decision.")
def approve(username: str, note: str) -> None:
    """Approve the pending proposal: the challenger becomes a policy version."""
    _decide(username, note, True)


@experiment.command("reject")
@click.option("--user", "username", required=True, help="A supervisor other than the one who proposed it.")
@click.option("--note", required=True, help="Why it is rejected.")
def reject(username: str, note: str) -> None:
    """Reject the pending proposal."""
    _decide(username, note, False)
