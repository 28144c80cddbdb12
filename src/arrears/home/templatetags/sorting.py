"""`{% sort_header "dpd" label sort %}`: a table header that sorts its list by the column (`arrears.home.sorting`).

The link keeps the request's other query parameters (filters), drops the page (a new order starts at page 1),
and toggles the direction when the list is already sorted by this column. With `target` it also updates the
element of that id in place (htmx) and pushes the URL; without JavaScript it is an ordinary link.
"""

from __future__ import annotations

from django import template
from django.http import QueryDict
from django.utils.html import format_html
from django.utils.translation import gettext as _

from arrears.home.sorting import Sort

register = template.Library()


@register.simple_tag(takes_context=True)
def sort_header(context, key: str, label: str, sort: Sort, target: str = "", css: str = "", first: str = "") -> str:
    """A `<th>` with a link sorting by `key`. `first`: "-" where the column's natural first order is descending
    (amounts, DPD: the largest first)."""
    request = context.get("request")
    query = request.GET.copy() if request is not None else QueryDict(mutable=True)
    query.pop("page", None)
    if sort.key == key:
        query["sort"] = key if sort.descending else f"-{key}"
        state = "descending" if sort.descending else "ascending"
        hint = _("sorted in descending order") if sort.descending else _("sorted in ascending order")
    else:
        query["sort"] = f"{first}{key}"
        state, hint = "none", ""
    href = f"?{query.urlencode()}"
    htmx = format_html(' hx-get="{}" hx-target="#{}" hx-push-url="true"', href, target) if target else ""
    arrow = ("▼" if sort.descending else "▲") if state != "none" else ""
    return format_html(
        '<th{} aria-sort="{}"><a href="{}"{} data-sort="{}">{}</a>{}</th>',
        format_html(' class="{}"', css) if css else "",
        state,
        href,
        htmx,
        key,
        label,
        format_html(' <span class="sort-mark" title="{}">{}</span>', hint, arrow) if arrow else "",
    )
