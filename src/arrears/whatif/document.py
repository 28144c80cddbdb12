"""A what-if as a document: the PDF a collections head takes to the meeting that decides the policy (issue 23).

`render_whatif_pdf(report, rows)` renders `whatif/document.html` with WeasyPrint and the CJK font the bank's other
printed documents embed (`collection.letters.letter_fonts`), A4 with the documents' page style, in Chinese like
them: the period, the candidate's changes, the policy in force, the totals side by side with the change, the
charts of the nights (drawn as images) and a line per night. Counts only: no borrower.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from arrears.collection.letters import Bank, letter_fonts
from arrears.notices.content import format_date
from arrears.notices.models import Language
from arrears.reports.charts import data_uri
from arrears.whatif.models import WhatIfReport

__all__ = ["TEMPLATE", "render_whatif_pdf"]

TEMPLATE = "whatif/document.html"


def render_whatif_pdf(report: WhatIfReport, page: dict[str, Any]) -> bytes:
    """`report` (done) as an A4 PDF with the CJK font embedded (subset); `page` is the web page's context of its
    figures (`views.figures_context`, made under zh-Hans by the caller)."""
    from weasyprint import HTML  # loads Pango and fontconfig, which only documents need

    fonts = letter_fonts(getattr(settings, "ARREARS_LETTER_FONT", "") or "")
    with translation.override("zh-hans"):
        html = render_to_string(
            TEMPLATE,
            {
                **page,
                "report": report,
                "bank": Bank.from_settings(),
                "images": {name: data_uri(svg) for name, svg in page["charts"].items()},
                "footer": f"{_('Policy what-if')} #{report.pk}",
                "first": format_date(report.first, Language.ZH_HANS),
                "last": format_date(report.last, Language.ZH_HANS),
                "asked_on": format_date(report.requested_at.date(), Language.ZH_HANS),
                "font_regular": fonts.regular.resolve().as_uri(),
                "font_bold": fonts.bold.resolve().as_uri() if fonts.bold else "",
            },
        )
    return HTML(string=html).write_pdf()
