"""A month's collection cost (Clause: KPI-2), from what arrears knows and what administrators entered:

- **notices** sent in the month (by the day they were sent, Beijing time; complaint notices are not collection):
  SMS, email and letters by post, each at its unit cost in the policy in force on the month's last day
  (`kpi.cost_per_sms`, `kpi.cost_per_email`, `kpi.cost_per_letter`), rounded half-up to the fen per channel;
- **agency commissions** on the month's days (`agencies.commissions.commission_costs`, each statement's sum);
- **legal costs** incurred in the month (`legal.LegalCost.incurred_on`);
- **entered costs** for the month (staff, telephony, other; `reports.CostEntry` not replaced).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, Sum
from django.utils.translation import gettext as _

from arrears.agencies.commissions import Month, commission_costs
from arrears.finance.money import to_fen
from arrears.legal.models import LegalCost
from arrears.notices.models import COMPLAINT_KINDS, Notice, NoticeChannel, NoticeStatus
from arrears.reports.models import CostEntry, CostKind
from arrears.rules.queries import policy_book

__all__ = ["SENT", "SOURCES", "Costs", "month_cost", "source_label"]

# A notice that went out (the channel took it), whatever came back.
SENT = (NoticeStatus.SENT, NoticeStatus.DELIVERED, NoticeStatus.UNDELIVERED)
# The sources of a month's cost, in the order the pages show them.
SOURCES = ("sms", "email", "letters", "commissions", "legal", *CostKind.values)


def source_label(code: str) -> str:
    """A source's words in the reader's language (the entered ones are the kinds of `CostEntry`)."""
    words = {
        "sms": _("SMS sent"),
        "email": _("emails sent"),
        "letters": _("letters posted"),
        "commissions": _("agency commissions"),
        "legal": _("legal costs"),
    }
    return words[code] if code in words else str(CostKind(code).label)


@dataclass(frozen=True)
class Costs:
    month: Month
    by_source: dict[str, int] = field(default_factory=dict)  # fen, every source of SOURCES
    notices: dict[str, int] = field(default_factory=dict)  # how many were sent, by channel

    @property
    def total_fen(self) -> int:
        return sum(self.by_source.values())


def month_cost(month: Month) -> Costs:
    """Clause: KPI-2 — the collection cost of `month` by source (module docstring)."""
    kpi = policy_book().on(month.last).kpi
    sent = dict(
        Notice.objects.filter(status__in=SENT, sent_at__date__range=(month.first, month.last))
        .exclude(kind__in=COMPLAINT_KINDS)
        .values_list("channel")
        .annotate(n=Count("pk"))
        .values_list("channel", "n")
    )
    unit = {
        NoticeChannel.SMS: kpi.cost_per_sms,
        NoticeChannel.EMAIL: kpi.cost_per_email,
        NoticeChannel.POST: kpi.cost_per_letter,
    }
    source = {NoticeChannel.SMS: "sms", NoticeChannel.EMAIL: "email", NoticeChannel.POST: "letters"}
    by_source = dict.fromkeys(SOURCES, 0)
    for channel, price in unit.items():
        by_source[source[channel]] = to_fen(price * sent.get(channel, 0))
    by_source["commissions"] = commission_costs(month.first, month.last)
    by_source["legal"] = (
        LegalCost.objects.filter(incurred_on__range=(month.first, month.last)).aggregate(s=Sum("amount_fen"))["s"] or 0
    )
    for kind, amount in (
        CostEntry.objects.filter(month=month.first, replaced_by__isnull=True)
        .values_list("kind")
        .annotate(s=Sum("amount_fen"))
        .values_list("kind", "s")
    ):
        by_source[kind] += amount
    return Costs(month, by_source, {source[c]: sent.get(c, 0) for c in unit})
