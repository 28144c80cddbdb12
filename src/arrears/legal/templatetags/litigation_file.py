"""`{% litigation_file_block litigation %}`: the litigation file's block (Clause: LIT-1) for the litigation's page —
the newest version with its downloads, and the link to the file's page (every version, the build form)."""

from __future__ import annotations

from django import template

from arrears.legal.litigation_file import latest_file

register = template.Library()


@register.inclusion_tag("legal/_file_block.html")
def litigation_file_block(litigation) -> dict:
    return {"litigation": litigation, "latest": latest_file(litigation)}
