"""Placing and recalling from the case page, the mandate PDF, the list of placements (Clause: LGL-2, AUTH-3, AGY-1,
AGY-2, PRV-1). The book: tests/agencies/placed.py."""

from __future__ import annotations

import io

import pytest
from django.test import Client
from placed import placed_desk
from pypdf import PdfReader

from arrears.agencies.models import Placement
from arrears.compliance.models import AuditEvent

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("approved_templates")]


@pytest.fixture
def desk():
    return placed_desk()


def signed_in(user) -> Client:
    client = Client(headers={"accept-language": "en"})
    client.force_login(user)
    return client


def case_page(client, desk, ext="AGY") -> str:
    answer = client.get(f"/cases/{desk.cases[ext].pk}/")
    assert answer.status_code == 200
    return answer.content.decode()


def test_a_supervisor_places_from_the_case_page_and_recalls(desk):
    """Clause: LGL-2, AUTH-3, AGY-1 — the form offers only eligible agencies (GOOD, not LAPSED or BARE), with the
    policy's period; placing shows the standing placement and the mandate; recalling ends it with its reason."""
    client = signed_in(desk.boss)
    page = case_page(client, desk)
    assert 'id="place-form"' in page
    assert 'value="GOOD"' in page
    assert 'value="LAPSED"' not in page
    assert 'value="BARE"' not in page
    assert 'name="days" value="90"' in page
    answer = client.post(f"/agencies/cases/{desk.cases['AGY'].pk}/place/", {"agency": "GOOD", "days": "45"})
    assert answer.status_code == 302
    placement = Placement.objects.get()
    assert (placement.agency.code, placement.days) == ("GOOD", 45)
    page = case_page(client, desk)
    assert 'id="placement-standing"' in page
    assert "Placed with GOOD 催收服务有限公司 (GOOD) from 2026-03-21 to 2026-05-04." in page
    assert 'id="place-form"' not in page
    assert 'id="recall-form"' in page
    answer = client.post(f"/agencies/placements/{placement.pk}/recall/", {"reason": "eligibility", "note": "资质到期"})
    assert answer.status_code == 302
    placement.refresh_from_db()
    assert (placement.end_reason, placement.end_note) == ("eligibility", "资质到期")
    page = case_page(client, desk)
    assert "the agency lost its eligibility (AGY-1) · 资质到期" in page
    assert 'id="place-form"' in page  # it may be placed again


def test_a_refused_placement_says_why_on_the_case_page_and_writes_nothing(desk):
    """Clause: AGY-1 — LAPSED posted by hand: the case page shows the reason; nothing placed."""
    client = signed_in(desk.boss)
    events = AuditEvent.objects.count()
    answer = client.post(
        f"/agencies/cases/{desk.cases['AGY'].pk}/place/", {"agency": "LAPSED", "days": "30"}, follow=True
    )
    assert "is not eligible on 2026-03-21 (AGY-1): collection licence expired" in answer.content.decode()
    assert not Placement.objects.exists()
    assert AuditEvent.objects.count() == events
    for bad in (
        {"agency": "GOOD", "days": "０"},
        {"agency": "GOOD", "days": "99999999999999999999"},
        {"agency": "NOPE"},
    ):
        answer = client.post(f"/agencies/cases/{desk.cases['AGY'].pk}/place/", bad, follow=True)
        assert answer.status_code == 200
        assert 'class="message error"' in answer.content.decode(), bad
    assert not Placement.objects.exists()


def test_the_mandate_is_a_pdf_with_the_chinese_font_embedded_and_each_opening_is_audited(desk):
    """Clause: AGY-2, PRV-1."""
    client = signed_in(desk.boss)
    client.post(f"/agencies/cases/{desk.cases['AGY'].pk}/place/", {"agency": "GOOD", "days": "30"})
    placement = Placement.objects.get()
    answer = client.get(f"/agencies/placements/{placement.pk}/mandate.pdf")
    assert answer.status_code == 200
    assert answer["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(answer.content))
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "委托催收函" in text
    assert "严禁使用暴力" in text
    fonts = [
        str(font.get_object()["/BaseFont"]) for page in reader.pages for font in page["/Resources"]["/Font"].values()
    ]
    assert fonts
    assert all("ArrearsLetter" in name for name in fonts)
    opened = AuditEvent.objects.get(action="agencies.view_mandate")
    assert (opened.subject_id, opened.basis["clause"]) == (str(placement.pk), "PRV-1")


@pytest.mark.parametrize("who", ["junior", "senior", "legal", "compliance", "analyst"])
def test_other_roles_neither_place_nor_recall_nor_open_the_mandate(desk, who):
    """Clause: AUTH-3 — refused (403, or 404 where the case is out of reach), nothing changed."""
    signed_in(desk.boss).post(f"/agencies/cases/{desk.cases['AGY'].pk}/place/", {"agency": "GOOD", "days": "30"})
    placement = Placement.objects.get()
    client = signed_in(getattr(desk, who))
    events = AuditEvent.objects.count()
    assert client.post(f"/agencies/cases/{desk.cases['YNG'].pk}/place/", {"agency": "GOOD"}).status_code in (403, 404)
    assert client.post(f"/agencies/placements/{placement.pk}/recall/", {"reason": "supervisor"}).status_code in (
        403,
        404,
    )
    assert client.get(f"/agencies/placements/{placement.pk}/mandate.pdf").status_code in (403, 404)
    assert client.get("/agencies/placements/").status_code == 403
    placement.refresh_from_db()
    assert placement.ended_at is None
    assert Placement.objects.count() == 1
    assert AuditEvent.objects.exclude(action="security.refused").count() == events


def test_the_list_of_placements_shows_standing_and_frozen_ones(desk):
    """Clause: AGY-1 — GOOD's licence lapses after placing: the placement stands, frozen."""
    client = signed_in(desk.boss)
    client.post(f"/agencies/cases/{desk.cases['AGY'].pk}/place/", {"agency": "GOOD", "days": "30"})
    page = client.get("/agencies/placements/").content.decode()
    assert "in force" in page
    desk.good.collection_licence_expires = desk.lapsed.collection_licence_expires
    desk.good.save()
    page = client.get("/agencies/placements/").content.decode()
    assert "frozen" in page
    assert 'id="placement-frozen"' in case_page(client, desk)


def test_the_case_queue_says_where_a_placed_case_is(desk):
    """Clause: LGL-2 — the queue's late-stage column names the agency a standing placement is with."""
    client = signed_in(desk.boss)
    client.post(f"/agencies/cases/{desk.cases['AGY'].pk}/place/", {"agency": "GOOD", "days": "30"})
    page = client.get("/cases/?owner=all").content.decode()
    assert "placed with GOOD 催收服务有限公司" in page


def test_the_escalation_decision_page_offers_the_placement_too(desk):
    """Clause: AUTH-3 — from the escalation queue's decision page a supervisor may place the case directly."""
    page = signed_in(desk.boss).get(f"/legal/cases/{desk.cases['AGY'].pk}/escalation/").content.decode()
    assert 'id="place-form"' in page
    assert 'value="GOOD"' in page


def test_a_reason_in_prohibited_language_is_refused_and_recorded(desk):
    """Clause: LANG-1 — the placement's reason and the recall's note are screened; a hit is refused on the case page
    (no placement, no recall) and recorded for compliance review."""
    from arrears.compliance.models import LanguageHit

    client = signed_in(desk.boss)
    url = f"/agencies/cases/{desk.cases['AGY'].pk}/place/"
    answer = client.post(url, {"agency": "GOOD", "days": "30", "reason": "不还钱就起诉你家人"}, follow=True)
    assert "LANG-1" in answer.content.decode()
    assert not Placement.objects.exists()
    assert LanguageHit.objects.count() == 1
    client.post(url, {"agency": "GOOD", "days": "30"})
    placement = Placement.objects.get()
    client.post(f"/agencies/placements/{placement.pk}/recall/", {"reason": "supervisor", "note": "不还钱就起诉你家人"})
    placement.refresh_from_db()
    assert placement.ended_at is None
    assert LanguageHit.objects.count() == 2


def test_the_start_page_warns_supervisors_of_frozen_placements_and_expiring_licences(desk):
    """Clause: AGY-1 — one case placed with GOOD; GOOD's collection licence then expires within the warning period
    (still eligible: expiring), then lapses (the placement frozen). A junior collector's start page has no such
    section."""
    from datetime import timedelta

    from placed import TODAY

    client = signed_in(desk.boss)
    client.post(f"/agencies/cases/{desk.cases['AGY'].pk}/place/", {"agency": "GOOD", "days": "30"})
    page = client.get("/").content.decode()
    assert "Cases placed with agencies: 1" in page
    assert 'id="agencies-frozen"' not in page
    desk.good.collection_licence_expires = TODAY + timedelta(days=5)
    desk.good.save()
    page = client.get("/").content.decode()
    assert "agency&#x27;s licence expires within 30 days" in page or "agency's licence expires within 30 days" in page
    desk.good.collection_licence_expires = TODAY - timedelta(days=1)
    desk.good.save()
    page = client.get("/").content.decode()
    assert "1 placement is frozen: its agency is not eligible today (AGY-1)." in page
    assert 'id="agencies"' not in signed_in(desk.junior).get("/").content.decode()
    assert 'href="/agencies/audits/"' in signed_in(desk.compliance).get("/").content.decode()
