"""The policy refuses scorecard weights that let the amount recovered decide alone (Clause: QA-2) — in a policy
file, from Python, and when an administrator adds a version (the action and the admin's form): refused with the
rule named, nothing stored."""

from __future__ import annotations

from decimal import Decimal

import pytest

from arrears.compliance.models import AuditEvent
from arrears.policy import PolicyError, build_policy, parse_policy_toml
from arrears.rules.actions import RuleError, do_add_policy_version
from arrears.rules.models import PolicyVersion
from factories import make_user

RULE = "a collector is never appraised on the amount recovered alone"
PARTS = ("recovery", "promises_kept", "contact", "quality", "complaints", "violations")
QUALITY = "weight_quality must be above 0: call quality counts in every appraisal (QA-2)"


def version(**weights: str) -> str:
    """A policy version setting every scorecard weight (the others 0)."""
    lines = [f"weight_{name} = {weights.get(name, '0')}" for name in PARTS]
    return "effective_from = 2027-01-01\n[scorecard]\n" + "\n".join(lines) + "\n"


AMOUNT_ONLY = {
    "recovery alone": {"recovery": "1"},
    "recovery and quality half each": {"recovery": "0.5", "quality": "0.5"},
    "no quality": {
        "recovery": "0.30",
        "promises_kept": "0.25",
        "contact": "0.25",
        "complaints": "0.1",
        "violations": "0.1",
    },
}


def problems(text: str) -> list[str]:
    with pytest.raises(PolicyError) as info:
        parse_policy_toml(text, "bank.toml")
    return info.value.problems


def test_recovery_alone_is_refused_naming_both_rules():
    """Clause: QA-2 — recovery 1, the rest 0: quality must count, and recovery must be outweighed."""
    assert problems(version(recovery="1")) == [
        "scorecard: weight_quality must be above 0: call quality counts in every appraisal (QA-2), and a collector "
        "is never appraised on the amount recovered alone; weight_recovery (1) must be less than the other weights "
        "without quality together (0): a collector is never appraised on the amount recovered alone"
    ]


def test_recovery_and_quality_half_each_is_refused():
    """Clause: QA-2 — recovery 0.5 and quality 0.5: a month without an inspected call would be recovery alone."""
    assert problems(version(recovery="0.5", quality="0.5")) == [
        "scorecard: weight_recovery (0.5) must be less than the other weights without quality together (0): "
        "a collector is never appraised on the amount recovered alone"
    ]


def test_a_scorecard_without_quality_is_refused():
    """Clause: QA-2 — quality results count in each collector's appraisal: weight_quality 0 is refused even when
    recovery is outweighed."""
    (problem,) = problems(version(**AMOUNT_ONLY["no quality"]))
    assert problem.startswith(f"scorecard: {QUALITY}")
    assert RULE in problem


def test_weights_that_do_not_add_up_to_1_are_refused():
    """The weights are shares of the score: they add up to 1."""
    (problem,) = problems(version(recovery="0.3", promises_kept="0.3", contact="0.3", quality="0.3"))
    assert "the scorecard's weights must add up to 1; they add up to 1.2" in problem


def test_python_callers_meet_the_same_check():
    """Clause: QA-2 — `build_policy` (what `Policy(...)` is built through) refuses the same weights; the defaults
    and a fair bank's own weights pass."""
    half = {f"weight_{name}": {"recovery": "0.5", "quality": "0.5"}.get(name, "0") for name in PARTS}
    with pytest.raises(PolicyError, match=RULE):
        build_policy({"scorecard": half})
    assert build_policy({}).scorecard.weight_recovery == Decimal("0.30")
    fair = build_policy(
        {
            "scorecard": {
                "weight_recovery": "0.25",
                "weight_promises_kept": "0.15",
                "weight_contact": "0.10",
                "weight_quality": "0.30",
                "weight_complaints": "0.10",
                "weight_violations": "0.10",
            }
        }
    )
    assert fair.scorecard.weights()["quality"] == Decimal("0.30")


@pytest.mark.django_db
@pytest.mark.parametrize("case", sorted(AMOUNT_ONLY))
def test_an_administrator_cannot_add_an_amount_only_scorecard(case):
    """Clause: QA-2 — `do_add_policy_version` refuses the version with the rule named; no version, no event."""
    with pytest.raises(RuleError, match=RULE):
        do_add_policy_version(version(**AMOUNT_ONLY[case]), actor=make_user("administrator"), reason="board minute")
    assert (PolicyVersion.objects.count(), AuditEvent.objects.count()) == (0, 0)


@pytest.mark.django_db
def test_the_admin_form_shows_the_rule_and_stores_nothing(client):
    """Clause: QA-2 — through the admin's add form, as an administrator adds a version: a form error naming the
    rule, no version, no event."""
    client.force_login(make_user("administrator"))
    events = AuditEvent.objects.count()
    response = client.post(
        "/admin/rules/policyversion/add/", {"text": version(recovery="0.5", quality="0.5"), "reason": "board minute"}
    )
    assert response.status_code == 200
    assert RULE in response.content.decode()
    assert (PolicyVersion.objects.count(), AuditEvent.objects.count()) == (0, events)
