"""`{% case_litigation case %}`: the case page's litigation block (Clause: LIT-2) — the lawsuit's stage, court,
case number (案号) and next deadline, with a link to its page; shown only to roles with `legal.view_litigation`."""

from __future__ import annotations

from django import template

from arrears.legal import queries_litigation
from arrears.legal.litigation_words import shown

register = template.Library()


@register.inclusion_tag("legal/litigation_case_block.html", takes_context=True)
def case_litigation(context, case) -> dict:
    on = queries_litigation.court_today()
    row = queries_litigation.case_summary(context["request"].user, case, on)
    return {"row": row, "next": shown(row.next, on) if row else None}
