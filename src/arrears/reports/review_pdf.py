"""The monthly review pack as documents (Clause: REV-1): the PDF and the XLSX kept when the pack is approved.

* `render_review_pdf(pack)` renders `reports/review_document.html` with WeasyPrint and the CJK font the bank's
  other printed documents embed (`collection.letters.letter_fonts`: `ARREARS_LETTER_FONT`, else Noto Sans CJK
  found with fontconfig; subset-embedded), A4 with the documents' page style. Always in Chinese, like the bank's
  other documents: the page's words rendered under zh-Hans. It shows the indicators this month against last
  month with the targets met or missed, recovery by class, the bucket sizes, the charts
  (`reports.charts`: recovery against target over the last months, roll rates, bucket sizes, cost rate), the
  chosen cases (case number, rule, date, figure, note — no borrower), the commentary, the action items with
  their owners, and the follow-up of earlier items.
* `render_review_xlsx(pack)` is the same tables, one sheet each (`reports.xlsx.workbook`).
"""

from __future__ import annotations

from datetime import datetime, time
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from arrears.agencies.commissions import Month
from arrears.collection.letters import Bank, letter_fonts
from arrears.notices.content import format_date
from arrears.notices.models import Language
from arrears.reports.models_review import ReviewPack
from arrears.reports.queries_review import pack_context, person

__all__ = ["TEMPLATE", "render_review_pdf", "render_review_xlsx", "review_sheets"]

TEMPLATE = "reports/review_document.html"


def _approval(pack: ReviewPack) -> dict[str, str]:
    at = pack.approved_at or timezone.now()
    return {
        "approved_by": person(pack.approved_by) if pack.approved_by_id else "",
        "approved_on": format_date(timezone.localtime(at).date(), Language.ZH_HANS),
    }


def render_review_pdf(pack: ReviewPack) -> bytes:
    """The pack as an A4 PDF with the CJK font embedded (subset), in Chinese."""
    from weasyprint import HTML  # loads Pango and fontconfig, which only documents need

    from arrears.reports.review_charts import pack_charts

    fonts = letter_fonts(getattr(settings, "ARREARS_LETTER_FONT", "") or "")
    month = Month.of(pack.month)
    with translation.override("zh-hans"):
        context = pack_context(pack, None)
        html = render_to_string(
            TEMPLATE,
            {
                **context,
                **_approval(pack),
                "bank": Bank.from_settings(),
                "charts": pack_charts(pack.figures or {}, image=True),
                "footer": f"{_('Monthly collection review')} {month}",
                "first": format_date(month.first, Language.ZH_HANS),
                "last": format_date(month.last, Language.ZH_HANS),
                "prepared_on": format_date(pack.prepared_on, Language.ZH_HANS),
                "font_regular": fonts.regular.resolve().as_uri(),
                "font_bold": fonts.bold.resolve().as_uri() if fonts.bold else "",
            },
        )
    return HTML(string=html).write_pdf()


def _rate(value: Any) -> Decimal | None:
    return None if value in (None, "") else Decimal(str(value))


def _number(value: Any) -> int | Decimal | None:
    if value in (None, ""):
        return None
    return value if isinstance(value, int) else Decimal(str(value))


def review_sheets(pack: ReviewPack) -> list[Any]:
    """The pack's tables as the XLSX's sheets, worded in zh-Hans (call under that language)."""
    from arrears.reports.xlsx import Sheet

    context = pack_context(pack, None)
    rows = context["rows"]
    rates = Sheet(
        _("Rates"),
        [_("Indicator"), _("This month"), _("Last month"), _("Change"), _("Target"), _("Target met")],
        [
            [row.label, _rate(row.this), _rate(row.last), row.change_text, _rate(row.target), row.met_text]
            for row in rows
            if row.unit == "rate"
        ],
        rate_columns=frozenset({1, 2, 4}),
    )
    amounts = Sheet(
        _("Amounts"),
        [_("Indicator"), _("This month"), _("Last month"), _("Change")],
        [
            [row.label, row.this, row.last, None if row.change is None else int(row.change)]
            for row in rows
            if row.unit == "fen"
        ],
        money_columns=frozenset({1, 2, 3}),
    )
    others = Sheet(
        _("Other indicators"),
        [_("Indicator"), _("This month"), _("Last month"), _("Change")],
        [
            [row.label, _number(row.this), _number(row.last), row.change]
            for row in rows
            if row.unit not in ("rate", "fen")
        ],
    )
    classes = Sheet(
        _("Recovery by class"),
        [
            _("Class"),
            _("Loans"),
            _("Overdue at the opening"),
            _("Recovered"),
            _("Recovery rate"),
            _("Last month"),
            _("Target"),
            _("Target met"),
        ],
        [
            [
                c.label,
                c.loans,
                c.opening_overdue_fen,
                c.recovered_fen,
                _rate(c.rate.this),
                _rate(c.rate.last),
                _rate(c.target),
                c.rate.met_text,
            ]
            for c in context["classes"]
        ],
        money_columns=frozenset({2, 3}),
        rate_columns=frozenset({4, 5, 6}),
    )
    buckets = Sheet(
        _("Buckets"),
        [_("Bucket"), _("Loans"), _("Loans last month"), _("Overdue at the opening"), _("Last month")],
        [[loans.label, loans.this, loans.last, amount.this, amount.last] for loans, amount in context["buckets"]],
        money_columns=frozenset({3, 4}),
    )
    cases = Sheet(
        _("Typical cases"),
        [_("Success or failure"), _("Proposed because"), _("Case"), _("Reference"), _("Date"), _("Amount"), _("Note")],
        [
            [
                c.kind_label,
                c.rule_label,
                c.row.case_id,
                c.row.reference,
                c.row.occurred_on,
                c.row.amount_fen,
                c.row.note,
            ]
            for c in [*context["successes"], *context["failures"]]
        ],
        money_columns=frozenset({5}),
    )
    items = Sheet(
        _("Action items"),
        [_("Action"), _("Owner"), _("Due on"), _("Status")],
        [[i.text, person(i.owner), i.due_on, i.get_status_display()] for i in context["items"]],
    )
    follow = Sheet(
        _("Follow-up"),
        [_("Agreed in"), _("Action"), _("Owner"), _("Due on"), _("Status"), _("Follow-up note")],
        [[f.agreed_in, f.text, f.owner, f.due_on, f.status_label, f.note] for f in context["follow_up"]],
    )
    return [rates, amounts, others, classes, buckets, cases, items, follow]


def render_review_xlsx(pack: ReviewPack) -> bytes:
    """The pack's tables as one XLSX, a sheet per table, in Chinese; dated the month's last day."""
    from arrears.reports.xlsx import workbook

    month = Month.of(pack.month)
    with translation.override("zh-hans"):
        sheets = review_sheets(pack)
    created = datetime.combine(month.last, time(23, 59), tzinfo=timezone.get_default_timezone())
    return workbook(sheets, created=created)
