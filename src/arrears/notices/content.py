"""What a notice says: the values a template's placeholders take, in the borrower's language (REM-2).

A reminder states the amount due, the due date and the bank's contact details; the email that carries a formal
notice states its reference, the total overdue and the repayment deadline. Amounts are Decimal, shown to the fen
with thousands separators; dates are written the way a reader of that language reads them.
"""

from __future__ import annotations

from datetime import date

from arrears.finance import format_money, from_fen
from arrears.notices.models import Language

__all__ = ["bank_values", "complaint_values", "format_amount", "format_date", "letter_values", "reminder_values"]

_MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]


def format_date(day: date, language: str) -> str:
    """2026年12月1日 in Chinese, 1 December 2026 in English."""
    if language == Language.EN:
        return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"
    return f"{day.year}年{day.month}月{day.day}日"


def format_amount(fen: int, language: str) -> str:
    """1,234.50 (yuan, to the fen) in both languages; the currency word is the template's."""
    return format_money(from_fen(fen), grouping=True)


def bank_values(bank) -> dict[str, str]:
    return {
        "bank_name": bank.name,
        "bank_hotline": bank.hotline,
        "bank_email": bank.email,
        "bank_address": bank.address,
    }


def reminder_values(
    *, name: str, contract: str, instalment: int, amount_fen: int, due_date: date, language: str, bank
) -> dict[str, str]:
    """The placeholders of a reminder (Clause: REM-2)."""
    return {
        "name": name,
        "contract": contract,
        "instalment": str(instalment),
        "amount_due": format_amount(amount_fen, language),
        "due_date": format_date(due_date, language),
        **bank_values(bank),
    }


def letter_values(
    *,
    name: str,
    reference: str,
    total_fen: int,
    deadline: date,
    contracts: str,
    as_of: date,
    language: str,
    bank,
) -> dict[str, str]:
    """The placeholders of the email that carries a formal notice, and of the notice's own wording."""
    return {
        "name": name,
        "reference": reference,
        "total_overdue": format_amount(total_fen, language),
        "deadline": format_date(deadline, language),
        "contracts": contracts,
        "as_of": format_date(as_of, language),
        **bank_values(bank),
    }


def complaint_values(
    *,
    name: str,
    reference: str,
    received_on: date,
    investigation_due: date,
    finding: str,
    language: str,
    bank,
) -> dict[str, str]:
    """The placeholders of a complaint's acknowledgement (CMP-2) and outcome (CMP-4); `finding` is the fixed
    sentence for what the investigation found, already in `language` (empty for an acknowledgement)."""
    return {
        "name": name,
        "complaint_ref": reference,
        "received_on": format_date(received_on, language),
        "investigation_due": format_date(investigation_due, language),
        "finding": finding,
        **bank_values(bank),
    }
