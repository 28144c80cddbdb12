"""The review pages and the quality API (QA-1, QA-2, PRV-1): who may open them, what they show, what a refusal
leaves (nothing)."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.utils.timezone import localdate
from review_book import CLEAN, DAY, FLAGGED, make_call, make_case, people, sample_share

from arrears.complaints.models import Violation
from arrears.compliance.models import AuditEvent
from arrears.quality.models_inspection import FindingVerdict, Inspection, Review, Transcript
from arrears.quality.reviews import do_record_transcript

pytestmark = pytest.mark.django_db
ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}


@pytest.fixture
def book():
    sample_share("0")
    who = people()
    call = make_call(make_case(), who["junior"])
    inspection = do_record_transcript(call, FLAGGED, source="platform", actor=who["platform"], today=DAY)
    return who, call, inspection


def state() -> tuple:
    return (
        Transcript.objects.count(),
        Inspection.objects.count(),
        list(Review.objects.values_list("status", flat=True)),
        FindingVerdict.objects.count(),
        Violation.objects.count(),
        AuditEvent.objects.count(),
    )


def test_the_reviewer_sees_the_flagged_call_opens_it_as_an_audited_read_and_confirms(client, book):
    """Clause: QA-1, PRV-1 — the queue lists the flagged call; its page shows the transcript line with the finding
    (an audited read); the verdict form confirms it and the register has the violation."""
    who, _call, inspection = book
    client.force_login(who["reviewer"])
    queue = client.get("/quality/reviews/", **ZH)
    assert queue.status_code == 200
    assert f'id="review-{inspection.review.pk}"' in queue.content.decode()
    reads = AuditEvent.objects.filter(action="quality.read_transcript").count()
    page = client.get(f"/quality/reviews/{inspection.review.pk}/", **ZH)
    assert page.status_code == 200
    html = page.content.decode()
    assert "你再不还钱就起素你加人。" in html
    assert "禁用语" in html
    assert AuditEvent.objects.filter(action="quality.read_transcript").count() == reads + 1
    answer = client.post(
        f"/quality/reviews/{inspection.review.pk}/verdicts/",
        {
            "verdict-0": "confirm",
            "reason-0": "录音确认威胁家人",
            "rectification_due": str(localdate() + timedelta(days=10)),
        },
        **ZH,
    )
    assert answer.status_code == 302
    assert Violation.objects.get().responsible_user == who["junior"]
    assert Review.objects.get().score == 60


def test_a_verdict_form_missing_a_choice_is_answered_400_in_chinese_and_nothing_changes(client, book):
    who, _call, inspection = book
    client.force_login(who["reviewer"])
    before = state()
    answer = client.post(f"/quality/reviews/{inspection.review.pk}/verdicts/", {"reason-0": "原因"}, **ZH)
    assert answer.status_code == 400
    assert "逐项" in answer.content.decode() or "确认" in answer.content.decode()
    bad_date = client.post(
        f"/quality/reviews/{inspection.review.pk}/verdicts/",
        {"verdict-0": "confirm", "reason-0": "原因四字", "rectification_due": "２０２６-１２-３１"},
        **ZH,
    )
    assert bad_date.status_code == 400
    assert state() == before  # nothing written, and answering the form again is not another read


@pytest.mark.parametrize("role", ["junior", "supervisor", "platform"])
def test_who_may_not_review_gets_403_and_nothing_is_read_or_written(client, book, role):
    """Clause: QA-1, PRV-1 — collectors, supervisors and the call platform do not open transcripts."""
    who, _call, inspection = book
    client.force_login(who[role])
    before = state()
    for url in ("/quality/reviews/", f"/quality/reviews/{inspection.review.pk}/"):
        assert client.get(url).status_code == 403
    assert (
        client.post(f"/quality/reviews/{inspection.review.pk}/verdicts/", {"verdict-0": "override"}).status_code == 403
    )
    assert state() == before


def test_the_scores_page_shows_the_month(client, book):
    """Clause: QA-2 — supervisors see the month's score per collector; a month that is not one is 400."""
    who, _call, _inspection = book
    client.force_login(who["supervisor"])
    page = client.get("/quality/scores/?month=2026-11", **ZH)
    assert page.status_code == 200
    assert who["junior"].username in page.content.decode()
    assert client.get("/quality/scores/?month=2026-13", **ZH).status_code == 400
    client.force_login(who["junior"])
    assert client.get("/quality/scores/").status_code == 403


def test_the_platform_posts_a_transcript_through_the_api(client):
    """Clause: QA-1 — 201 with the inspection; 409 for a second; 422 naming the line; 404 for no such call; 403 for
    a collector, nothing stored."""
    sample_share("0")
    who = people()
    call = make_call(make_case(), who["junior"])
    client.force_login(who["platform"])
    url = f"/api/v1/calls/{call.pk}/transcript"
    created = client.post(url, json.dumps({"text": CLEAN}), content_type="application/json")
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["call"], body["flagged"], body["review"]) == (call.pk, False, None)
    assert [s["step"] for s in body["steps"] if s["present"]][:3] == ["greeted", "purpose_stated", "identity_verified"]
    again = client.post(url, json.dumps({"text": FLAGGED}), content_type="application/json")
    assert again.status_code == 409
    other = make_call(make_case(), who["junior"])
    bad = client.post(
        f"/api/v1/calls/{other.pk}/transcript", json.dumps({"text": "坐席:你好\n乱码"}), content_type="application/json"
    )
    assert bad.status_code == 422
    assert "2" in bad.json()["error"]["message"]
    assert (
        client.post(
            "/api/v1/calls/999999/transcript", json.dumps({"text": CLEAN}), content_type="application/json"
        ).status_code
        == 404
    )
    client.force_login(who["junior"])
    before = state()
    refused = client.post(
        f"/api/v1/calls/{other.pk}/transcript", json.dumps({"text": CLEAN}), content_type="application/json"
    )
    assert refused.status_code == 403
    assert state() == before


def test_the_inspection_and_the_scores_through_the_api(client, book):
    """Clause: QA-1, QA-2 — a reviewer reads a call's inspection (an audited read); the scores by month."""
    who, call, _inspection = book
    client.force_login(who["reviewer"])
    reads = AuditEvent.objects.filter(action="quality.read_transcript").count()
    got = client.get(f"/api/v1/calls/{call.pk}/inspection")
    assert got.status_code == 200
    assert got.json()["review"]["reason"] == "flagged"
    assert AuditEvent.objects.filter(action="quality.read_transcript").count() == reads + 1
    client.force_login(who["supervisor"])
    assert client.get(f"/api/v1/calls/{call.pk}/inspection").status_code == 403
    scores = client.get("/api/v1/quality/scores?month=2026-11")
    assert scores.status_code == 200
    junior = next(row for row in scores.json()["collectors"] if row["id"] == who["junior"].pk)
    assert (junior["calls"], junior["pending"], junior["score"]) == (1, 1, None)
    assert client.get("/api/v1/quality/scores?month=26-11").status_code == 422
