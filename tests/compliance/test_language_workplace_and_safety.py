"""Prohibited language: threats against the borrower's workplace, and patterns that cannot hang a check.

Clause: LANG-1 — no threatening or intimidating language, including pressure through the borrower's employer,
superiors or colleagues; checking a text against the list ends soon whatever the list holds.
"""

from __future__ import annotations

import importlib
import logging
import time

import pytest
from django.apps import apps
from django.utils import translation

from arrears.compliance.language import Entry, check_text
from arrears.compliance.language_actions import PhraseError, do_save_phrase, screen_text
from arrears.compliance.models import LanguageHit, ProhibitedPhrase
from arrears.compliance.queries import active_entries
from factories import make_user

_seed_start = importlib.import_module("arrears.compliance.migrations.0004_seed_prohibited_phrases")
_seed_workplace = importlib.import_module("arrears.compliance.migrations.0006_seed_workplace_phrases")


@pytest.fixture
def seeded():
    """The list as migrations 0004 and 0006 leave it (a transactional test's flush elsewhere may have emptied
    the table)."""
    _seed_start.seed(apps, None)
    _seed_workplace.seed(apps, None)


def snapshot() -> dict[str, int]:
    return {
        model._meta.label: model.objects.count() for model in apps.get_models() if model._meta.app_label == "compliance"
    }


# --- threats against the workplace ---------------------------------------------------------------------------


@pytest.mark.usefixtures("seeded")
@pytest.mark.django_db
@pytest.mark.parametrize(
    ("text", "excerpt"),
    [
        ("我们会去你单位找你领导", "去你单位"),
        ("我们会联系你的公司", "联系你的公司"),
        ("我们会联系你的老板", "联系你的老板"),
        ("我们会联系你的同事", "联系你的同事"),
        ("再不还钱就去你公司找你", "去你公司"),
        ("明天我们就去你们单位找你们领导", "去你们单位"),
        ("我們會聯繫你的老闆", "聯繫你的老闆"),
        ("我们直接给你领导打电话", "给你领导打电话"),
        ("下周到您公司当面谈", "到您公司"),
        ("我们会通知你的领导和同事", "通知你的领导"),
    ],
)
def test_threats_to_contact_the_employer_or_workplace_are_caught(text, excerpt):
    """Clause: LANG-1 — the seeded entries of migration 0006 catch the threat; the excerpt quotes the words."""
    hits = check_text(text, active_entries())
    assert [hit.excerpt for hit in hits][:1] == [excerpt]
    assert {hit.category for hit in hits} == {"third_party"}


@pytest.mark.usefixtures("seeded")
@pytest.mark.django_db
@pytest.mark.parametrize(
    "text",
    [
        "请问您的工作单位电话是否变更",
        "您现在方便接电话吗",
        "您的单位地址是否有变化",
        "请您核实一下公司地址",
        "我们公司可以为您办理延期还款",
        "您可以向单位申请开具收入证明",
        "您的同事如果接到电话请转告您回电",
        "我们的工作人员会给您发短信",
    ],
)
def test_neutral_questions_about_work_are_not_caught(text):
    """Clause: LANG-1 — asking about the borrower's own workplace is not a threat."""
    assert check_text(text, active_entries()) == []


# --- patterns that could backtrack are refused when saved -----------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("pattern", "message"),
    [
        ("(a+)+$", "repeats a group"),
        ("(骗|骗子)+", "repeats a group"),
        ("(滚蛋)*去死", "repeats a group"),
        ("(骗)子\\1", "refers back to a group"),
        ("(?=骗子)骗", "lookahead or lookbehind"),
        ("起诉.*你.*家人", "too many open-ended repetitions"),
        ("骗" * 201, "201 characters long; keep it to 200"),
    ],
)
def test_a_pattern_that_could_backtrack_is_refused_with_what_to_do_and_nothing_stored(pattern, message):
    """Clause: LANG-1 — refused at save with the reason and the alternative; no row, no event."""
    officer = make_user("compliance_officer")
    before = snapshot()
    with pytest.raises(PhraseError, match=message):
        do_save_phrase(None, text=pattern, kind="pattern", category="insult", actor=officer)
    assert snapshot() == before


@pytest.mark.django_db
def test_the_refusal_is_in_the_officers_language_on_the_page(client):
    """Clause: LANG-1 — the default language is Simplified Chinese: the page says it in Chinese."""
    client.force_login(make_user("compliance_officer"))
    before = snapshot()
    response = client.post("/compliance/phrases/", {"text": "(a+)+$", "kind": "pattern", "category": "other"})
    assert response.status_code == 200
    assert "重复了一个分组" in response.content.decode()
    assert snapshot() == before
    with translation.override("zh-hans"), pytest.raises(PhraseError, match="重复了一个分组"):
        do_save_phrase(None, text="(a|aa)*b", kind="pattern", category="other", actor=make_user("compliance_officer"))


@pytest.mark.django_db
def test_bounded_and_single_character_repetitions_are_accepted():
    """Clause: LANG-1 — what a phrase needs stays possible: optional groups, classes, bounded gaps, one .*"""
    officer = make_user("compliance_officer")
    for pattern in ["(找|骚扰)(你|您)的?(全家|家人)", "起诉.{0,10}家人", "[你您]+的?领导", "打爆.*电话"]:
        do_save_phrase(None, text=pattern, kind="pattern", category="other", actor=officer)
    assert ProhibitedPhrase.objects.filter(kind="pattern", updated_by=officer).count() == 4


# --- a catastrophic pattern stored anyway --------------------------------------------------------------------


@pytest.mark.usefixtures("seeded")
@pytest.mark.django_db
def test_a_stored_catastrophic_pattern_is_skipped_with_a_logged_error_and_the_note_is_checked_in_time(caplog):
    """Clause: LANG-1 — `(a+)+$` written into the table directly (bypassing the save check). Python's engine
    would take longer than the age of the universe on this note; the entry is skipped, an ERROR names it, the
    other entries still apply, and the check ends in well under a second of matching."""
    bad = ProhibitedPhrase.objects.create(
        text="(a+)+$", kind="pattern", category="other", updated_at="2026-12-05T00:00Z"
    )
    collector = make_user("junior_collector")
    note = "a" * 5000 + "b"
    started = time.perf_counter()
    with caplog.at_level(logging.ERROR, logger="arrears.compliance"):
        assert screen_text(note, actor=collector, where="call_note") == []
    assert time.perf_counter() - started < 5  # jieba's first load included
    assert f"prohibited phrase {bad.pk} ('(a+)+$') cannot be used and was skipped: repeated_group" in caplog.text
    assert LanguageHit.objects.count() == 0  # a clean note: nothing recorded, it may be saved
    hits = screen_text(note + "你怎么不去死", actor=collector, where="call_note")
    assert [hit.phrase for hit in hits] == ["去死"]


@pytest.mark.usefixtures("seeded")
@pytest.mark.django_db
def test_the_phrases_page_marks_a_stored_unusable_entry(client):
    """Clause: LANG-1 — the officers see that the entry is not in use, and why."""
    ProhibitedPhrase.objects.create(text="(x+)*y", kind="pattern", category="other", updated_at="2026-12-05T00:00Z")
    client.force_login(make_user("compliance_officer"))
    page = client.get("/compliance/phrases/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert page.count("Not in use: text is not checked against this entry.") == 1
    assert "repeats a group with *, + or {…}" in page


# --- long texts ----------------------------------------------------------------------------------------------


def test_a_threat_deep_in_a_long_text_is_still_found():
    """Clause: LANG-1 — patterns search window by window over the whole text, not only its beginning."""
    entries = [Entry(1, "(去|到)(你|您)的?单位", "pattern", "third_party"), Entry(2, "打爆.*电话", "pattern", "other")]
    text = "您好，" * 1500 + "明天去你单位" + "谢谢" * 10
    hits = check_text(text, entries)
    assert [(hit.entry_id, hit.excerpt, hit.start) for hit in hits] == [(1, "去你单位", 4502)]
    assert [hit.excerpt for hit in check_text("哈" * 3000 + "打爆你的电话", entries)] == ["打爆你的电话"]


_seed_english = importlib.import_module("arrears.compliance.migrations.0008_seed_english_phrases")


@pytest.mark.django_db
def test_the_english_entries_catch_threats_and_pass_lawful_english_collection_talk():
    """Clause: LANG-1 — the English entries (migration 0008) on sentences an English-speaking collector might say."""
    _seed_english.seed(apps, None)
    entries = active_entries()
    for threat in [
        "If you don't pay we will sue your family.",
        "We'll call your employer tomorrow.",
        "You are a deadbeat and a liar.",
        "The police are coming, you will go to jail.",
        "This will give you a criminal record.",
        "You'll regret this.",
    ]:
        assert check_text(threat, entries), threat
    for fine in [
        "Good morning, this is the bank's collection team calling about your overdue loan.",
        "The overdue is reported to the credit reference centre and penalty interest keeps growing.",
        "The bank may take legal action through the court if the debt stays unpaid.",
        "We will not contact your family or your employer.",
        "Would an instalment plan of three months help you?",
        "I'm sorry that was a stupidly long wait on hold.",
        "Call us if you have questions or anything else.",
    ]:
        assert check_text(fine, entries) == [], fine
