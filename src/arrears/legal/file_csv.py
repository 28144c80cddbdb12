"""The litigation file's tables as CSV, for the ZIP of its parts (Clause: LIT-1): the statement of account and the
collection record, in Chinese like the file, UTF-8 with a byte-order mark (a spreadsheet reads the Chinese right),
cells that a spreadsheet would run as a formula quoted (`home.export.defused`).

* The statement: one row per movement of each loan — every instalment as contracted (应还), every payment or
  posted waiver (还款, 罚息减免) followed by what it settled (冲抵: instalment and component), every instalment's
  debt on the filing date (欠款: principal, interest, penalty, compound interest) and the loan's total (合计).
  The amounts are the PDF's, to the fen; a column per component, so the rows add up in a spreadsheet.
* The collection record: one row per call, formal notice, outbox notice, promise and plan, oldest first.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from decimal import Decimal

from arrears.finance import format_money
from arrears.home.export import defused
from arrears.legal.file_content import FileContent

__all__ = ["record_csv", "statement_csv"]

STATEMENT_HEADER = ["合同编号", "日期", "类别", "期次", "本金", "利息", "罚息", "复利", "金额", "说明"]
RECORD_HEADER = ["时间", "类别", "内容", "结果或状态", "经办人"]


def _money(value: Decimal | None) -> str:
    return "" if value is None else format_money(value)


def _csv(header: list[str], rows: Iterable[list[str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    for row in rows:
        writer.writerow([defused(str(cell)) for cell in row])
    return out.getvalue().encode("utf-8-sig")


# The statement's component columns, by the finance core's component codes.
COMPONENT_COLUMNS = ("principal", "interest", "penalty_interest", "compound_interest")


def _row(contract: str, on: str, kind: str, n, amounts: dict[str, Decimal], amount: Decimal, note: str) -> list:
    return [contract, on, kind, n, *(_money(amounts.get(c)) for c in COMPONENT_COLUMNS), _money(amount), note]


def statement_rows(content: FileContent) -> list[list[str]]:
    rows = []
    as_of = content.as_of.isoformat()
    for loan in content.loans:
        for line in loan.schedule:
            amounts = {"principal": line.principal, "interest": line.interest}
            rows.append(_row(loan.contract, line.due_date.isoformat(), "应还", line.n, amounts, line.total, ""))
        for receipt in loan.receipts:
            on = receipt.on.isoformat()
            rows.append(_row(loan.contract, on, receipt.kind, "", {}, receipt.amount, receipt.key))
            for n, code, _words, amount in receipt.allocations:
                rows.append(_row(loan.contract, on, "冲抵", n, {code: amount}, amount, receipt.key))
            if receipt.unapplied:
                rows.append(_row(loan.contract, on, "未冲抵", "", {}, receipt.unapplied, receipt.key))
        for line in loan.instalments:
            if line.owed:
                amounts = (line.principal, line.interest, line.penalty, line.compound, line.owed)
                rows.append([loan.contract, as_of, "欠款", line.n, *(_money(a) for a in amounts), line.status])
        f = loan.figures
        totals = (f.overdue_principal, f.overdue_interest, f.penalty_interest, f.compound_interest, f.total)
        rows.append([loan.contract, as_of, "合计", "", *(_money(a) for a in totals), "本合同欠款合计"])
    return rows


def statement_csv(content: FileContent) -> bytes:
    return _csv(STATEMENT_HEADER, statement_rows(content))


def record_rows(content: FileContent) -> list[list[str]]:
    rows = []
    for call in content.calls:
        what = f"{call.party}，号码 {call.number or '—'}，时长 {call.duration_seconds} 秒"
        if call.attitude:
            what += f"，态度：{call.attitude}"
        if call.obstacle:
            what += f"，困难：{call.obstacle}"
        if call.note:
            what += f"，记录：{call.note}"
        rows.append([call.at, "电话催收", what, call.outcome, call.by])
    for letter in content.letters:
        what = f"{letter.reference}，{letter.channel}，逾期金额 {_money(letter.overdue)} 元"
        if letter.deadline:
            what += f"，还款期限 {letter.deadline.isoformat()}"
        if letter.sent_at:
            what += f"，发送或打印于 {letter.sent_at}"
        if letter.delivered_at:
            what += f"，送达于 {letter.delivered_at}"
        if letter.print_batch:
            what += f"，{letter.print_batch}"
        if letter.confirmation:
            what += f"，送达确认电话：{letter.confirmation}"
        what += f"，SHA-256 {letter.sha256}"
        rows.append([letter.sent_on.isoformat(), "逾期通知书", what, letter.status, ""])
    for notice in content.notices:
        what = f"{notice.channel}，金额 {_money(notice.amount)} 元"
        if notice.sent_at:
            what += f"，发送于 {notice.sent_at}"
        if notice.delivered_at:
            what += f"，送达于 {notice.delivered_at}"
        rows.append([notice.queued_on.isoformat(), notice.kind, what, notice.status, ""])
    for promise in content.promises:
        what = f"承诺于 {promise.due_on.isoformat()} 还款 {_money(promise.amount)} 元，已还 {_money(promise.paid)} 元"
        rows.append([promise.made_on.isoformat(), "还款承诺", what, promise.status, ""])
    for plan in content.plans:
        what = f"{_money(plan.amount)} 元，{plan.instalments} 期 × {_money(plan.payment)} 元"
        for word, day in (("签署", plan.signed_on), ("生效", plan.effective_on), ("终止", plan.ended_on)):
            if day:
                what += f"，{day.isoformat()} {word}"
        if plan.end_reason:
            what += f"（{plan.end_reason}）"
        rows.append([plan.proposed_on.isoformat(), "分期还款计划", what, plan.status, plan.approved_by])
    return sorted(rows, key=lambda row: row[0])


def record_csv(content: FileContent) -> bytes:
    return _csv(RECORD_HEADER, record_rows(content))
