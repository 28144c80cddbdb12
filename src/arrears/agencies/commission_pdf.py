"""An agency's monthly commission statement as a PDF (Clause: LGL-2, KPI-2).

`render_statement_pdf(statement)` renders `agencies/commission_document.html` with WeasyPrint and the CJK font
the formal notices embed (`collection.letters.letter_fonts`: `ARREARS_LETTER_FONT`, else Noto Sans CJK found with
fontconfig; subset-embedded), A4 with the printed documents' page style (`documents/page_style.html`). The
document is always in Chinese, like the bank's other printed documents: its words are the statement page's,
rendered under zh-Hans. It shows of the borrowers exactly what the statement's reach allows (masked names and
contracts, or figures only).
"""

from __future__ import annotations

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext

from arrears.agencies.commissions import Reach, Statement
from arrears.collection.letters import Bank, letter_fonts
from arrears.notices.content import format_date
from arrears.notices.models import Language

__all__ = ["TEMPLATE", "render_statement_pdf"]

TEMPLATE = "agencies/commission_document.html"


def render_statement_pdf(found: Statement) -> bytes:
    """The statement as an A4 PDF with the CJK font embedded (subset)."""
    from weasyprint import HTML  # loads Pango and fontconfig, which only documents need

    fonts = letter_fonts(getattr(settings, "ARREARS_LETTER_FONT", "") or "")
    with translation.override("zh-hans"):
        html = render_to_string(
            TEMPLATE,
            {
                "s": found,
                "bank": Bank.from_settings(),
                "people": found.reach is not Reach.FIGURES,
                "footer": f"{gettext('Commission statement')} {found.agency.code} {found.month}",
                "as_of": format_date(found.as_of, Language.ZH_HANS),
                "first": format_date(found.month.first, Language.ZH_HANS),
                "last": format_date(found.month.last, Language.ZH_HANS),
                "font_regular": fonts.regular.resolve().as_uri(),
                "font_bold": fonts.bold.resolve().as_uri() if fonts.bold else "",
            },
        )
    return HTML(string=html).write_pdf()
