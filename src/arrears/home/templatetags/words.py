"""Words for codes a page would otherwise show as stored: `{{ user.role_id|role_label }}`, `{{ loan.product|product }}`,
`{{ run.policy_name|policy_name }}`, and `{{ code|word:labels }}` for any code with a label map from the view.

The stored codes stay as they are (the APIs and the CLI's --json keep them); only what a person reads changes.
"""

from __future__ import annotations

import re

from django import template
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from arrears.accounts.roles import role_label as _role_label
from arrears.policy.versions import SPEC_NAME

register = template.Library()

# The core-banking feed's product codes (docs/feed-format.md); a product the bank adds later shows as sent.
PRODUCTS = {
    "consumer": gettext_lazy("consumer loan"),
    "mortgage": gettext_lazy("mortgage"),
    "sme": gettext_lazy("small business loan"),
    "card-instalment": gettext_lazy("card instalment"),
}
_ADMIN_VERSION = re.compile(r"policy version (\d+) \((.*)\)")


@register.filter
def role_label(code: str | None) -> str:
    return _role_label(code) if code else "—"


@register.filter
def product(code: str | None) -> str:
    return str(PRODUCTS.get(code, code or "—"))


@register.filter
def policy_name(name: str) -> str:
    """The built-in version's name in words; a version an administrator named keeps its name."""
    return _("the specification's defaults") if name == SPEC_NAME else name


@register.filter
def policy_source(source: str) -> str:
    """Where a policy version comes from: built in, added in the admin, or a file (its path, as configured)."""
    if source == "built-in":
        return _("built in")
    added = _ADMIN_VERSION.fullmatch(source)
    if added:
        return _("version %(number)s added by an administrator") % {"number": added.group(1)}
    return source


@register.filter
def word(code, labels) -> str:
    """`labels[code]` in the active language; a code without a label shows as it is (never hidden)."""
    if code in (None, ""):
        return "—"
    return str(labels.get(code, code)) if labels else str(code)
