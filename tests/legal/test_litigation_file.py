"""The litigation file (LIT-1): built from what the system holds as of the filing date, every amount the finance
core's; one PDF with an index, a ZIP of the parts with a SHA-256 manifest; versions kept as built; refusals."""

from __future__ import annotations

import csv
import hashlib
import io
import re
import zipfile
from datetime import date

import pytest
from file_book import CONTRACT, FILING_DATE, PERSON, at, debtor_case, decide_litigation
from pypdf import PdfReader
from test_letters import embedded_fonts

from arrears.collection.models import CollectionCase, Letter
from arrears.compliance.actions import ActionDenied
from arrears.compliance.models import AuditEvent
from arrears.finance import format_money, from_fen
from arrears.legal.errors import LegalError
from arrears.legal.litigation_file import do_build_litigation_file, do_open_litigation_file
from arrears.legal.models import Litigation, LitigationFile
from arrears.notices.models import Template
from arrears.notices.template_actions import do_retire_template
from arrears.portfolio.models import Loan
from arrears.portfolio.posting import allocate_payments, loan_account, with_accounts
from arrears.rules.queries import policy_on
from factories import make_borrower, make_loan, make_payment, make_user

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("approved_templates")]

PARTS = [
    "01-complaint.pdf",
    "02-loan-contracts.pdf",
    "03-statement-of-account.csv",
    "03-statement-of-account.pdf",
    "04-collection-record.csv",
    "04-collection-record.pdf",
]
YUAN = re.compile(r"(\d{1,3}(?:,\d{3})*\.\d{2})元")


@pytest.fixture
def litigation() -> Litigation:
    return decide_litigation(debtor_case())


@pytest.fixture
def officer():
    return make_user("legal_officer")


def pages(pdf: bytes) -> list[str]:
    """Each page's text, runs of whitespace made one space."""
    return [re.sub(r"\s+", " ", page.extract_text()) for page in PdfReader(io.BytesIO(bytes(pdf))).pages]


def flat(text: str) -> str:
    """Text without whitespace: a phrase the PDF broke over two lines reads whole."""
    return re.sub(r"\s+", "", text)


def written() -> dict[str, int]:
    return {"files": LitigationFile.objects.count(), "events": AuditEvent.objects.count()}


def position_on(day: date):
    loan = with_accounts(Loan.objects.filter(external_id=CONTRACT)).get()
    return loan_account(loan, day, policy_on(day))


def test_worked_example_the_claims_are_the_finance_cores_figures_on_the_filing_date(litigation, officer):
    """Clause: LIT-1 — 60,000.00 at 4.35% a year over 12 months (等额本息) from 2025-10-15, instalment 1 paid, 1,000.00
    on 2026-01-05, nothing since. On the filing date 2026-10-20 (309 days past due, every instalment fallen due) the
    finance core owes principal 54,318.12, interest 1,005.89, penalty interest 1,499.28 and compound interest 34.13:
    56,857.42 in all. The statement of claim claims exactly these; every amount in yuan it states is one of them or
    the contract's principal; the defendant is named in full with ID number and address."""
    position = position_on(FILING_DATE)
    owed = (position.overdue_principal, position.overdue_interest, position.penalty_interest)
    assert [str(a) for a in (*owed, position.compound_interest, position.overdue_total)] == [
        "54318.12",
        "1005.89",
        "1499.28",
        "34.13",
        "56857.42",
    ]
    assert position.dpd == 309
    built = do_build_litigation_file(litigation, as_of=FILING_DATE, actor=officer)
    text = pages(built.pdf)
    complaint = flat(text[1])
    assert complaint.startswith("民事起诉状原告：示例商业银行")
    for expected in (
        "被告：赵建国公民身份号码：320102198507154417住址：江苏省南京市玄武区中山路18号3单元502室",
        "偿还借款本金54,318.12元（截至2026年10月20日已到期未还的本金）",
        "支付利息1,005.89元、罚息1,499.28元、复利34.13元（均计算至2026年10月20日）",
        "以上第一、二项金额合计56,857.42元",
        "合同编号：GR2025-1015-007），约定：借款本金60,000.00元，年利率4.35%，期限12个月，还款方式为等额本息，"
        "起始日2025年10月15日",
        "被告自2025年12月15日起未按合同约定按期还款，截至2026年10月20日已逾期309天",
        "其间原告电话催收2次、发送逾期通知书1份",
        "此致＿＿＿＿＿＿人民法院",  # the competent court is not recorded yet: a line to fill in
    ):
        assert expected in complaint, expected
    assert set(YUAN.findall(complaint)) == {"54,318.12", "1,005.89", "1,499.28", "34.13", "56,857.42", "60,000.00"}
    index = flat(text[0])
    assert "诉讼请求金额（元）56,857.42" in index
    assert "起诉状文本经法务审核通过的模板第1版" in index
    assert "公民身份号码320102198507154417" in index


def test_worked_example_the_statement_of_account_is_the_replay_line_by_line(litigation, officer):
    """Clause: LIT-1, LTR-1 — the statement of account (proof of the overdue debt): each instalment's debt on the
    filing date as the replay has it (instalment 2: 4,138.07 of principal left after the 1,000.00 paid on
    2026-01-05 settled 18.72 penalty, 0.76 compound, 199.73 interest and 780.79 principal), each payment with what
    it settled, the calculation lines (instalment 3, 278 days: 4,936.69 × 0.06525/360 × 278 = 248.75), and the
    totals; the contract part lists the schedule as contracted."""
    built = do_build_litigation_file(litigation, as_of=FILING_DATE, actor=officer)
    text = " ".join(pages(built.pdf))
    position = position_on(FILING_DATE)
    labels = {"paid": "已还清", "part_paid": "部分还款", "overdue": "逾期"}
    for state in position.instalments:
        figures = (state.principal, state.interest, state.penalty_interest, state.compound_interest, state.owed)
        row = f"{state.n} {state.due_date} " + " ".join(format_money(a, grouping=True) for a in figures)
        assert f"{row} {labels[position.status_of(state)]}" in text, row
    for expected in (
        "2 2025-12-15 4,138.07 0.00 216.01 0.00 4,354.08 部分还款",
        "3 2026-01-15 4,936.69 181.90 248.75 9.17 5,376.51 逾期",
        "2026-01-05 PAY-2 还款 1,000.00 第 2 期 · 罚息 · 18.72 第 2 期 · 复利 · 0.76 第 2 期 · 利息 · 199.73 第 2 期 · "
        "本金 · 780.79 0.00",
        "逾期本金 4,936.69 元 × 罚息日利率 0.06525/360 × 278 天 = 248.75 元",
        "逾期本金（元） 54,318.12 逾期利息（元） 1,005.89 罚息（元） 1,499.28 复利（元） 34.13 合计（元） 56,857.42",
        "罚息年利率 6.525%（合同利率上浮 50.00%）",
        "1 2025-11-15 4,901.09 217.50 5,118.59",  # the contract's schedule
        "12 2026-10-15 5,100.14 18.49 5,118.63",
    ):
        assert expected in text, expected


def test_the_index_gives_each_parts_first_page_and_the_collection_record_its_evidence(litigation, officer):
    """Clause: LIT-1 — the first page is the index; each part begins on the page the index gives; the collection
    record lists the calls with their outcomes (numbers masked), the formal notice with its delivery evidence
    (printed in the day's print batch, the confirmation call), the outbox notice and the broken promise."""
    built = do_build_litigation_file(litigation, as_of=FILING_DATE, actor=officer)
    text = pages(built.pdf)
    index = flat(text[0])
    titles = ["民事起诉状", "借款合同条款及还款计划", "对账单（逾期欠款证明）", "催收记录"]
    for n, title in enumerate(titles, start=1):
        first = int(re.search(rf"{n}\.{re.escape(title)}\.+第(\d+)页", index).group(1))
        assert flat(text[first - 1]).startswith(title), title
        assert not flat(text[first - 2]).startswith(title)
    assert all(f"诉讼材料 LIT-{litigation.pk:06d}-v1 · 第 {n} 页，共 {len(text)} 页" in text[n - 1] for n in (1, 2))
    record = flat(" ".join(text[int(re.search(r"4\.催收记录\.+第(\d+)页", index).group(1)) - 1 :]))
    letter = Letter.objects.get()  # LTR-20260820-<its id>: ids are not reset between tests on PostgreSQL
    for expected in (
        "2026-07-2010:30借款人本人170****",
        "无人接听0——李敏",
        "已接通，拒绝还款95坚决拒绝—李敏记录：借款人明确表示不还款",
        f"LTR-20260820-{letter.pk:06d}2026-08-20邮寄已打印待邮寄46,084.602026-08-27",
        "发送或打印：2026-08-2016:00打印批次2026-08-20第1批送达确认电话：处理中（截止日期2026-08-25）",
        "2026-08-20逾期通知书邮寄已发送46,084.602026-08-2016:00",
        "2026-08-105,000.002026-08-20未履行0.00",
    ):
        assert expected in record, expected
    assert f"通知书PDF的SHA-256：{letter.pdf_sha256}" in record
    mobile = litigation.borrower.mobile
    assert mobile not in flat(" ".join(text))


def test_the_cjk_font_is_embedded_in_the_file_and_in_its_parts(litigation, officer):
    """Clause: LIT-1 — the file and each part embed the letters' CJK font (a subset: FontFile, FontFile2 or
    FontFile3 each), so the court reads the Chinese as printed."""
    built = do_build_litigation_file(litigation, as_of=FILING_DATE, actor=officer)
    archive = zipfile.ZipFile(io.BytesIO(bytes(built.zip)))
    for pdf in [bytes(built.pdf), *(archive.read(n) for n in PARTS if n.endswith(".pdf"))]:
        fonts = embedded_fonts(pdf)
        assert {name.split("+")[1] for name, _files in fonts} <= {"ArrearsLetter", "ArrearsLetter-Bold"}
        assert "ArrearsLetter" in {name.split("+")[1] for name, _files in fonts}
        assert all(files in (["/FontFile"], ["/FontFile2"], ["/FontFile3"]) for _name, files in fonts), fonts


def test_the_zip_holds_each_part_and_a_manifest_that_verifies(litigation, officer):
    """Clause: LIT-1 — the ZIP: each part's PDF (page for page the whole file's), the statement of account and
    the collection record as CSV, and MANIFEST.sha256 in sha256sum's format listing every part; each hash
    verifies, and the stored SHA-256 of the PDF and of the ZIP are theirs."""
    built = do_build_litigation_file(litigation, as_of=FILING_DATE, actor=officer)
    assert built.pdf_sha256 == hashlib.sha256(bytes(built.pdf)).hexdigest()
    assert built.zip_sha256 == hashlib.sha256(bytes(built.zip)).hexdigest()
    archive = zipfile.ZipFile(io.BytesIO(bytes(built.zip)))
    assert archive.namelist() == [*PARTS, "MANIFEST.sha256"]
    manifest = archive.read("MANIFEST.sha256").decode("ascii")
    assert manifest == built.manifest
    lines = manifest.splitlines()
    assert [line.split("  ")[1] for line in lines] == PARTS
    for line in lines:
        digest, name = re.fullmatch(r"([0-9a-f]{64})  (\S+)", line).groups()
        assert hashlib.sha256(archive.read(name)).hexdigest() == digest, name
    whole = pages(built.pdf)
    parts = [pages(archive.read(n)) for n in PARTS if n.endswith(".pdf")]
    assert [page for part in parts for page in part] == whole[1:]  # every page but the index, once, in order
    statement = list(csv.reader(io.StringIO(archive.read("03-statement-of-account.csv").decode("utf-8-sig"))))
    assert statement[0] == ["合同编号", "日期", "类别", "期次", "本金", "利息", "罚息", "复利", "金额", "说明"]
    assert statement[-1] == [
        CONTRACT,
        "2026-10-20",
        "合计",
        "",
        "54318.12",
        "1005.89",
        "1499.28",
        "34.13",
        "56857.42",
        "本合同欠款合计",
    ]
    assert [CONTRACT, "2026-01-05", "冲抵", "2", "780.79", "", "", "", "780.79", "PAY-2"] in statement
    record = list(csv.reader(io.StringIO(archive.read("04-collection-record.csv").decode("utf-8-sig"))))
    assert [row[1] for row in record[1:]] == ["电话催收", "还款承诺", "逾期通知书", "逾期通知书", "电话催收"]


def test_a_second_build_is_version_2_and_version_1_stays_as_built(litigation, officer):
    """Clause: LIT-1 — each build is a new version: after a payment of 10,000.00 on 2026-10-25, building as of
    2026-10-30 makes version 2 with the new figures; version 1 keeps its bytes, hashes, manifest and filing
    date. Each build is its own audit event naming its version and hashes."""
    first = do_build_litigation_file(litigation, as_of=FILING_DATE, actor=officer, at=at(FILING_DATE, 9))
    kept = {f: bytes(getattr(first, f)) if f in ("pdf", "zip") else getattr(first, f) for f in KEPT}
    make_payment(Loan.objects.get(external_id=CONTRACT), date(2026, 10, 25), "10000.00", external_id="PAY-3")
    allocate_payments([Loan.objects.get(external_id=CONTRACT).pk], business_date=date(2026, 10, 30))
    second = do_build_litigation_file(litigation, as_of=date(2026, 10, 30), actor=officer, at=at(date(2026, 10, 30)))
    assert (first.version, second.version) == (1, 2)
    again = LitigationFile.objects.get(pk=first.pk)
    assert {f: bytes(getattr(again, f)) if f in ("pdf", "zip") else getattr(again, f) for f in KEPT} == kept
    assert second.pdf_sha256 != first.pdf_sha256
    total = format_money(position_on(date(2026, 10, 30)).overdue_total, grouping=True)
    assert f"合计{total}元" in flat(pages(second.pdf)[1])
    assert "合计56,857.42元" in flat(pages(again.pdf)[1])
    events = AuditEvent.objects.filter(action="legal.build_litigation_file").order_by("pk")
    assert [(e.subject_type, e.changes["version"][1], e.changes["pdf_sha256"][1]) for e in events] == [
        ("legal.litigationfile", 1, first.pdf_sha256),
        ("legal.litigationfile", 2, second.pdf_sha256),
    ]
    event = events[0]
    assert (event.actor_id, event.basis["permission"], event.basis["clause"]) == (
        officer.pk,
        "legal.keep_litigation",
        "LIT-1",
    )
    assert event.changes["claims_fen"][1] == {
        "principal": 5431812,
        "interest": 100589,
        "penalty": 149928,
        "compound": 3413,
        "total": 5685742,
    }
    assert event.changes["parts"][1]["01-complaint.pdf"] == first.manifest.split("  ")[0]


KEPT = ("pdf", "pdf_sha256", "zip", "zip_sha256", "manifest", "as_of", "version", "built_at", "template_id")


@pytest.mark.parametrize(
    "role", ["junior_collector", "senior_collector", "supervisor", "analyst", "compliance_officer"]
)
def test_only_a_legal_officer_builds_the_file_and_a_refusal_changes_nothing(litigation, role):
    """Clause: AUTH-3, LIT-1 — supervisors decide litigation but do not keep its file; collectors, analysts and
    compliance officers neither: refused, nothing written (not even an audit event)."""
    before = written()
    with pytest.raises(ActionDenied):
        do_build_litigation_file(litigation, as_of=FILING_DATE, actor=make_user(role))
    assert written() == before


def test_without_an_approved_statement_of_claim_the_build_is_refused(litigation, officer, approved_templates):
    """Clause: LANG-2, LIT-1 — the statement of claim comes only from an approved template: with the Chinese version
    retired (the approved English one does not stand in: the court's language is Chinese), the build is refused
    with what to do, and nothing is written."""
    template = approved_templates[("litigation_complaint", "zh-hans")]
    do_retire_template(template, actor=template.reviewer, reason="改写")
    assert Template.objects.get(pk=approved_templates[("litigation_complaint", "en")].pk).status == "approved"
    before = written()
    with pytest.raises(LegalError) as refused:
        do_build_litigation_file(litigation, as_of=FILING_DATE, actor=officer)
    assert str(refused.value) == (
        "No approved statement of claim (LANG-2): a legal reviewer must approve the Chinese “statement of claim "
        "(起诉状)” template at Notices › Templates before a litigation file can be built."
    )
    assert written() == before


def test_a_filing_date_before_the_decision_a_closed_lawsuit_and_no_debt_are_refused(litigation, officer):
    """Clause: LIT-1 — refused with the reason, nothing written: a filing date before litigation was decided; a
    closed lawsuit; a borrower with nothing past due on the filing date (nothing to claim)."""
    before = written()
    with pytest.raises(LegalError, match="The filing date 2026-10-11 is before litigation was decided"):
        do_build_litigation_file(litigation, as_of=date(2026, 10, 11), actor=officer)
    Litigation.objects.filter(pk=litigation.pk).update(stage="closed", closed_on=FILING_DATE, closed_reason="和解")
    with pytest.raises(LegalError, match=f"Litigation {litigation.pk} is closed"):
        do_build_litigation_file(litigation, as_of=FILING_DATE, actor=officer)
    assert written() == before
    paid_up = make_borrower(external_id="C-PAID")
    loan = make_loan(paid_up, principal="1200", months=2, start=date(2026, 7, 1))
    for instalment in loan.instalments.all():
        make_payment(loan, instalment.due_date, str(from_fen(instalment.principal_fen + instalment.interest_fen)))
    case = CollectionCase.objects.create(
        borrower=paid_up,
        status="open",
        delinquency_class="mild",
        pool="junior",
        opened_on=FILING_DATE,
        updated_on=FILING_DATE,
    )
    with pytest.raises(LegalError, match="None of the borrower's loans is overdue on 2026-10-20"):
        do_build_litigation_file(decide_litigation(case), as_of=FILING_DATE, actor=officer)
    assert written() == before


def test_opening_a_version_is_an_audited_read_for_supervisors_and_legal_officers_only(litigation, officer):
    """Clause: PRV-1, LIT-1 — the file carries the full name, ID number and address: a supervisor opens the PDF
    exactly as built and the opening is an audited read; a collector is refused and nothing is written."""
    built = do_build_litigation_file(litigation, as_of=FILING_DATE, actor=officer)
    supervisor = make_user("supervisor")
    assert do_open_litigation_file(built, kind="zip", actor=supervisor) == bytes(built.zip)
    event = AuditEvent.objects.order_by("-pk").first()
    assert (event.action, event.actor_id, event.subject_id, event.basis["clause"]) == (
        "legal.view_litigation_file",
        supervisor.pk,
        str(built.pk),
        "PRV-1",
    )
    assert event.changes == {"download": [None, "zip"], "version": [None, 1], "sha256": [None, built.zip_sha256]}
    before = written()
    with pytest.raises(ActionDenied):
        do_open_litigation_file(built, kind="pdf", actor=make_user("senior_collector"))
    assert written() == before
    assert PERSON["id_number"] in flat(pages(do_open_litigation_file(built, kind="pdf", actor=officer))[0])


def test_two_builds_at_once_never_write_the_same_version(litigation, officer, monkeypatch):
    """Clause: LIT-1 — a version is numbered before its PDF is rendered (the number is printed on every page) and
    checked again under the litigation's lock: when someone else's version 1 was stored meanwhile, this build is
    refused with what to do, and writes nothing."""
    from arrears.legal import litigation_file

    real = litigation_file.render_file

    def meanwhile(content):
        rendered = real(content)
        LitigationFile.objects.create(
            litigation=litigation,
            version=1,
            as_of=FILING_DATE,
            built_by=officer,
            built_at=at(FILING_DATE),
            pdf=b"%PDF-",
            pdf_sha256="0" * 64,
            zip=b"PK",
            zip_sha256="0" * 64,
            manifest="",
        )
        return rendered

    monkeypatch.setattr(litigation_file, "render_file", meanwhile)
    events = AuditEvent.objects.count()
    with pytest.raises(LegalError, match="Version 1 of this litigation file was built by someone else meanwhile"):
        do_build_litigation_file(litigation, as_of=FILING_DATE, actor=officer)
    assert list(LitigationFile.objects.values_list("version", "pdf_sha256")) == [(1, "0" * 64)]
    assert AuditEvent.objects.count() == events
