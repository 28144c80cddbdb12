"""Inspected calls reviewed by people (QA-1) and the monthly quality score (QA-2)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from review_book import CLEAN, DAY, FLAGGED, agency, make_call, make_case, people, sample_share

from arrears.agencies.commissions import Month
from arrears.complaints.models import Violation
from arrears.compliance.actions import ActionDenied
from arrears.compliance.models import AuditEvent
from arrears.quality.models_inspection import FindingVerdict, Inspection, Review, Transcript
from arrears.quality.reviews import QualityConflict, QualityError, Verdict, do_record_transcript, do_review, in_sample
from arrears.quality.scores import monthly_scores
from factories import make_user

pytestmark = pytest.mark.django_db


def state() -> tuple:
    return (
        Transcript.objects.count(),
        Inspection.objects.count(),
        Review.objects.count(),
        FindingVerdict.objects.count(),
        Violation.objects.count(),
        AuditEvent.objects.count(),
    )


def test_a_flagged_transcript_is_kept_inspected_and_queued_for_review():
    """Clause: QA-1 — the platform's transcript is kept with its SHA-256, inspected at once, and every flagged call
    goes to a person's review; the audit event names the score and the findings."""
    who = people()
    call = make_call(make_case(), who["junior"])
    inspection = do_record_transcript(call, FLAGGED, source="platform", actor=who["platform"], today=DAY)
    assert inspection.flagged
    assert [f["rule"] for f in inspection.result["findings"]] == ["prohibited_language"]
    assert inspection.score == 60
    assert inspection.review.reason == "flagged"
    assert inspection.review.status == "open"
    event = AuditEvent.objects.order_by("-pk").first()
    assert event.action == "quality.inspect_call"
    assert event.changes["score"] == [None, 60]
    assert event.changes["findings"] == [None, ["prohibited_language"]]


def test_a_call_is_inspected_once_and_a_bad_transcript_changes_nothing():
    """Clause: QA-1 — a second transcript is refused (409 in the API); a transcript with a line of no speaker is
    refused naming the line; neither writes anything."""
    who = people()
    call = make_call(make_case(), who["junior"])
    do_record_transcript(call, CLEAN, source="platform", actor=who["platform"], today=DAY)
    before = state()
    with pytest.raises(QualityConflict):
        do_record_transcript(call, FLAGGED, source="platform", actor=who["platform"], today=DAY)
    other = make_call(make_case(), who["junior"])
    with pytest.raises(QualityError, match="2"):
        do_record_transcript(other, "坐席:你好\n没有前缀\n", source="platform", actor=who["platform"], today=DAY)
    assert state() == before


def test_only_the_call_platform_delivers_transcripts_and_a_refusal_changes_nothing():
    who = people()
    call = make_call(make_case(), who["junior"])
    before = state()
    for actor in (who["junior"], who["reviewer"], who["supervisor"]):
        with pytest.raises(ActionDenied):
            do_record_transcript(call, CLEAN, source="platform", actor=actor, today=DAY)
    assert state() == before


def test_the_sample_is_drawn_by_the_call_so_it_is_stable_and_close_to_the_share():
    """Clause: QA-1 — a policy-set share of the calls without a finding is reviewed too."""
    drawn = [n for n in range(1, 20_001) if in_sample(n, Decimal("0.05"))]
    assert 900 <= len(drawn) <= 1_100  # 5 % of 20,000 = 1,000
    assert drawn == [n for n in range(1, 20_001) if in_sample(n, Decimal("0.05"))]
    assert not any(in_sample(n, Decimal("0")) for n in range(1, 1_001))
    assert all(in_sample(n, Decimal("1")) for n in range(1, 1_001))


def test_a_call_drawn_for_the_sample_is_reviewed_with_nothing_to_judge():
    """Clause: QA-1 — with the whole share drawn, a clean call goes to review too; saved with no verdict, its
    reviewed score is the inspection's."""
    sample_share("1")
    who = people()
    call = make_call(make_case(), who["junior"])
    inspection = do_record_transcript(call, CLEAN, source="platform", actor=who["platform"], today=DAY)
    assert (inspection.flagged, inspection.review.reason) == (False, "sampled")
    done = do_review(inspection.review, [], actor=who["reviewer"], today=DAY)
    assert (done.status, done.score) == ("done", 100)


def test_a_clean_call_outside_the_sample_goes_to_nobody():
    sample_share("0")
    who = people()
    inspection = do_record_transcript(
        make_call(make_case(), who["junior"]), CLEAN, source="platform", actor=who["platform"], today=DAY
    )
    assert not Review.objects.filter(inspection=inspection).exists()


def test_a_confirmed_violation_enters_the_register_against_the_collector_and_the_score_counts_it():
    """Clause: QA-1, LANG-1, PRV-1 — the reviewer confirms the prohibited language: a violation of source quality
    against the collector, with the rectification due; the reviewed score is 100 − 40."""
    who = people()
    call = make_call(make_case(), who["junior"])
    review = do_record_transcript(call, FLAGGED, source="platform", actor=who["platform"], today=DAY).review
    done = do_review(
        review,
        [Verdict(0, True, "威胁起诉家人，录音确认")],
        actor=who["reviewer"],
        today=DAY,
        rectification_due=date(2026, 11, 20),
    )
    assert (done.status, done.score, done.reviewer) == ("done", 60, who["reviewer"])
    violation = Violation.objects.get()
    assert (violation.source, violation.responsible_user, violation.responsible_agency) == (
        "quality",
        who["junior"],
        None,
    )
    assert violation.occurred_on == DAY
    assert violation.rectification.due_on == date(2026, 11, 20)
    assert "LANG-1" in violation.description
    verdict = FindingVerdict.objects.get()
    assert (verdict.confirmed, verdict.violation) == (True, violation)
    assert AuditEvent.objects.order_by("-pk").first().action == "quality.review_call"


def test_an_overridden_finding_does_not_count_and_enters_nothing():
    """Clause: QA-1, QA-2 — the reviewer hears a quotation, not a threat: overridden, the reviewed score is 100."""
    who = people()
    call = make_call(make_case(), who["junior"])
    review = do_record_transcript(call, FLAGGED, source="platform", actor=who["platform"], today=DAY).review
    done = do_review(review, [Verdict(0, False, "识别错误，原话是提醒")], actor=who["compliance"], today=DAY)
    assert done.score == 100
    assert Violation.objects.count() == 0


@pytest.mark.parametrize(
    ("verdicts", "due", "message"),
    [
        ([], None, "one verdict for each finding"),
        ([Verdict(0, True, "")], date(2026, 11, 20), "reason"),
        ([Verdict(0, True, "确认威胁")], None, "rectification is due"),
        ([Verdict(0, True, "确认威胁")], date(2026, 11, 1), "rectification is due"),
        ([Verdict(0, False, "ok\x00")], None, "NUL"),
        ([Verdict(0, True, "a"), Verdict(0, False, "bbbb")], None, "one verdict for each finding"),
    ],
)
def test_a_review_that_is_not_complete_is_refused_and_changes_nothing(verdicts, due, message):
    who = people()
    call = make_call(make_case(), who["junior"])
    review = do_record_transcript(call, FLAGGED, source="platform", actor=who["platform"], today=DAY).review
    before = state()
    with pytest.raises(QualityError, match=message):
        do_review(review, verdicts, actor=who["reviewer"], today=DAY, rectification_due=due)
    assert state() == before
    review.refresh_from_db()
    assert review.status == "open"


def test_collectors_and_supervisors_do_not_review_and_a_refusal_changes_nothing():
    who = people()
    call = make_call(make_case(), who["junior"])
    review = do_record_transcript(call, FLAGGED, source="platform", actor=who["platform"], today=DAY).review
    before = state()
    for actor in (who["junior"], who["supervisor"], who["platform"]):
        with pytest.raises(ActionDenied):
            do_review(review, [Verdict(0, False, "no no no")], actor=actor, today=DAY)
    assert state() == before


def test_an_agents_confirmed_violation_names_the_agency_too():
    """Clause: PRV-1, AGY-3 — a violation by an agency's agent is recorded against the agent and the agency."""
    who = people()
    firm = agency()
    agent = make_user("agency_user", agency=firm)
    call = make_call(make_case(), agent)
    review = do_record_transcript(call, FLAGGED, source="platform", actor=who["platform"], today=DAY).review
    do_review(review, [Verdict(0, True, "确认威胁")], actor=who["reviewer"], today=DAY, rectification_due=DAY)
    violation = Violation.objects.get()
    assert (violation.responsible_user, violation.responsible_agency) == (agent, firm)


def test_the_monthly_score_counts_reviewed_and_unreviewed_calls_and_leaves_out_those_waiting():
    """Clause: QA-2 — a worked example. The junior's November: a clean call nobody had to review (100), a flagged
    call reviewed with the threat confirmed (60), a flagged call still waiting (not counted): (100 + 60) / 2 = 80.00.
    The agency's agent: one clean call, 100.00 for the agent and for the agency."""
    sample_share("0")
    who = people()
    case = make_case()
    platform, reviewer = who["platform"], who["reviewer"]
    do_record_transcript(make_call(case, who["junior"]), CLEAN, source="platform", actor=platform, today=DAY)
    reviewed = do_record_transcript(
        make_call(case, who["junior"]), FLAGGED, source="platform", actor=platform, today=DAY
    )
    do_review(reviewed.review, [Verdict(0, True, "确认威胁")], actor=reviewer, today=DAY, rectification_due=DAY)
    do_record_transcript(make_call(case, who["junior"]), FLAGGED, source="platform", actor=platform, today=DAY)
    firm = agency()
    agent = make_user("agency_user", agency=firm, username="agent-1")
    do_record_transcript(make_call(case, agent), CLEAN, source="platform", actor=platform, today=DAY)
    october = make_call(case, who["junior"], on=date(2026, 10, 31))
    do_record_transcript(october, FLAGGED, source="platform", actor=platform, today=DAY)

    found = monthly_scores(Month(2026, 11))
    junior = next(s for s in found["collectors"] if s.key == who["junior"].pk)
    assert junior.as_dict() | {"name": ""} == {
        "id": who["junior"].pk,
        "name": "",
        "score": "80.00",
        "calls": 3,
        "flagged": 2,
        "reviewed": 1,
        "pending": 1,
        "violations": 1,
        "dissatisfied": 0,
    }
    assert [(s.key, s.score, s.calls) for s in found["agencies"]] == [(firm.pk, Decimal("100.00"), 1)]
    assert next(s for s in found["collectors"] if s.key == agent.pk).score == Decimal("100.00")
    assert monthly_scores(Month(2026, 10))["collectors"][0].pending == 1
