"""Champion/challenger on the workstation (issue 23): started, read, stopped and promoted on the pages, in the
reader's language; the outcomes with their intervals and the small-sample warning; refusals answered with what is
wrong and nothing changed."""

from __future__ import annotations

import re
from datetime import date

import pytest
from outcomes_book import build_outcomes_book

from arrears.compliance.models import AuditEvent
from arrears.rules.models import PolicyVersion
from arrears.whatif.models import Experiment, Promotion
from factories import make_user

pytestmark = pytest.mark.django_db

ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
START = {"name": "五天前提醒", "strategy": "[reminders]\nadvance_days = 5\n", "share": "0.2", "min_sample": "200"}


def signed_in(client, role: str, **extra):
    user = make_user(role, **extra)
    client.force_login(user)
    return user


def book_state() -> tuple:
    return (
        list(Experiment.objects.values_list("status", "stopped_on")),
        list(Promotion.objects.values_list("status", "policy_version")),
        PolicyVersion.objects.count(),
        AuditEvent.objects.count(),
    )


def test_a_supervisor_starts_one_on_the_page(client):
    """Clause: AUTH-4 — started on the page (audited), shown with its seed and, before any night, the warning that
    there are too few cases to read."""
    boss = signed_in(client, "supervisor")
    answer = client.post("/reports/experiments/start/", START, **ZH)
    found = Experiment.objects.get()
    assert answer.status_code == 302
    assert answer["Location"] == f"/reports/experiments/{found.pk}/"
    assert (found.started_by, found.min_sample, str(found.share)) == (boss, 200, "0.2000")
    page = client.get(answer["Location"], **ZH).content.decode()
    assert found.seed in page
    assert 'id="small-sample"' in page
    assert "样本不足" in page
    assert AuditEvent.objects.filter(action="reports.start_experiment", actor=boss).count() == 1


@pytest.mark.parametrize(
    ("field", "value", "words"),
    [
        ("share", "1.5", "at most 4 decimals"),
        ("share", "０.２", "at most 4 decimals"),
        ("min_sample", "99999999999999999999", "a whole number"),
        ("min_sample", "２００", "a whole number"),
        ("strategy", "[penalty]\nmarkup = 0.4\n", "The strategy is not valid"),
        ("name", "a\x00b", "NUL character"),
        ("seed", "x" * 65, "at most 64 characters"),
    ],
)
def test_bad_input_is_answered_with_what_is_wrong(client, field, value, words):
    """Clause: AUTH-4 — each fault answered 400 on the page, in the reader's language, nothing stored."""
    signed_in(client, "supervisor")
    before = book_state()
    answer = client.post("/reports/experiments/start/", {**START, field: value}, **EN)
    assert answer.status_code == 400
    assert words in answer.content.decode()
    assert book_state() == before


def test_analysts_read_but_do_not_start(client):
    """Clause: AUTH-1 — an analyst opens the list without the start form and is refused the start, nothing changed;
    a collector is refused the list."""
    signed_in(client, "analyst")
    page = client.get("/reports/experiments/", **EN)
    assert page.status_code == 200
    assert 'id="start-experiment"' not in page.content.decode()
    before = book_state()
    assert client.post("/reports/experiments/start/", START, **EN).status_code == 403
    assert book_state() == before
    signed_in(client, "junior_collector")
    assert client.get("/reports/experiments/", **EN).status_code == 403


def test_the_outcomes_page_shows_each_arm_and_the_intervals(client):
    """Clause: KPI-1 — the worked book's figures as percentages, the counts beside them, the Newcombe interval of
    the 30-day cure rate (1 of 3 against 2 of 2), and the rows below the sample marked."""
    experiment = build_outcomes_book()
    signed_in(client, "analyst")
    page = client.get(f"/reports/experiments/{experiment.pk}/", **EN).content.decode()
    row = re.search(r'<tr id="outcome-cured_30"[^>]*>(.*?)</tr>', page, re.S).group(1)
    assert "33.33 %" in row
    assert "(1 / 3)" in row
    assert "100.00 %" in row
    assert "(2 / 2)" in row
    assert "+66.67 %" in row or "66.67 %" in row
    recovery = re.search(r'<tr id="outcome-recovery_rate"[^>]*>(.*?)</tr>', page, re.S).group(1)
    assert "36.67 %" in recovery
    assert "62.50 %" in recovery
    assert 'id="outcome-promises_kept" class="warning"' in page
    assert "too few yet" in page
    assert 'id="small-sample"' in page
    assert 'id="stop-experiment"' not in page  # stopped already, and an analyst


def test_stopped_proposed_and_approved_on_the_pages(client):
    """Clause: AUTH-3 — a supervisor stops it (a reason needed) and proposes the challenger; the page tells them a
    second supervisor decides; the second approves and the policy version is stored."""
    maker = signed_in(client, "supervisor", username="maker")
    client.post("/reports/experiments/start/", START, **ZH)
    found = Experiment.objects.get()
    base = f"/reports/experiments/{found.pk}"
    before = book_state()
    refused = client.post(f"{base}/stop/", {"reason": " "}, **EN)
    assert refused.status_code == 400
    assert "Say why the experiment stops" in refused.content.decode()
    assert book_state() == before
    assert client.post(f"{base}/stop/", {"reason": "样本已足够"}, **ZH).status_code == 302
    assert Experiment.objects.get().status == "stopped"
    bad = client.post(f"{base}/promote/", {"effective_from": "2027-13-01", "why": "x"}, **EN)
    assert bad.status_code == 400
    assert "write a date as YYYY-MM-DD" in bad.content.decode()
    assert (
        client.post(f"{base}/promote/", {"effective_from": "2099-01-05", "why": "回收率更高"}, **ZH).status_code == 302
    )
    proposal = Promotion.objects.get()
    assert proposal.proposed_by == maker
    assert 'id="awaiting-checker"' in client.get(f"{base}/", **EN).content.decode()
    signed_in(client, "supervisor", username="checker")
    assert 'id="decide-promotion"' in client.get(f"{base}/", **EN).content.decode()
    decide = f"/reports/experiments/promotions/{proposal.pk}/decide/"
    assert client.post(decide, {"decision": "maybe"}, **EN).status_code == 400
    assert client.post(decide, {"decision": "approve", "note": ""}, **ZH).status_code == 302
    version = PolicyVersion.objects.get()
    assert version.effective_from == date(2099, 1, 5)
    assert "advance_days = 5" in version.text
    shown = client.get(f"{base}/", **ZH).content.decode()
    assert '<html lang="zh-hans"' in shown
    assert "已批准" in shown
