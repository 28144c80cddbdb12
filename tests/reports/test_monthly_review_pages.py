"""The monthly review's pages (REV-1): a supervisor prepares a pack, chooses a case with a note, writes the
commentary, adds an action item and approves, then downloads the PDF and XLSX as kept; readers of reports see the
approved packs only (analysts without a borrower); bad input is answered with a message, nothing changed.

The months are closed directly (`MonthClose` rows, an empty book) and the proposed case is made with the ORM: the
figures and the rules are other tests' work."""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from arrears.agencies.commissions import Month
from arrears.collection.models import CollectionCase
from arrears.compliance.actions import system_actor
from arrears.compliance.models import AuditEvent
from arrears.reports.actions_review import CaseChoice, do_approve_review, do_edit_review, do_prepare_review
from arrears.reports.models import MonthClose
from arrears.reports.models_review import ActionItem, ReviewCase, ReviewPack, ReviewStatus
from factories import make_borrower, make_user

pytestmark = pytest.mark.django_db
NOV, DEC = Month(2026, 11), Month(2026, 12)


def close(*months: Month) -> None:
    for month in months:
        MonthClose.objects.create(
            month=month.first,
            closed_on=month.last,
            closed_at=datetime(month.last.year, month.last.month, month.last.day, 15, tzinfo=UTC),
            opening_loans=0,
            next_opening_loans=0,
        )


def proposed_case(pack: ReviewPack) -> ReviewCase:
    """A broken plan of 欧阳明远's case, as the rules would propose it."""
    borrower = make_borrower(name="欧阳明远")
    case = CollectionCase.objects.create(
        borrower=borrower,
        status="open",
        delinquency_class="mild",
        opened_on=date(2026, 10, 3),
        updated_on=date(2026, 11, 30),
    )
    return ReviewCase.objects.create(
        pack=pack,
        kind="failure",
        rule="plan_broken",
        case=case,
        subject_type="plan",
        subject_id="77",
        reference="P77",
        occurred_on=date(2026, 11, 20),
        amount_fen=818_218,
    )


def text(response) -> str:
    return response.content.decode()


def test_a_supervisor_works_the_pack_through_the_pages(client):
    """Clause: REV-1 — prepare November, choose the broken plan with a note, write the commentary, add an action
    item, approve; then the page is read-only with the PDF and the XLSX, each as kept (its SHA-256)."""
    close(Month(2026, 10), NOV)
    boss = make_user("supervisor")
    owner = make_user("senior_collector", first_name="王芳")
    client.force_login(boss)
    assert "/reports/reviews/" in text(client.get("/"))  # the navigation's link
    answer = client.post("/reports/reviews/prepare/", {"month": "2026-11"})
    assert (answer.status_code, answer["Location"]) == (302, "/reports/reviews/2026-11/")
    pack = ReviewPack.objects.get()
    case = proposed_case(pack)
    page = client.get("/reports/reviews/2026-11/")
    assert page.status_code == 200
    body = text(page)
    for shown in (
        "月度回顾",
        "指标：本月与上月对比",
        "回收率（轻度）",
        "分期方案违约",
        f"#{case.case_id}",
        "欧阳**",
        "8,182.18",
    ):
        assert shown in body, shown
    assert "欧阳明远" not in body
    assert 'id="approve"' in body
    assert 'id="add-item"' in body
    assert "<svg" in body
    answer = client.post(
        "/reports/reviews/2026-11/edit/",
        {
            "case": [str(case.pk)],
            f"chosen-{case.pk}": "on",
            f"note-{case.pk}": "首期即违约",
            "commentary": "回收率未达标",
        },
    )
    assert answer.status_code == 302
    case.refresh_from_db()
    assert (case.chosen, case.note) == (True, "首期即违约")
    answer = client.post(
        "/reports/reviews/2026-11/items/", {"text": "复核分期方案", "owner": str(owner.pk), "due_on": "2099-12-31"}
    )
    assert answer.status_code == 302
    assert ActionItem.objects.get().owner == owner
    assert client.post("/reports/reviews/2026-11/approve/").status_code == 302
    pack.refresh_from_db()
    assert pack.status == ReviewStatus.APPROVED
    body = text(client.get("/reports/reviews/2026-11/"))
    assert 'id="approve"' not in body
    assert 'id="add-item"' not in body
    assert 'name="commentary"' not in body
    assert "首期即违约" in body
    assert "复核分期方案" in body
    assert "王芳" in body
    pdf = client.get("/reports/reviews/2026-11.pdf")
    assert (pdf.status_code, pdf["Content-Type"], pdf["Cache-Control"]) == (200, "application/pdf", "private, no-store")
    assert hashlib.sha256(pdf.content).hexdigest() == pack.pdf_sha256
    xlsx = client.get("/reports/reviews/2026-11.xlsx")
    assert xlsx["Content-Disposition"] == 'attachment; filename="review-2026-11.xlsx"'
    assert hashlib.sha256(xlsx.content).hexdigest() == pack.xlsx_sha256
    assert client.get("/reports/reviews/2026-11.doc").status_code == 404


def test_readers_see_the_approved_packs_only_and_analysts_no_borrower(client):
    """Clause: REV-1, PRV-1 — November approved, December prepared: an analyst lists and opens November only
    (December is 404), its chosen case by number and amount, no borrower; a compliance officer sees the name
    masked; a collector is refused the list and the pack."""
    close(Month(2026, 10), NOV, DEC)
    boss = make_user("supervisor")
    november = do_prepare_review(NOV, actor=system_actor(), today=date(2026, 12, 1))
    case = proposed_case(november)
    do_edit_review(november, commentary="十一月评述", cases={case.pk: CaseChoice(True, "违约")}, actor=boss)
    do_approve_review(november, actor=boss)
    do_prepare_review(DEC, actor=system_actor(), today=date(2027, 1, 4))
    client.force_login(make_user("analyst"))
    listing = text(client.get("/reports/reviews/"))
    assert "/reports/reviews/2026-11/" in listing
    assert "/reports/reviews/2026-12/" not in listing
    assert "/reports/reviews/" in text(client.get("/"))
    assert client.get("/reports/reviews/2026-12/").status_code == 404
    assert client.get("/reports/reviews/2026-12.pdf").status_code == 404
    body = text(client.get("/reports/reviews/2026-11/"))
    assert f"#{case.case_id}" in body
    assert "8,182.18" in body
    assert "违约" in body
    assert "欧阳" not in body
    assert 'id="approve"' not in body
    assert client.get("/reports/reviews/2026-11.pdf").status_code == 200
    events = AuditEvent.objects.count()
    assert client.post("/reports/reviews/prepare/", {"month": "2026-12"}).status_code == 403
    assert client.post("/reports/reviews/2026-12/edit/", {"commentary": "x"}).status_code == 403
    assert AuditEvent.objects.count() == events
    client.force_login(make_user("compliance_officer"))
    assert "欧阳**" in text(client.get("/reports/reviews/2026-11/"))
    client.force_login(make_user("junior_collector"))
    assert client.get("/reports/reviews/").status_code == 403
    assert client.get("/reports/reviews/2026-11/").status_code == 403
    assert "/reports/reviews/" not in text(client.get("/"))


def test_bad_input_is_answered_with_what_to_do_and_changes_nothing(client):
    """Clause: REV-1 — a month that is not YYYY-MM, a month not closed, a due date that is not a date, an item of
    no pack of this page, an edit of an approved pack (409), a stored file that no longer matches or is gone: each
    answered with a message, nothing written."""
    close(Month(2026, 10), NOV)
    boss = make_user("supervisor")
    client.force_login(boss)
    assert client.get("/reports/reviews/2026-13/").status_code == 400
    assert client.post("/reports/reviews/prepare/", {"month": "２０２６-11"}).status_code == 400
    refused = client.post("/reports/reviews/prepare/", {"month": "2026-12"})
    assert refused.status_code == 400
    assert "尚未结账" in text(refused)
    assert client.get("/reports/reviews/2026-11/").status_code == 404  # not prepared yet
    pack = do_prepare_review(NOV, actor=boss, today=date(2026, 12, 1))
    events = AuditEvent.objects.count()
    bad_date = client.post(
        "/reports/reviews/2026-11/items/", {"text": "复核", "owner": str(boss.pk), "due_on": "2026-02-30"}
    )
    assert bad_date.status_code == 400
    assert "完成期限" in text(bad_date)
    no_owner = client.post("/reports/reviews/2026-11/items/", {"text": "复核", "owner": "x", "due_on": "2099-01-01"})
    assert no_owner.status_code == 400
    assert client.post("/reports/reviews/2026-11/edit/", {"case": ["abc"], "commentary": "x"}).status_code == 400
    assert client.post("/reports/reviews/2026-11/items/999999/", {"status": "done"}).status_code == 404
    assert client.post("/reports/reviews/2026-11/approve/").status_code == 400  # no commentary yet
    assert AuditEvent.objects.count() == events
    do_edit_review(pack, commentary="评述", actor=boss)
    do_approve_review(pack, actor=boss)
    events = AuditEvent.objects.count()
    late = client.post("/reports/reviews/2026-11/edit/", {"commentary": "改"})
    assert late.status_code == 409
    assert "已审批" in text(late)
    pack.refresh_from_db()
    assert (pack.commentary, AuditEvent.objects.count()) == ("评述", events)
    default_storage.delete(pack.pdf_path)
    default_storage.save(pack.pdf_path, ContentFile(b"%PDF-1.4 changed"))
    assert client.get("/reports/reviews/2026-11.pdf").status_code == 409
    default_storage.delete(pack.xlsx_path)
    assert client.get("/reports/reviews/2026-11.xlsx").status_code == 409
