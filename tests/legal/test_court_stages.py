"""Recording the court stages of a lawsuit (Clause: LIT-2): the full path with its dates and amounts, the order
enforced (every stage out of order refused with nothing changed, and the database's own check), dates, documents
with their SHA-256, the roles that may not record, and bad input."""

from __future__ import annotations

import hashlib
from datetime import date

import pytest
from django.db import IntegrityError, transaction
from lawsuit import PDF, PNG, make_litigation, snapshot

from arrears.compliance.actions import ActionDenied
from arrears.compliance.models import AuditEvent
from arrears.legal.court import MAX_DOCUMENT_BYTES, Document, StageOrderError, do_record_stage
from arrears.legal.errors import LegalError
from arrears.legal.models import CourtDocument, LegalCost, Litigation, StageEvent
from arrears.legal.queries_litigation import earliest_unpaid_dues
from factories import make_user

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 1)
COURT = "北京市朝阳区人民法院"
# The path of a lawsuit, in order: (stage, date, facts).
PATH = [
    ("filed", date(2026, 1, 20), {"court": COURT, "claimed": "65000.00", "court_fee": "712.50"}),
    ("accepted", date(2026, 1, 27), {"court_case_no": "(2026)京0105民初1234号"}),
    ("hearing", date(2026, 3, 10), {}),
    ("judgment", date(2026, 6, 15), {"amount": "64200.00", "effective_on": date(2026, 6, 30)}),
    ("enforcement", date(2026, 7, 10), {"enforcement_case_no": "(2026)京0105执5678号"}),
    ("enforced", date(2026, 9, 1), {"amount": "20000.00"}),
    ("closed", date(2026, 10, 20), {"reason": "enforced"}),
]
# Facts that would be valid for each stage (so that a refusal below is for the order alone).
FACTS = {
    "filed": {"court": COURT, "claimed": "65000.00", "court_fee": "0"},
    "accepted": {"court_case_no": "(2026)京0105民初1234号"},
    "hearing": {},
    "mediation": {"result": "failed"},
    "judgment": {"amount": "64200.00", "effective_on": date(2026, 10, 30)},
    "enforcement": {"enforcement_case_no": "(2026)京0105执5678号"},
    "enforced": {"amount": "100.00"},
    "closed": {"reason": "paid"},
}
STAGES = list(FACTS)


@pytest.fixture
def officer():
    return make_user("legal_officer")


@pytest.fixture
def litigation():
    return make_litigation()


def record(litigation, stage, on, officer, **facts):
    return do_record_stage(litigation, stage, on=on, today=TODAY, actor=officer, **facts)


def advance(litigation, officer, upto: str) -> None:
    """Record the path's stages up to and including `upto`, from the one after those already recorded."""
    done = StageEvent.objects.filter(litigation=litigation).count()
    for stage, on, facts in PATH[done:]:
        record(litigation, stage, on, officer, **facts)
        if stage == upto:
            return


def test_the_full_path_from_filing_to_closing(litigation, officer):
    """Clause: LIT-2 — filed 2026-01-20 with 北京市朝阳区人民法院 for 65,000.00 (court fee 712.50, also a legal
    cost), accepted 2026-01-27 as (2026)京0105民初1234号, a hearing, judgment 2026-06-15 for 64,200.00 effective
    2026-06-30, enforcement applied for 2026-07-10, 20,000.00 then 44,200.00 recovered, closed as enforced."""
    events = AuditEvent.objects.count()
    for stage, on, facts in PATH[:-1]:
        record(litigation, stage, on, officer, **facts)
    record(litigation, "enforced", date(2026, 10, 15), officer, amount="44200.00", note="执行到位")
    record(litigation, "closed", date(2026, 10, 20), officer, reason="enforced")
    litigation.refresh_from_db()
    assert (litigation.stage, litigation.court, litigation.court_case_no) == ("closed", COURT, "(2026)京0105民初1234号")
    assert (litigation.filed_on, litigation.claimed_fen, litigation.court_fee_fen) == (
        date(2026, 1, 20),
        6_500_000,
        71_250,
    )
    assert litigation.accepted_on == date(2026, 1, 27)
    assert (litigation.judgment_on, litigation.judgment_fen, litigation.judgment_effective_on) == (
        date(2026, 6, 15),
        6_420_000,
        date(2026, 6, 30),
    )
    assert (litigation.enforcement_applied_on, litigation.enforcement_case_no) == (
        date(2026, 7, 10),
        "(2026)京0105执5678号",
    )
    assert (litigation.recovered_fen, litigation.closed_on, litigation.closed_reason) == (
        6_420_000,
        date(2026, 10, 20),
        "enforced",
    )
    assert list(StageEvent.objects.filter(litigation=litigation).values_list("stage", "on")) == [
        ("filed", date(2026, 1, 20)),
        ("accepted", date(2026, 1, 27)),
        ("hearing", date(2026, 3, 10)),
        ("judgment", date(2026, 6, 15)),
        ("enforcement", date(2026, 7, 10)),
        ("enforced", date(2026, 9, 1)),
        ("enforced", date(2026, 10, 15)),
        ("closed", date(2026, 10, 20)),
    ]
    filed = StageEvent.objects.get(litigation=litigation, stage="filed")
    assert filed.details == {"court": COURT, "court_case_no": "", "claimed_fen": 6_500_000, "court_fee_fen": 71_250}
    fee = LegalCost.objects.get(litigation=litigation)
    assert (fee.kind, fee.amount_fen, fee.incurred_on, fee.case_id) == (
        "court_fee",
        71_250,
        date(2026, 1, 20),
        litigation.case_id,
    )
    recorded = AuditEvent.objects.filter(pk__gt=events).order_by("pk")
    assert [e.action for e in recorded] == ["legal.record_court_stage"] * 8
    assert {e.basis["clause"] for e in recorded} == {"LIT-2"}
    assert {e.basis["permission"] for e in recorded} == {"legal.keep_litigation"}
    assert recorded[0].changes["stage"] == ["decided", "filed"]
    assert recorded[0].changes["court_fee_cost"] == [None, fee.pk]
    assert recorded[7].changes["reason"] == [None, "enforced"]


@pytest.mark.parametrize(
    ("upto", "refused"),
    [
        (None, ["accepted", "hearing", "mediation", "judgment", "enforcement", "enforced"]),
        ("filed", ["filed", "hearing", "mediation", "judgment", "enforcement", "enforced"]),
        ("accepted", ["filed", "accepted", "enforcement", "enforced"]),
        ("hearing", ["filed", "accepted", "enforcement", "enforced"]),
        ("judgment", ["filed", "accepted", "hearing", "mediation", "judgment", "enforced"]),
        ("enforcement", ["filed", "accepted", "hearing", "mediation", "judgment", "enforcement"]),
        ("enforced", ["filed", "accepted", "hearing", "mediation", "judgment", "enforcement"]),
        ("closed", STAGES),
    ],
)
def test_every_stage_out_of_order_is_refused_and_changes_nothing(litigation, officer, upto, refused):
    """Clause: LIT-2 — from each point of the path, each stage that may not come next is refused (the message
    says what must come first, or that it is already past), and nothing is written."""
    if upto:
        advance(litigation, officer, upto)
    before = snapshot(litigation)
    for stage in refused:
        with pytest.raises(StageOrderError):
            record(litigation, stage, date(2026, 10, 30), officer, **FACTS[stage])
        assert snapshot(litigation) == before, stage


def test_the_refusal_says_what_must_come_first(litigation, officer):
    """Clause: LIT-2 — no acceptance before filing, no judgment before acceptance, no enforcement before a
    judgment, nothing after closing."""
    with pytest.raises(StageOrderError, match="Record “filed with the court” first: “accepted by the court”"):
        record(litigation, "accepted", date(2026, 1, 27), officer, **FACTS["accepted"])
    with pytest.raises(StageOrderError, match="Record “filed with the court” first: “judgment” can only come after it"):
        record(litigation, "judgment", date(2026, 6, 15), officer, **FACTS["judgment"])
    advance(litigation, officer, "filed")
    with pytest.raises(StageOrderError, match="Record “accepted by the court” first: “judgment”"):
        record(litigation, "judgment", date(2026, 6, 15), officer, **FACTS["judgment"])
    with pytest.raises(StageOrderError, match="Record “accepted by the court” first: “enforcement applied for”"):
        record(litigation, "enforcement", date(2026, 6, 15), officer, **FACTS["enforcement"])
    advance(litigation, officer, "hearing")
    with pytest.raises(StageOrderError, match="Record “judgment” first: “enforcement applied for”"):
        record(litigation, "enforcement", date(2026, 6, 15), officer, **FACTS["enforcement"])
    with pytest.raises(StageOrderError, match="already at “hearing”: “accepted by the court” cannot be recorded"):
        record(litigation, "accepted", date(2026, 6, 15), officer, **FACTS["accepted"])
    record(litigation, "closed", date(2026, 4, 1), officer, reason="withdrawn")
    with pytest.raises(StageOrderError, match="This lawsuit is closed"):
        record(litigation, "accepted", date(2026, 4, 2), officer, **FACTS["accepted"])


def test_the_database_refuses_a_judgment_without_a_filing(litigation):
    """Clause: LIT-2 — the check constraint: a judgment date on a lawsuit never filed."""
    with pytest.raises(IntegrityError), transaction.atomic():
        Litigation.objects.filter(pk=litigation.pk).update(judgment_on=date(2026, 6, 15))


def test_dates_are_in_order_and_never_in_the_future(litigation, officer):
    """Clause: LIT-2 — not before the decision to sue, not before the previous stage, not after today; a stage on
    the previous stage's day is fine."""
    before = snapshot(litigation)
    with pytest.raises(StageOrderError, match="before the decision to sue"):
        record(litigation, "filed", date(2026, 1, 9), officer, **FACTS["filed"])
    with pytest.raises(StageOrderError, match="in the future"):
        record(litigation, "filed", date(2026, 11, 2), officer, **FACTS["filed"])
    assert snapshot(litigation) == before
    advance(litigation, officer, "accepted")
    before = snapshot(litigation)
    with pytest.raises(StageOrderError, match="before the previous stage, “accepted by the court” on 2026-01-27"):
        record(litigation, "hearing", date(2026, 1, 26), officer)
    assert snapshot(litigation) == before
    record(litigation, "hearing", date(2026, 1, 27), officer)
    assert Litigation.objects.get(pk=litigation.pk).stage == "hearing"


def test_no_enforcement_before_the_judgment_takes_effect(litigation, officer):
    """Clause: LIT-2 — judged 2026-06-15, effective 2026-06-30: applying on 2026-06-29 is refused, on 2026-06-30
    recorded; an effective date before the judgment's is refused too."""
    advance(litigation, officer, "hearing")
    with pytest.raises(LegalError, match="cannot take effect"):
        record(litigation, "judgment", date(2026, 6, 15), officer, amount="64200.00", effective_on=date(2026, 6, 14))
    record(litigation, "judgment", date(2026, 6, 15), officer, amount="64200.00", effective_on=date(2026, 6, 30))
    before = snapshot(litigation)
    with pytest.raises(StageOrderError, match="takes effect on 2026-06-30"):
        record(litigation, "enforcement", date(2026, 6, 29), officer, **FACTS["enforcement"])
    assert snapshot(litigation) == before
    record(litigation, "enforcement", date(2026, 6, 30), officer, **FACTS["enforcement"])
    assert Litigation.objects.get(pk=litigation.pk).enforcement_applied_on == date(2026, 6, 30)


def test_hearings_and_mediations_repeat_and_a_mediation_has_its_result(litigation, officer):
    """Clause: LIT-2 — two hearings, two mediations (the first without agreement), then the judgment; a
    mediation without a known result is refused."""
    advance(litigation, officer, "accepted")
    record(litigation, "mediation", date(2026, 2, 10), officer, result="failed")
    record(litigation, "hearing", date(2026, 3, 10), officer)
    record(litigation, "hearing", date(2026, 4, 10), officer, note="第二次开庭")
    with pytest.raises(LegalError, match="Choose the mediation's result"):
        record(litigation, "mediation", date(2026, 4, 20), officer, result="maybe")
    record(litigation, "mediation", date(2026, 4, 20), officer, result="agreed")
    stages = list(StageEvent.objects.filter(litigation=litigation).values_list("stage", "details"))
    assert stages[2:] == [
        ("mediation", {"result": "failed"}),
        ("hearing", {}),
        ("hearing", {}),
        ("mediation", {"result": "agreed"}),
    ]


def test_the_case_number_is_given_at_filing_or_at_acceptance(litigation, officer):
    """Clause: LIT-2 — filed without a 案号: acceptance needs one; with it given at filing, acceptance keeps it."""
    record(litigation, "filed", date(2026, 1, 20), officer, court=COURT, claimed="65000.00", court_fee="0")
    assert LegalCost.objects.count() == 0  # no fee, no cost
    with pytest.raises(LegalError, match="Enter the case number"):
        record(litigation, "accepted", date(2026, 1, 27), officer)
    other = make_litigation()
    record(
        other,
        "filed",
        date(2026, 1, 20),
        officer,
        court=COURT,
        claimed="65000.00",
        court_fee="0",
        court_case_no="(2026)京0105民初9号",
    )
    record(other, "accepted", date(2026, 1, 27), officer)
    assert Litigation.objects.get(pk=other.pk).court_case_no == "(2026)京0105民初9号"


def test_documents_are_kept_with_their_sha256_and_type(litigation, officer):
    """Clause: LIT-2 — the filing receipt (PDF) and a photo of the court's notice (PNG), each with its SHA-256;
    the type is told from the content, not the name."""
    event = record(
        litigation,
        "filed",
        date(2026, 1, 20),
        officer,
        **FACTS["filed"],
        documents=[Document("起诉状回执.pdf", PDF), Document("notice.jpg", PNG)],
    )
    documents = list(CourtDocument.objects.filter(stage_event=event).order_by("pk"))
    assert [(d.filename, d.content_type, d.sha256) for d in documents] == [
        ("起诉状回执.pdf", "application/pdf", hashlib.sha256(PDF).hexdigest()),
        ("notice.jpg", "image/png", hashlib.sha256(PNG).hexdigest()),
    ]
    assert bytes(documents[0].data) == PDF
    audit = AuditEvent.objects.order_by("-pk").first()
    assert audit.changes["documents"] == [None, [hashlib.sha256(PDF).hexdigest(), hashlib.sha256(PNG).hexdigest()]]


@pytest.mark.parametrize(
    ("document", "message"),
    [
        (Document("a.pdf", b""), "is empty"),
        (Document("a.txt", b"plain text"), "is not a PDF, JPEG or PNG"),
        (Document("a.pdf", b"%PDF-1.4\n<html><script>alert(1)</script>"), "is not a PDF, JPEG or PNG"),
        (Document("big.pdf", b"%PDF-" + b"0" * MAX_DOCUMENT_BYTES), "upload documents of at most 10 MB"),
    ],
)
def test_a_document_that_is_not_a_scan_is_refused_with_nothing_written(litigation, officer, document, message):
    """Clause: LIT-2 — empty, not a PDF/JPEG/PNG, a PDF carrying web page code, or over 10 MB."""
    before = snapshot(litigation)
    with pytest.raises(LegalError, match=message):
        record(
            litigation,
            "filed",
            date(2026, 1, 20),
            officer,
            **FACTS["filed"],
            documents=[Document("ok.pdf", PDF), document],
        )
    assert snapshot(litigation) == before


@pytest.mark.parametrize("role", ["supervisor", "junior_collector", "analyst", "compliance_officer"])
def test_roles_without_the_permission_record_nothing(litigation, role):
    """Clause: LIT-2, AUTH-3 — legal officers keep the file: a supervisor (who decides and sees), a collector, an
    analyst or a compliance officer is refused, and nothing changes (not even an audit event)."""
    before = snapshot(litigation)
    with pytest.raises(ActionDenied, match=r"legal\.keep_litigation"):
        record(litigation, "filed", date(2026, 1, 20), make_user(role), **FACTS["filed"])
    assert snapshot(litigation) == before


@pytest.mark.parametrize(
    "claimed",
    ["", "abc", "６５０００", "65000.001", "-1", "0", "1e30", "NaN", 65000.0, "65,000.00", None],
)
def test_a_bad_amount_is_refused_saying_what_to_write(litigation, officer, claimed):
    """Clause: LIT-2 — the amount claimed: empty, not a number, full-width digits, more than two decimals,
    negative or 0, beyond any amount, not a number, a float, thousands separators: refused, nothing written."""
    before = snapshot(litigation)
    with pytest.raises(LegalError, match="amount claimed"):
        record(litigation, "filed", date(2026, 1, 20), officer, court=COURT, claimed=claimed, court_fee="0")
    assert snapshot(litigation) == before


@pytest.mark.parametrize(
    ("stage", "facts", "message"),
    [
        ("filed", {"court": "", "claimed": "1.00", "court_fee": "0"}, "Enter the competent court"),
        ("filed", {"court": "法" * 201, "claimed": "1.00", "court_fee": "0"}, "longer than 200"),
        ("filed", {"court": COURT, "claimed": "1.00", "court_fee": "-5"}, "court fee"),
        ("closed", {"reason": "bored"}, "Choose why the lawsuit is closed"),
        ("closed", {"reason": "other"}, "say which in the note"),
        ("appeal", {}, "Unknown stage"),
    ],
)
def test_missing_or_malformed_facts_are_refused(litigation, officer, stage, facts, message):
    before = snapshot(litigation)
    with pytest.raises(LegalError, match=message):
        record(litigation, stage, date(2026, 1, 20), officer, **facts)
    assert snapshot(litigation) == before


@pytest.mark.parametrize(
    ("upto", "reason", "first"),
    [
        (None, "withdrawn", "filed with the court"),
        ("filed", "dismissed", "accepted by the court"),
        ("judgment", "enforced", "enforcement applied for"),
        ("judgment", "terminated", "enforcement applied for"),
    ],
)
def test_a_reason_for_closing_fits_how_far_the_lawsuit_got(litigation, officer, upto, reason, first):
    """Clause: LIT-2 — withdrawn only once filed, dismissed once accepted, enforced or ended without result (终本)
    once enforcement was applied for; refused with nothing changed otherwise."""
    if upto:
        advance(litigation, officer, upto)
    before = snapshot(litigation)
    with pytest.raises(StageOrderError, match=f"only after “{first}”"):
        record(litigation, "closed", date(2026, 10, 30), officer, reason=reason)
    assert snapshot(litigation) == before


def test_a_lawsuit_may_be_closed_before_filing(litigation, officer):
    """Clause: LIT-2 — the borrower paid before the claim was filed: closed as paid, with a note."""
    record(litigation, "closed", date(2026, 1, 15), officer, reason="paid", note="借款人已全额还款")
    litigation.refresh_from_db()
    assert (litigation.stage, litigation.closed_on, litigation.closed_reason) == ("closed", date(2026, 1, 15), "paid")


def test_the_limitation_counts_from_the_earliest_unpaid_instalment(litigation):
    """Clause: LIT-2 — the first instalment (due 2024-03-20) unpaid: counted from it; once it is settled, from the
    next (2024-04-20)."""
    assert earliest_unpaid_dues([litigation.borrower_id]) == {litigation.borrower_id: date(2024, 3, 20)}
    first = litigation.borrower.loans.get().instalments.get(n=1)
    first.settled_on = date(2024, 5, 1)
    first.save(update_fields=["settled_on"])
    assert earliest_unpaid_dues([litigation.borrower_id]) == {litigation.borrower_id: date(2024, 4, 20)}
