"""The agencies page and `GET /api/v1/agencies` (Clause: AGY-1): every agency with its unique code and its
eligibility today, for supervisors and administrators; refused to everyone else."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.test import Client
from django.utils import timezone

from arrears.accounts.models import Agency
from factories import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def agencies():
    today = timezone.localdate()
    valid = Agency.objects.create(
        code="AGY-001",
        name="远方资产管理有限公司",
        business_licence_no="91310000MA1FL0001X",
        business_licence_expires=today + timedelta(days=400),
        collection_licence_no="沪催字(2025)017号",
        collection_licence_expires=today + timedelta(days=10),
        confidentiality_signed_on=today - timedelta(days=100),
    )
    lapsed = Agency.objects.create(
        code="AGY-002",
        name="近邻催收服务有限公司",
        business_licence_no="91310000MA1FL0002Y",
        business_licence_expires=today - timedelta(days=1),
        collection_licence_no="沪催字(2025)018号",
        collection_licence_expires=today + timedelta(days=200),
    )
    return valid, lapsed


def signed_in(user, language="zh-hans") -> Client:
    client = Client(headers={"accept-language": language})
    client.force_login(user)
    return client


def test_the_api_lists_every_agency_with_its_eligibility(agencies):
    """Clause: AGY-1 — by code; the lapsed one says why (in English here), the other warns of its expiry."""
    answer = signed_in(make_user("supervisor"), "en").get("/api/v1/agencies")
    assert answer.status_code == 200
    body = answer.json()
    assert body["count"] == 2
    by_code = {item["code"]: item for item in body["items"]}
    valid, lapsed = by_code["AGY-001"], by_code["AGY-002"]
    assert (valid["eligible"], valid["expiring_soon"], valid["problems"]) == (True, True, [])
    assert valid["expires_on"] == (timezone.localdate() + timedelta(days=10)).isoformat()
    assert (lapsed["eligible"], lapsed["problems"]) == (
        False,
        ["business licence expired", "no signed confidentiality agreement"],
    )


def test_the_page_shows_eligibility_and_the_expiry_warning_in_chinese(agencies):
    """Clause: AGY-1 — administrators keep the registry and see it too."""
    for role in ("supervisor", "administrator"):
        page = signed_in(make_user(role)).get("/agencies/")
        assert page.status_code == 200
        text = page.content.decode()
        assert 'id="agencies-expiring"' in text
        assert "营业执照已过期" in text
        assert "AGY-002" in text


@pytest.mark.parametrize("role", ["junior_collector", "senior_collector", "legal_officer", "agency_user", "analyst"])
def test_other_roles_are_refused(agencies, role):
    """Clause: AGY-1 — the registry is for those who place cases and those who keep it."""
    client = signed_in(make_user(role))
    assert client.get("/agencies/").status_code == 403
    assert client.get("/api/v1/agencies").status_code == 403


def test_agencies_get_a_unique_code_and_a_bad_one_is_refused(agencies):
    """Issue 19's interface: every agency has a code, unique; a new one without a code gets a fresh one."""
    fresh = Agency.objects.create(name="新设资产管理有限公司")
    assert fresh.code.startswith("AGY-")
    assert len(fresh.code) == 12
    with pytest.raises(IntegrityError), transaction.atomic():
        Agency.objects.create(code="AGY-001", name="重名代码有限公司")
    bad = Agency(code="agy 1", name="小写代码有限公司")
    with pytest.raises(ValidationError, match="upper-case"):
        bad.full_clean()
