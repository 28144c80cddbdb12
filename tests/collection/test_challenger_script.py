"""The call script as a champion/challenger strategy (issue 23, LANG-2): a strategy names a call script version
legal review approved; the challenger's cases show it on the call page, the others the script in force; a draft or
a withdrawn version is refused at the start, and withdrawn later gives way to the script in force."""

from __future__ import annotations

import pytest
from desk import AS_OF, WORKING_HOURS, open_desk

from arrears.collection import views
from arrears.compliance.models import AuditEvent
from arrears.notices.models import Template
from arrears.notices.template_actions import (
    do_retire_template,
    do_review_template,
    do_submit_template,
    do_write_template,
)
from arrears.whatif.arms import CHALLENGER, CHAMPION, arm_of
from arrears.whatif.errors import ExperimentError
from arrears.whatif.experiments import do_start_experiment
from arrears.whatif.models import Experiment
from arrears.whatif.scripts import usable_script
from arrears.whatif.strategies import parse_strategy
from factories import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def desk_clock(monkeypatch):
    monkeypatch.setattr(views, "now", lambda: WORKING_HOURS)


def version(n: int) -> Template:
    return Template.objects.get(purpose="call_script", language="zh-hans", version=n)


def approve_next(writer, lawyer, words: str) -> Template:
    """A new version of the Chinese call script, `words` added to the approved one's first step, approved."""
    body = Template.objects.filter(purpose="call_script", language="zh-hans").order_by("-version").first().body
    draft = do_write_template("call_script", "zh-hans", subject="", body=f"{words}{body}", actor=writer)
    return do_review_template(do_submit_template(draft, actor=writer), approve=True, actor=lawyer)


@pytest.fixture
def scripts():
    """The Chinese call script's versions: v1 approved, then replaced by v2's approval, v2 replaced by v3's; v3
    withdrawn by legal review; v4 a draft; v5 approved, the script in force."""
    writer, lawyer = make_user("compliance_officer"), make_user("legal_officer")
    do_review_template(version(1), approve=True, actor=lawyer)
    approve_next(writer, lawyer, "【第二版】")
    approve_next(writer, lawyer, "【第三版】")
    do_retire_template(version(3), actor=lawyer, reason="措辞不当")
    do_write_template("call_script", "zh-hans", subject="", body=f"【第四版】{version(3).body}", actor=writer)
    approve_next(writer, lawyer, "【第五版】")
    return {"writer": writer, "lawyer": lawyer}


def test_only_a_version_legal_review_approved_may_be_named(scripts):
    """Clause: LANG-2 — the approved version (v5) and those a later approval replaced (v1, v2) may be named; the one
    withdrawn (v3), the draft (v4) and one that does not exist may not, and a start naming them is refused with
    nothing stored."""
    assert [v for v in range(1, 7) if usable_script(v, "zh-hans") is not None] == [1, 2, 5]
    boss = make_user("supervisor")
    for bad in (3, 4, 6):
        events = AuditEvent.objects.count()
        with pytest.raises(ExperimentError, match=f"version {bad} in Chinese is not one legal review approved"):
            do_start_experiment("旧话术", f"[script]\nversion = {bad}\n", "0.5", 10, actor=boss, today=AS_OF)
        assert Experiment.objects.count() == 0
        assert AuditEvent.objects.count() == events
    assert do_start_experiment("旧话术", "[script]\nversion = 2\n", "0.5", 10, actor=boss, today=AS_OF).pk


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("[script]\nversion = 0\n", "script.version = 0: a version number from 1"),
        ("[script]\nversion = true\n", "script.version = True"),
        ("[script]\nname = 2\n", "script: one key, version"),
        ("script = 2\n", "script: one key, version"),
    ],
)
def test_a_bad_script_key_is_refused(text, said):
    """Clause: LANG-2 — the script section has one key, a version number."""
    from arrears.policy import PolicyError

    with pytest.raises(PolicyError) as refused:
        parse_strategy(text)
    assert said in str(refused.value)


def test_the_challengers_cases_show_the_named_script_and_the_others_the_one_in_force(scripts, client):
    """Clause: LANG-2, CALL-1 — an experiment naming v2 (a seed found so that B45's borrower is the challenger's and
    F20's the champion's): B45's call page shows v2's words, F20's v5's; once the experiment stops B45's shows v5."""
    desk = open_desk([("B45", 45, "8000", "low"), ("F20", 20, "12000", "low")], {"supervisor": 1})
    challenger, champion = desk["cases"]["B45"], desk["cases"]["F20"]
    seed = next(
        f"s{i}"
        for i in range(200)
        if arm_of(f"s{i}", challenger.borrower_id, "0.5") == CHALLENGER
        and arm_of(f"s{i}", champion.borrower_id, "0.5") == CHAMPION
    )
    boss = desk["users"]["supervisor"][0]
    experiment = do_start_experiment("旧话术", "[script]\nversion = 2\n", "0.5", 10, actor=boss, today=AS_OF, seed=seed)
    client.force_login(boss)
    shown = client.get(f"/cases/{challenger.pk}/call/").content.decode()
    assert "【第二版】" in shown
    assert "v2 ·" in shown
    other = client.get(f"/cases/{champion.pk}/call/").content.decode()
    assert "【第五版】" in other
    assert "v5 ·" in other
    Experiment.objects.filter(pk=experiment.pk).update(status="stopped", stopped_on=AS_OF, stopped_by=boss)
    assert "【第五版】" in client.get(f"/cases/{challenger.pk}/call/").content.decode()
