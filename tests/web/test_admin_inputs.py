"""The admin's number, date and by-id fields take ASCII digits only, like the workstation's forms."""

from __future__ import annotations

import pytest

from arrears.accounts.models import Agency, Team, User
from factories import make_user

pytestmark = pytest.mark.django_db

AGENCY = {
    "code": "AGY-010",
    "name": "东方催收有限公司",
    "business_licence_no": "91310000MA1234567X",
    "collection_licence_no": "C-2026-01",
    "commission_percent": "12.50",
}


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def test_a_date_in_full_width_digits_is_the_forms_message_and_nothing_is_stored(client):
    """Clause: AGY-1 — an agency's licence expiry typed ２０２７-06-30 (which Django's date field reads as
    2027-06-30): the form's message, no agency; typed 2027-06-30, the agency is saved."""
    client.force_login(make_user("administrator"))
    answer = client.post(
        "/admin/accounts/agency/add/",
        {**AGENCY, "business_licence_expires": "２０２７-06-30"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert answer.status_code == 200
    assert "Use the digits 0–9 only (not full-width or other digits)." in answer.content.decode()
    assert not Agency.objects.filter(name=AGENCY["name"]).exists()
    saved = client.post("/admin/accounts/agency/add/", {**AGENCY, "business_licence_expires": "2027-06-30"})
    assert saved.status_code == 302
    assert str(Agency.objects.get(name=AGENCY["name"]).business_licence_expires) == "2027-06-30"


def test_a_team_chosen_by_an_id_in_other_digits_is_refused(client):
    """A user's team given as ３ (the id 3 to Django's own field): the form's message, the user unchanged."""
    admin_user = make_user("administrator")
    client.force_login(admin_user)
    team = Team.objects.create(name="东区一组")
    collector = make_user("junior_collector")
    page = client.get(f"/admin/accounts/user/{collector.pk}/change/")
    form = page.context["adminform"].form
    data = {name: form[name].value() or "" for name in form.fields if name != "password"}
    data.update(
        {"is_active": "on", "team": str(team.pk).translate(str.maketrans("0123456789", "０１２３４５６７８９"))}
    )
    data = {k: v for k, v in data.items() if v not in (None, False)}
    answer = client.post(f"/admin/accounts/user/{collector.pk}/change/", data, HTTP_ACCEPT_LANGUAGE="en")
    assert answer.status_code == 200
    assert answer.context["adminform"].form.errors["team"] == [
        "Use the digits 0–9 only (not full-width or other digits)."
    ]
    assert User.objects.get(pk=collector.pk).team_id is None
