"""A small book for the agency audit tests (AGY-3): agencies, their users, severe cases placed with them, and the
calls and letters of their users and of the bank's collectors on given days. Rows are made directly: placing and
contacting are other actions' work, tested where they are written."""

from __future__ import annotations

from datetime import UTC, date, datetime

import placing

from arrears.accounts.models import Agency
from factories import make_borrower, make_user

PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def make_agency(code: str, name: str | None = None) -> Agency:
    return Agency.objects.create(code=code, name=name or f"{code} 催收服务有限公司")


def agent_of(agency: Agency, username: str | None = None):
    return make_user("agency_user", agency=agency, username=username)


def make_case(name: str = "欧阳明远", mobile: str | None = None):
    from arrears.collection.models import CollectionCase

    borrower = make_borrower(name=name, **({"mobile": mobile} if mobile else {}))
    return CollectionCase.objects.create(
        borrower=borrower,
        status="open",
        delinquency_class="severe",
        pool="supervisor",
        opened_on=date(2026, 9, 1),
        updated_on=date(2026, 9, 1),
        dpd=95,
        overdue_fen=3_000_000,
    )


def place(case, agency: Agency, placed_on: date, *, boss=None):
    """A placement of `case` with `agency` from `placed_on` for 90 days (with the decision it rests on)."""
    return placing.place(case, agency, by=boss or make_user("supervisor"), placed_on=placed_on, days=90)


def call(case, collector, on: date, *, outcome: str = "no_answer", hour: int = 2, note: str = ""):
    from arrears.collection.models import Call

    return Call.objects.create(
        borrower_id=case.borrower_id,
        case=case,
        collector=collector,
        called_at=datetime(on.year, on.month, on.day, hour, 0, tzinfo=UTC),
        called_on=on,
        outcome=outcome,
        number=case.borrower.mobile,
        note=note,
    )


def letter(case, sender, on: date, *, status: str = "printed"):
    from arrears.collection.models import Letter

    return Letter.objects.create(
        borrower_id=case.borrower_id, case=case, channel="post", sent_on=on, sent_by=sender, status=status
    )
