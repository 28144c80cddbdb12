"""A task's reason, which the nightly run stores as a short code, is shown in the page's language (issue 15)."""

from __future__ import annotations

import pytest
from desk import AS_OF, open_desk
from django.utils import translation

from arrears.collection.models import Task
from arrears.collection.templatetags.desk import task_reason

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("code", "chinese"),
    [
        ("first call", "新案件首次致电"),
        ("cadence", "按催收频率的下一次致电"),
        ("failed attempts", "多次催收未果"),
        ("confirm delivery", "电话确认通知书已送达"),
        ("plan broken: instalment 2 due 2026-04-25", "分期计划已违约: instalment 2 due 2026-04-25"),
        ("something new", "something new"),
    ],
)
def test_each_reason_code_has_its_words(code, chinese):
    with translation.override("zh-hans"):
        assert task_reason(code) == chinese


def test_the_case_page_shows_the_cadence_task_in_words_not_its_code(client):
    """Clause: CALL-4 — the open cadence call on the case page: its words in Chinese, never `cadence`."""
    desk = open_desk([("C45", 45, "12000", "low")], {"junior_collector": 1})
    case = desk["cases"]["C45"]
    Task.objects.update(status="done")
    Task.objects.create(
        key="call:test-cadence", kind="call", borrower=case.borrower, case=case, available_from=AS_OF,
        due_on=AS_OF, reason="cadence", clause="CALL-4", created_on=AS_OF,
    )  # fmt: skip
    client.force_login(desk["users"]["junior_collector"][0])
    html = client.get(f"/cases/{case.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "按催收频率的下一次致电" in html
    assert "· cadence" not in html
