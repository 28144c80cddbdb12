"""Literal feed files shared by the feed tests (a module with a unique name: conftest is not importable)."""

from __future__ import annotations

from pathlib import Path

EXAMPLE = Path(__file__).resolve().parents[3] / "docs" / "feed-example"

# A small valid feed: two borrowers, two loans with their first instalments, one payment.
BORROWERS = """\
borrower_id,name,id_number,mobile,risk_level,monthly_income
B1,张伟,11010519491231002X,13812345678,low,8000.00
B2,王芳,110105198503120418,13912345678,medium,
"""
LOANS = """\
loan_id,borrower_id,product,principal,annual_rate,term_months,method,start_date,status
L1,B1,consumer,12000.00,0.0435,12,equal-instalment,2026-01-15,active
L2,B2,consumer,6000,0.0600,6,equal-principal,2026-01-20,active
"""
SCHEDULES = """\
loan_id,n,due_date,principal,interest
L1,1,2026-02-15,980.22,43.50
L1,2,2026-03-15,983.77,39.95
L2,1,2026-02-20,1000.00,30.00
"""
PAYMENTS = """\
payment_id,loan_id,paid_on,amount
P1,L1,2026-02-15,1023.72
"""
