"""The instalment agreement (分期还款协议, PLAN-4): the new schedule the borrower signs.

`render_agreement(plan, today)` renders `arrangements/agreement.html` with WeasyPrint and the same embedded CJK
font as the formal notices (`arrears.collection.letters.letter_fonts`): the bank, the borrower and the
contracts covered with the date each was signed, the amount and whether it includes the penalty interest, the borrower's stated means and
the affordability cap (PLAN-1, PLAN-2), the fixed instalments with their due dates (PLAN-3), what happens when
one is missed, who proposed and who approved it (staff by their names, not their logins), and lines for both
signatures, kept on one page with the text before them. The agreement is the document the borrower signs, so it
carries their ID number in full (PRV-1's exception for PLAN-4; every screen keeps it masked). The PDF is stored with its
SHA-256 on approval; the signed scan is recorded by `do_sign_plan`.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.template.loader import render_to_string

from arrears.collection.letters import Bank, letter_fonts
from arrears.finance import format_money, from_fen

__all__ = ["agreement_reference", "render_agreement"]

TEMPLATE = "arrangements/agreement.html"


def agreement_reference(plan) -> str:
    """The number the agreement carries: PLN-<proposal date>-<plan id>."""
    return f"PLN-{plan.starts_on:%Y%m%d}-{plan.pk:06d}"


def _cn_date(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _yuan(fen: int) -> str:
    return format_money(from_fen(fen), grouping=True)


def staff_name(user) -> str:
    """How the agreement names a member of staff (PLAN-4): their full name, or their login if they have none."""
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


def render_agreement(plan, today: date) -> bytes:
    """The agreement of `plan` as an A4 PDF with the CJK font embedded (subset)."""
    from weasyprint import HTML  # loads Pango and fontconfig, which only documents need

    fonts = letter_fonts(getattr(settings, "ARREARS_LETTER_FONT", "") or "")
    borrower = plan.borrower
    context = {
        "plan": plan,
        "reference": agreement_reference(plan),
        "bank": Bank.from_settings(),
        "borrower_name": borrower.name,
        "customer_number": borrower.external_id,
        "id_number": borrower.id_number,  # in full: the signed document (PLAN-4), never a screen
        "contracts": [(loan.external_id, _cn_date(loan.start_date)) for loan in plan.loans.order_by("external_id")],
        "issued": _cn_date(today),
        "amount": _yuan(plan.amount_fen),
        "payment": _yuan(plan.payment_fen),
        "income": _yuan(plan.income_fen),
        "expenses": _yuan(plan.expenses_fen),
        "debts": _yuan(plan.debts_fen),
        "cap": _yuan(plan.max_payment_fen),
        "instalments": [(i.n, _cn_date(i.due_on), _yuan(i.amount_fen)) for i in plan.instalments.order_by("n")],
        "proposed_by": staff_name(plan.proposed_by),
        "approved_by": staff_name(plan.decided_by) if plan.decided_by_id else "",
        "font_regular": fonts.regular.resolve().as_uri(),
        "font_bold": fonts.bold.resolve().as_uri() if fonts.bold else "",
    }
    return HTML(string=render_to_string(TEMPLATE, context)).write_pdf()
