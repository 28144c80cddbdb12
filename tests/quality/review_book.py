"""A small book for the review tests (QA-1, QA-2): a case, the collectors who called, the call platform and the
reviewers. Calls are made directly: recording a call is the desk's action, tested where it is written."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from arrears.accounts.models import Agency
from arrears.collection.models import Call, CollectionCase
from arrears.rules.models import PolicyVersion
from factories import make_borrower, make_user

DAY = date(2026, 11, 10)

FLAGGED = (
    "坐席:您好，我是东兴银行信用卡中心的小王，请问是张伟先生本人吗？\n"
    "客户:是我，什么事？\n"
    "坐席:张先生，您的信用卡已经逾期35天，欠款共计5230元。\n"
    "坐席:你再不还钱就起素你加人。\n"
    "坐席:请问您什么时候方便还款？\n"
    "坐席:如果一次性还不上，可以申请分3期还款。\n"
)
CLEAN = (
    "坐席:您好，我是东兴银行信用卡中心的小王，请问是张伟先生本人吗？\n"
    "客户:是我，什么事？\n"
    "坐席:张先生，来电是提醒您信用卡的还款，您的账单已经逾期12天，欠款共计5230元。\n"
    "坐席:请问您什么时候方便还款？\n"
    "坐席:如果一次性还不上，可以申请分3期还款。\n"
    "客户:好的，谢谢。\n"
)


def make_case(dpd: int = 12) -> CollectionCase:
    return CollectionCase.objects.create(
        borrower=make_borrower(name="张伟"),
        status="open",
        delinquency_class="mild",
        pool="junior",
        opened_on=date(2026, 10, 1),
        updated_on=DAY,
        dpd=dpd,
        overdue_fen=523_000,
    )


def make_call(case: CollectionCase, collector, on: date = DAY) -> Call:
    return Call.objects.create(
        borrower_id=case.borrower_id,
        case=case,
        collector=collector,
        called_at=datetime(on.year, on.month, on.day, 2, 0, tzinfo=UTC),
        called_on=on,
        outcome="promised",
        number=case.borrower.mobile,
    )


def agency(code: str = "AGY-QA") -> Agency:
    return Agency.objects.create(code=code, name=f"{code} 催收服务有限公司")


def people() -> dict:
    return {
        "junior": make_user("junior_collector"),
        "platform": make_user("telephony"),
        "reviewer": make_user("qa_reviewer"),
        "compliance": make_user("compliance_officer"),
        "supervisor": make_user("supervisor"),
    }


def sample_share(share: str) -> None:
    """A policy version in force from 2026-01-01 reviewing this share of the calls without a finding."""
    PolicyVersion.objects.create(
        effective_from=date(2026, 1, 1),
        name=f"sample {share}",
        text=f'effective_from = 2026-01-01\nname = "sample {share}"\n[quality]\nreview_sample_share = "{share}"\n',
        added_by=make_user("administrator"),
        added_at=datetime(2025, 12, 1, tzinfo=UTC) + timedelta(minutes=int(Decimal(share) * 1000)),
    )
