"""A late-stage book with agencies: the cases of tests/legal/test_escalation_api.py on the day after AS_OF — LIT
(DPD 90, a refusal, 60,000.00: litigation's route), AGY (DPD 90, three failed attempts, 1,000.00: an agency's),
SEV (DPD 100, severe but without LGL-1's grounds), YNG (DPD 30, not for the late stage) — and agencies: GOOD
(eligible, 12.50 % commission), LAPSED (its collection licence expired the day before), BARE (no confidentiality
agreement)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from late_desk import AS_OF, call, late_desk, night_of

from arrears.accounts.models import Agency

TODAY = AS_OF + timedelta(days=1)


def agency(code: str, *, collection_expires=None, signed=True, percent="12.50") -> Agency:
    return Agency.objects.create(
        code=code,
        name=f"{code} 催收服务有限公司",
        business_licence_no=f"BL-{code}",
        business_licence_expires=TODAY + timedelta(days=400),
        collection_licence_no=f"CL-{code}",
        collection_licence_expires=collection_expires or TODAY + timedelta(days=400),
        confidentiality_signed_on=TODAY - timedelta(days=30) if signed else None,
        commission_percent=Decimal(percent),
    )


def placed_desk():
    desk = late_desk(
        flat=[("LIT", 89, "60000.00"), ("AGY", 89, "1000.00"), ("SEV", 99, "1000.00"), ("YNG", 29, "500.00")]
    )
    call(desk.cases["LIT"], AS_OF, "refused")
    for outcome in ("no_answer", "busy", "wrong_party"):
        call(desk.cases["AGY"], AS_OF, outcome)
    call(desk.cases["SEV"], AS_OF, "promised")
    night_of(TODAY)
    desk.good = agency("GOOD")
    desk.lapsed = agency("LAPSED", collection_expires=TODAY - timedelta(days=1))
    desk.bare = agency("BARE", signed=False)
    return desk
