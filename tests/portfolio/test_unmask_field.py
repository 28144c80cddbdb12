"""Unmasking one field of one borrower: permitted roles with a reason, audited; everyone else refused."""

from __future__ import annotations

import pytest

from arrears.compliance.actions import ActionDenied
from arrears.compliance.models import AuditEvent
from arrears.portfolio.actions import PortfolioError, do_unmask_field
from arrears.portfolio.models import Borrower
from factories import make_borrower, make_user

pytestmark = pytest.mark.django_db


def test_a_supervisor_sees_the_mobile_and_the_ledger_records_why():
    """Clause: PRV-1, AUTH-4 — the unmask is an audited event with its basis and reason."""
    borrower = make_borrower(mobile="17012345678")
    supervisor = make_user("supervisor")
    assert do_unmask_field(borrower, "mobile", actor=supervisor, reason="borrower asked to verify") == "17012345678"
    event = AuditEvent.objects.get()
    assert (event.action, event.subject_type, event.subject_id) == (
        "portfolio.unmask_field",
        "portfolio.borrower",
        str(borrower.pk),
    )
    assert event.basis == {"permission": "portfolio.unmask", "clause": "PRV-1", "approval": None}
    assert event.changes == {"mobile": ["masked", "shown"]}
    assert event.reason == "borrower asked to verify"
    assert event.actor == supervisor


def test_a_junior_collector_is_refused_and_nothing_is_written():
    """Clause: PRV-1 — without portfolio.unmask the value never leaves the database; no event either."""
    borrower = make_borrower()
    junior = make_user("junior_collector")
    with pytest.raises(ActionDenied, match=r"portfolio\.unmask"):
        do_unmask_field(borrower, "id_number", actor=junior, reason="curious")
    assert AuditEvent.objects.count() == 0
    assert Borrower.objects.get(pk=borrower.pk).id_number == borrower.id_number


def test_a_reason_is_required():
    """An unmask without a reason is refused before anything is recorded."""
    borrower = make_borrower()
    with pytest.raises(PortfolioError, match="give a reason"):
        do_unmask_field(borrower, "address", actor=make_user("supervisor"), reason=" ")
    assert AuditEvent.objects.count() == 0


def test_only_personal_data_fields_can_be_unmasked():
    """A field that is not classified as personal data is refused by name."""
    with pytest.raises(PortfolioError, match="'risk_level' is not a personal-data field"):
        do_unmask_field(make_borrower(), "risk_level", actor=make_user("supervisor"), reason="checking")


def test_the_page_revealing_a_field_is_never_stored_by_a_browser_or_proxy(client):
    """Clause: PRV-1 — the value appears on that response only: `Cache-Control: no-store`, while the ordinary
    (masked) borrower page does not need it."""
    borrower = make_borrower(mobile="17012345678")
    client.force_login(make_user("supervisor"))
    response = client.post(
        f"/borrowers/{borrower.external_id}/unmask/", {"field": "mobile", "reason": "borrower asked to verify"}
    )
    assert response.status_code == 200
    assert "17012345678" in response.content.decode()
    assert response["Cache-Control"] == "no-store"
    assert "17012345678" not in client.get(f"/borrowers/{borrower.external_id}/").content.decode()
