"""The policy page (/policy/) shows the policy in force, to anyone."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_home_shows_policy_in_force_on_a_date(client):
    """Every parameter with its value and clause, for the requested business date."""
    response = client.get("/policy/", {"on": "2026-03-01"})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-key="penalty.markup"' in html
    assert '<td class="value">50%</td>' in html  # a rate as a percentage
    assert '<td class="clause">PLAN-2</td>' in html
    assert html.count("<tr data-key=") == 94  # every parameter (tests/policy: the row count)
    assert 'data-key="retention.personal_data_years"' in html


def test_home_with_a_bad_date_says_what_to_do(client):
    """A malformed date is a 400 with a message, and today's policy is still shown."""
    response = client.get("/policy/", {"on": "01/03/2026"})
    assert response.status_code == 400
    assert "请按 YYYY-MM-DD 格式填写" in response.content.decode()
    assert 'data-key="penalty.markup"' in response.content.decode()


def test_database_is_reachable_and_migrated(django_db_blocker):
    """The configured database (SQLite or PostgreSQL) is migrated and answers."""
    from django.contrib.auth import get_user_model

    User = get_user_model()

    User.objects.create_user("auditor", password="a long passphrase 123")
    assert User.objects.filter(username="auditor").count() == 1


def test_home_speaks_simplified_chinese_by_default_and_english_on_request(client):
    """zh-Hans first, English second: titles, headings and meanings follow the browser's language."""
    zh = client.get("/policy/", {"on": "2026-03-01"}).content.decode()
    assert "<title>现行催收政策 · arrears</title>" in zh
    assert '<h3 id="penalty">罚息</h3>' in zh
    assert "<td>罚息利率 = 合同利率 × (1 + 上浮比例)</td>" in zh
    en = client.get("/policy/", {"on": "2026-03-01"}, headers={"accept-language": "en"}).content.decode()
    assert "<title>Collection policy in force · arrears</title>" in en
    assert '<h3 id="penalty">Penalty interest</h3>' in en
    assert "<td>penalty rate = contract rate × (1 + markup)</td>" in en


def test_the_suite_runs_on_the_database_ci_asked_for():
    """CI sets ARREARS_EXPECT_DB for each pass, so a pass that silently fell back to SQLite fails here."""
    import os

    from django.db import connection

    expected = os.environ.get("ARREARS_EXPECT_DB")
    if expected is None:
        pytest.skip("ARREARS_EXPECT_DB not set (only CI pins the database)")
    assert connection.vendor == expected
