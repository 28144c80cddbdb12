"""Dict-in, dict-out: build engine inputs from a few literal rows and read the decisions back as dicts."""

from __future__ import annotations

from datetime import date

from arrears.engine.params import Terms
from arrears.engine.runner import Decisions, decide
from arrears.engine.schema import Inputs
from arrears.policy import Policy, parse_policy_toml
from arrears.workdays import default_calendar

RATE_E8 = 4_350_000  # 4.35 % a year


def loan(loan_id: int, borrower_id: int = 1, *, rate_e8: int = RATE_E8, markup_e4: int | None = None) -> dict:
    return {"loan_id": loan_id, "borrower_id": borrower_id, "annual_rate_e8": rate_e8, "markup_e4": markup_e4}


def borrower(borrower_id: int = 1, *, risk: str = "low", channel: str = "sms", email: bool = True, **consents) -> dict:
    row = {
        "borrower_id": borrower_id,
        "risk_level": risk,
        "preferred_channel": channel,
        "has_email": email,
        "consent_sms": True,
        "consent_email": True,
        "consent_phone": True,
    }
    row.update({f"consent_{k}": v for k, v in consents.items()})
    return row


def instalment(loan_id: int, n: int, due: date, principal_fen: int, interest_fen: int = 0) -> dict:
    return {"loan_id": loan_id, "n": n, "due_date": due, "principal_fen": principal_fen, "interest_fen": interest_fen}


def allocation(loan_id: int, n: int, paid_on: date, component: str, amount_fen: int) -> dict:
    return {"loan_id": loan_id, "n": n, "paid_on": paid_on, "component": component, "amount_fen": amount_fen}


def policy(toml: str = "") -> Policy:
    """The SPEC defaults, or a version with the given overrides (TOML text)."""
    return parse_policy_toml("effective_from = 2000-01-01\n" + toml).policy if toml else Policy()


def run(as_of: date, *, policy_text: str = "", **frames) -> Decisions:
    frames.setdefault(
        "borrowers", [borrower(b) for b in sorted({row["borrower_id"] for row in frames.get("loans", [])})]
    )
    return decide(Inputs.of(**frames), Terms.of(policy(policy_text), as_of), default_calendar())


def rows(frame, *columns: str) -> list[dict]:
    """The frame's rows as dicts, of the given columns only (all if none), sorted for stable comparison."""
    selected = frame.select(columns) if columns else frame
    return sorted(selected.to_dicts(), key=lambda r: tuple(str(v) for v in r.values()))


def one(frame, *columns: str) -> dict:
    (row,) = rows(frame, *columns)
    return row


CURRENT = {
    "dpd": 0,
    "delinquency_class": "current",
    "bucket": "M0",
    "earliest_unpaid_due": None,
    "overdue_principal_fen": 0,
    "overdue_interest_fen": 0,
    "penalty_fen": 0,
    "compound_fen": 0,
    "overdue_total_fen": 0,
}


def position(decisions: Decisions, *columns: str, loan_id: int = 1) -> dict:
    """A loan's position: its row when in arrears, else current (the engine lists loans in arrears only)."""
    found = decisions.positions.filter(decisions.positions["loan_id"] == loan_id).to_dicts()
    row = found[0] if found else {"loan_id": loan_id, **CURRENT}
    return {c: row[c] for c in columns} if columns else row
