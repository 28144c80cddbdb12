"""`{% export_link %}`: the link that downloads the list on the page as CSV, with the page's filters (the
query string less the page number; `arrears.home.export`)."""

from __future__ import annotations

from django import template
from django.utils.html import format_html
from django.utils.translation import gettext as _

register = template.Library()


@register.simple_tag(takes_context=True)
def export_link(context) -> str:
    query = context["request"].GET.copy()
    query.pop("page", None)
    query["format"] = "csv"
    return format_html('<a class="export" href="?{}" download>{}</a>', query.urlencode(), _("Export CSV"))
