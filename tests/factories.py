"""Small factories for tests: one call, one row (or one loan with its schedule), plain arguments."""

from __future__ import annotations

import itertools
from datetime import date
from decimal import Decimal

from arrears.finance import build_schedule, to_fen

_seq = itertools.count(1)


def make_user(role_code: str | None, *, username: str | None = None, password: str = "a long passphrase 123", **extra):
    from arrears.accounts.models import Agency, Role, User

    role = Role.objects.get(code=role_code) if role_code else None
    if role_code == "agency_user" and "agency" not in extra:
        extra["agency"], _ = Agency.objects.get_or_create(name="示例催收服务有限公司")
    return User.objects.create_user(
        username or f"{role_code or 'nobody'}-{next(_seq)}", password=password, role=role, **extra
    )


def make_borrower(**fields):
    from arrears.portfolio.models import Borrower

    n = next(_seq)
    values = {
        "external_id": f"C{n:07d}",
        "name": "张三丰",
        "id_number": "11010119900307123X",
        "mobile": f"1701234{n:04d}",
        "address": "上海市浦东新区世纪大道100号",
        "employer": "示例科技有限公司",
        "email": f"b{n}@example.com",
        "monthly_income_fen": 1_000_000,
        "risk_level": "low",
        "feed_date": date(2026, 11, 27),
    }
    values.update(fields)
    return Borrower.objects.create(**values)


def make_loan(
    borrower,
    *,
    principal="12000",
    rate="0.0435",
    months=12,
    start=date(2026, 1, 15),
    method="equal-instalment",
    **fields,
):
    """A loan with its schedule computed by the finance core."""
    from arrears.portfolio.models import Instalment, Loan

    loan = Loan.objects.create(
        external_id=fields.pop("external_id", f"L{next(_seq):08d}"),
        borrower=borrower,
        product=fields.pop("product", "consumer"),
        principal_fen=to_fen(Decimal(principal)),
        annual_rate=Decimal(rate),
        term_months=months,
        method=method,
        start_date=start,
        status=fields.pop("status", "active"),
        feed_date=date(2026, 11, 27),
        **fields,
    )
    schedule = build_schedule(principal=principal, annual_rate=rate, months=months, method=method, start=start)
    Instalment.objects.bulk_create(
        Instalment(
            loan=loan, n=i.n, due_date=i.due_date, principal_fen=to_fen(i.principal), interest_fen=to_fen(i.interest)
        )
        for i in schedule.instalments
    )
    return loan


def make_payment(loan, paid_on: date, amount: str, *, external_id: str | None = None):
    from arrears.portfolio.models import Payment

    return Payment.objects.create(
        external_id=external_id or f"P{next(_seq):08d}",
        loan=loan,
        paid_on=paid_on,
        amount_fen=to_fen(Decimal(amount)),
        feed_date=date(2026, 11, 27),
    )
