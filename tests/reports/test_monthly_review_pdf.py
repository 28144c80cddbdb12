"""The approved review pack's documents (REV-1): the PDF's text (the issue's "the pack's PDF text"), the XLSX's
sheets, both kept through Django's storage with their SHA-256; an approved pack never changes again."""

from __future__ import annotations

import hashlib
import io
import re
import zipfile
from datetime import date

import pytest
from django.core.files.storage import default_storage
from month_review_book import november_book

from arrears.agencies.commissions import Month
from arrears.compliance.actions import system_actor
from arrears.compliance.models import AuditEvent
from arrears.reports.actions_review import (
    CaseChoice,
    ReviewConflict,
    ReviewError,
    do_add_action_item,
    do_approve_review,
    do_edit_review,
    do_prepare_review,
)
from arrears.reports.models_review import ReviewCase, ReviewStatus
from factories import make_user
from pdf_fonts import embedded_fonts, only_the_documents_font, pdf_text

pytestmark = pytest.mark.django_db
NOVEMBER = Month(2026, 11)
DEC_1 = date(2026, 12, 1)


def approved_november():
    """November's pack with B's cure chosen (with a note), the commentary, and an action item owned by 王芳."""
    book = november_book()
    boss = book["boss"]
    pack = do_prepare_review(NOVEMBER, actor=system_actor(), today=DEC_1)
    cured = ReviewCase.objects.get(pack=pack, rule="cured_after_plan")
    broken = ReviewCase.objects.get(pack=pack, rule="plan_broken")
    do_edit_review(
        pack,
        commentary="轻度逾期回收率未达目标，需加强首月催收。",
        cases={cured.pk: CaseChoice(True, "分期后一次结清"), broken.pk: CaseChoice(True, "首期即违约")},
        actor=boss,
    )
    owner = make_user("senior_collector", first_name="王芳")
    do_add_action_item(
        pack, text="复核十一月违约的分期方案", owner=owner, due_on=date(2026, 12, 15), actor=boss, today=DEC_1
    )
    return do_approve_review(pack, actor=boss), book, cured


def test_the_pdf_shows_the_month_its_figures_to_the_fen_the_chosen_cases_and_the_action_items():
    """Clause: REV-1, KPI-1 — the pack's PDF text: the month, the Chinese headings, mild recovery 15,167.54 opening
    and 8,053.32 recovered, 53.10% against a target of 80.00%, missed; severe 69,748.33 and 20,000.00; the chosen
    cases by number with their notes (no borrower), the commentary, the action item and its owner; the CJK font
    embedded."""
    pack, _book, cured = approved_november()
    with default_storage.open(pack.pdf_path, "rb") as stored:
        content = stored.read()
    assert hashlib.sha256(content).hexdigest() == pack.pdf_sha256
    text = pdf_text(content)
    for shown in (
        "月度催收回顾",
        "2026-11",
        "指标：本月与上月对比",
        "分类回收情况",
        "典型案例",
        "评述",
        "待办事项",
        "往期待办事项跟进",
        "15,167.54",
        "8,053.32",
        "53.10%",
        "80.00%",
        "未达标",
        "69,748.33",
        "20,000.00",
        "28.67%",
        "84,915.87",
        "28,053.32",
        f"#{cured.case_id}",
        "分期后一次结清",
        "首期即违约",
        "5,053.32",
        "8,182.18",
        "轻度逾期回收率未达目标",
        "复核十一月违约的分期方案",
        "王芳",
        "2026-12-15",
    ):
        assert shown in text, shown
    assert "张三丰" not in text  # the book's borrowers: never named in the pack
    assert "CMP-" not in text  # the complaint was not chosen
    # The documents' CJK font (ArrearsLetter), subset (the "ABCDEF+" prefix) and embedded (a /FontFile).
    assert only_the_documents_font(content), embedded_fonts(content)


def test_the_xlsx_has_one_sheet_per_table():
    """Clause: REV-1 — the XLSX kept with the PDF: a sheet per table, in Chinese; the chosen cases, the action
    item and its owner in it; the SHA-256 kept."""
    pack, _book, _cured = approved_november()
    with default_storage.open(pack.xlsx_path, "rb") as stored:
        content = stored.read()
    assert hashlib.sha256(content).hexdigest() == pack.xlsx_sha256
    with zipfile.ZipFile(io.BytesIO(content)) as book:
        names = re.findall(r'<sheet name="([^"]+)"', book.read("xl/workbook.xml").decode())
        strings = book.read("xl/sharedStrings.xml").decode()
    assert names == ["比率", "金额", "其他指标", "分类回收情况", "账龄段", "典型案例", "待办事项", "后续跟进"]
    for shown in ("分期后一次结清", "复核十一月违约的分期方案", "王芳", "回收率（轻度）", "未达标"):
        assert shown in strings, shown


def test_an_approved_pack_never_changes():
    """Clause: REV-1 — after approval: preparing again returns it as it was (nothing written), editing, adding an
    item and approving again are refused (409) and change nothing."""
    pack, book, cured = approved_november()
    boss = book["boss"]
    assert (pack.status, pack.approved_by) == (ReviewStatus.APPROVED, boss)
    event = AuditEvent.objects.filter(action="reports.approve_review").get()
    assert event.changes["pdf_sha256"] == [None, pack.pdf_sha256]
    events, figures = AuditEvent.objects.count(), pack.figures
    again = do_prepare_review(NOVEMBER, actor=boss, today=date(2026, 12, 20))
    assert (again.pk, again.figures, again.prepared_on) == (pack.pk, figures, DEC_1)
    with pytest.raises(ReviewConflict, match="approved and no longer changes"):
        do_edit_review(pack, commentary="改", cases={cured.pk: CaseChoice(False)}, actor=boss)
    with pytest.raises(ReviewConflict):
        do_add_action_item(pack, text="再议", owner=boss, due_on=date(2026, 12, 30), actor=boss, today=DEC_1)
    with pytest.raises(ReviewConflict):
        do_approve_review(pack, actor=boss)
    pack.refresh_from_db()
    assert (pack.commentary, AuditEvent.objects.count()) == ("轻度逾期回收率未达目标，需加强首月催收。", events)
    assert ReviewCase.objects.get(pk=cured.pk).chosen


def test_a_pack_without_commentary_is_not_approved():
    """Clause: REV-1 — approving needs the commentary; refused, nothing stored or written."""
    book = november_book()
    pack = do_prepare_review(NOVEMBER, actor=system_actor(), today=DEC_1)
    events = AuditEvent.objects.count()
    with pytest.raises(ReviewError, match="Write the commentary before approving"):
        do_approve_review(pack, actor=book["boss"])
    pack.refresh_from_db()
    assert (pack.status, pack.pdf_path, AuditEvent.objects.count()) == (ReviewStatus.PREPARED, "", events)


@pytest.mark.parametrize("role", ["senior_collector", "compliance_officer", "analyst"])
def test_only_supervisors_edit_and_approve(role):
    """Clause: REV-1, AUTH-4 — a senior collector, a compliance officer and an analyst are refused editing and
    approving, and nothing changes."""
    from arrears.compliance.actions import ActionDenied

    book = november_book()
    pack = do_prepare_review(NOVEMBER, actor=system_actor(), today=DEC_1)
    someone = make_user(role)
    events = AuditEvent.objects.count()
    with pytest.raises(ActionDenied):
        do_edit_review(pack, commentary="x", actor=someone)
    with pytest.raises(ActionDenied):
        do_add_action_item(pack, text="x", owner=book["boss"], due_on=DEC_1, actor=someone, today=DEC_1)
    with pytest.raises(ActionDenied):
        do_approve_review(pack, actor=someone)
    pack.refresh_from_db()
    assert (pack.commentary, pack.status, pack.items.count(), AuditEvent.objects.count()) == (
        "",
        ReviewStatus.PREPARED,
        0,
        events,
    )
