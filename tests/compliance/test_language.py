"""Prohibited language: the matcher, keeping the list, screening a collector's text, and the officers' pages.

Clause: LANG-1 — no threatening, intimidating or insulting language (不還錢就起訴你家人 is forbidden).
"""

from __future__ import annotations

import importlib
from datetime import timedelta

import pytest
from django.apps import apps
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from arrears.compliance.actions import ActionDenied
from arrears.compliance.language import Entry, check_text, normalise
from arrears.compliance.language_actions import (
    PhraseError,
    ProhibitedLanguage,
    do_save_phrase,
    ensure_clean,
    screen_text,
)
from arrears.compliance.models import AuditEvent, LanguageHit, ProhibitedPhrase
from arrears.compliance.queries import active_entries
from factories import make_user

_seed = importlib.import_module("arrears.compliance.migrations.0004_seed_prohibited_phrases")


@pytest.fixture
def seeded():
    """The starting list as migration 0004 leaves it (a transactional test's flush elsewhere may have emptied
    the table)."""
    _seed.seed(apps, None)


FAMILY = Entry(1, "起诉 家人", "words", "third_party")
HOME_VISIT = Entry(2, "上门 收拾", "words", "violence")
GO_DIE = Entry(3, "去死", "words", "insult")
GET_LOST = Entry(4, "滚", "words", "insult")
RELATIVES = Entry(5, "(找|告诉)(你|您)的?(父母|全家)", "pattern", "third_party")
ENTRIES = [FAMILY, HOME_VISIT, GO_DIE, GET_LOST, RELATIVES]


def found(text: str, entries=ENTRIES) -> list[tuple[int | None, str]]:
    return [(hit.entry_id, hit.excerpt) for hit in check_text(text, entries)]


# --- the matcher (pure, no database) -------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["不还钱就起诉你家人", "不還錢就起訴你家人"])
def test_the_policys_example_is_caught_in_simplified_and_traditional(text):
    """Clause: LANG-1 — the policy's own example; the excerpt quotes the collector's characters as written."""
    assert found(text) == [(1, text[4:])]


@pytest.mark.parametrize(
    ("text", "excerpt"),
    [
        ("我们会起诉你的家人", "起诉你的家人"),  # 你的 between the key words
        ("起 诉，你的 家 人！", "起 诉，你的 家 人"),  # spaces and punctuation inserted
        ("不还钱就　起诉　你家人。", "起诉　你家人"),  # ideographic spaces
        ("ＯＫ，不还钱就起诉你家人", "起诉你家人"),  # full-width letters and comma
        ("我们将依法起诉，并通知你的家人", "起诉，并通知你的家人"),  # four words apart: still in the window
    ],
)
def test_variations_of_the_example_are_caught(text, excerpt):
    """Clause: LANG-1 — words in between, inserted spaces and punctuation, full-width forms."""
    assert found(text) == [(1, excerpt)]


@pytest.mark.parametrize(
    "text",
    [
        "请您的家人提醒您按时还款",  # 家人 without a threat
        "逾期可能影响您的征信记录",
        "我们已依法向法院提起诉讼，请您及时与我们联系",  # a true statement about the court
        "家人起诉了吗",  # the key words in the wrong order
        "我们会起诉，今天下午三点前请您务必再次联系客服或您的家人",  # too far apart
        "国家人口统计",  # 家人 across two words: no reading makes it a word
        "死去活来",
        "滚动还款计划已经生效",  # 滚 inside a longer word
    ],
)
def test_innocent_sentences_sharing_characters_pass(text):
    """Clause: LANG-1 — segmentation keeps short key words from matching inside other words."""
    assert found(text) == []


def test_single_character_and_split_words_match_where_they_are_words():
    """Clause: LANG-1 — 滚 alone is an insult; 去死 is found although jieba may cut it apart."""
    assert found("你给我滚") == [(4, "滚")]
    assert found("你怎么不去死") == [(3, "去死")]
    assert found("派人上门好好收拾你") == [(2, "上门好好收拾")]


def test_a_pattern_entry_matches_the_normalised_text():
    """Clause: LANG-1 — a regular expression over the text without spaces or punctuation, traditional converted."""
    assert found("我們會找 你的 父母！") == [(5, "找 你的 父母")]
    assert found("我们会找到解决办法") == []


def test_an_entry_in_traditional_characters_matches_simplified_text():
    """Clause: LANG-1 — entries are normalised like the text."""
    traditional = Entry(9, "法院 明天 查封", "words", "false_legal")
    assert normalise("法院 明天 查封") == "法院明天查封"
    assert found("法院明天就来查封你的房子", [traditional]) == [(9, "法院明天就来查封")]
    assert found("我们会抓你去坐牢", [Entry(11, "抓 坐牢", "words", "false_legal")]) == [(11, "抓你去坐牢")]
    assert found("不还钱就起诉你家人", [Entry(12, "起訴 家人", "words", "third_party")]) == [(12, "起诉你家人")]


def test_english_key_words_match_whole_words_across_the_spaces_normalising_drops():
    """Clause: LANG-1 — "you idiot" normalises to youidiot; the words are cut again where the spaces were, so an
    English entry matches its words in order and never inside a longer word."""
    english = [Entry(21, "sue family", "words", "third_party"), Entry(22, "idiot", "words", "insult")]
    assert found("We will sue your family if you do not pay.", english) == [(21, "sue your family")]
    assert found("You idiot!", english) == [(22, "idiot")]
    assert found("That was an idiotic mistake of mine, sorry.", english) == []
    assert found("Did you sue? My family paid.", english) == [(21, "sue? My family")]
    assert found("We pursue the family account.", english) == []


def test_every_entry_found_is_reported_once_in_text_order():
    hits = check_text("去死吧！不还钱就起诉你家人，再起诉你家人", ENTRIES)
    assert [(h.entry_id, h.phrase, h.category) for h in hits] == [
        (3, "去死", "insult"),
        (1, "起诉 家人", "third_party"),
    ]
    assert (hits[1].start, hits[1].end) == (8, 13)


# --- the seeded list -----------------------------------------------------------------------------------------


@pytest.mark.usefixtures("seeded")
@pytest.mark.django_db
def test_the_starting_list_catches_threats_and_passes_ordinary_collection_talk():
    """Clause: LANG-1 — the seeded entries (migration 0004) on sentences a collector might write."""
    entries = active_entries()
    assert len(entries) >= 25
    assert {e.category for e in entries} == {"third_party", "violence", "insult", "false_legal", "other"}
    for threat in [
        "不還錢就起訴你家人",
        "再不还我们就通知你单位",
        "小心我们派人上门收拾你",
        "你这个老赖",
        "公安已经立案了，法院明天查封你的房子",
        "我们会抓你去坐牢",
        "我们会去找你的家人",
        "再不还就起诉你全家",
        "你会上征信黑名单",
        "你给我等着瞧",
    ]:
        assert check_text(threat, entries), threat
    for fine in [
        "您好，我是银行的催收专员，您的贷款已逾期三十天，请尽快还款",
        "请您的家人提醒您按时还款",
        "逾期可能影响您的征信记录",
        "如有困难可申请分期还款，我们已依法向法院提起诉讼",
        "借款人称下周发工资后还款，已告知逾期后果及罚息计算方式",
    ]:
        assert check_text(fine, entries) == [], fine


# --- keeping the list ----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_an_officer_adds_edits_and_deactivates_an_entry_each_audited_before_and_after():
    """Clause: LANG-1, AUTH-4."""
    officer = make_user("compliance_officer")
    phrase = do_save_phrase(None, text=" 打爆  电话 ", kind="words", category="other", actor=officer)
    assert (phrase.text, phrase.active, phrase.updated_by) == ("打爆 电话", True, officer)
    do_save_phrase(phrase, text="打爆 电话", kind="words", category="other", note="骚扰", actor=officer)
    do_save_phrase(phrase, text="打爆 电话", kind="words", category="other", active=False, note="骚扰", actor=officer)
    phrase.refresh_from_db()
    assert (phrase.active, phrase.note) == (False, "骚扰")
    events = list(AuditEvent.objects.filter(action="compliance.save_phrase"))
    assert [e.changes for e in events[1:]] == [{"note": ["", "骚扰"]}, {"active": [True, False]}]
    assert events[0].changes["text"] == [None, "打爆 电话"]
    assert {(e.subject_type, e.subject_id, e.basis["clause"]) for e in events} == {
        ("compliance.prohibitedphrase", str(phrase.pk), "LANG-1")
    }
    assert phrase.pk not in {entry.id for entry in active_entries()}


def snapshot() -> dict[str, int]:
    return {
        model._meta.label: model.objects.count() for model in apps.get_models() if model._meta.app_label == "compliance"
    }


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("text", "kind", "message"),
    [
        ("(起诉|找", "pattern", "not a valid regular expression"),
        ("(骗子|滚)*", "pattern", "matches empty text"),
        ("找 你 全家", "pattern", "contains spaces"),
        (" ，。 ", "words", "empty"),
        ("", "words", "empty"),
    ],
)
def test_an_unusable_entry_is_refused_with_what_to_do_and_nothing_stored(text, kind, message):
    """Clause: LANG-1 — a refused entry says what was wrong; no row, no event."""
    officer = make_user("compliance_officer")
    before = snapshot()
    with pytest.raises(PhraseError, match=message):
        do_save_phrase(None, text=text, kind=kind, category="insult", actor=officer)
    assert snapshot() == before


@pytest.mark.usefixtures("seeded")
@pytest.mark.django_db
def test_an_entry_repeating_another_in_traditional_script_is_refused():
    officer = make_user("compliance_officer")
    before = snapshot()
    with pytest.raises(PhraseError, match="repeats “起诉 家人”"):
        do_save_phrase(None, text="起訴  家人", kind="words", category="third_party", actor=officer)
    assert snapshot() == before


@pytest.mark.usefixtures("seeded")
@pytest.mark.django_db
def test_a_junior_collector_cannot_save_a_phrase_and_nothing_changes():
    """Clause: LANG-1, AUTH-1 — only roles granted compliance.manage_phrases keep the list."""
    collector = make_user("junior_collector")
    existing = ProhibitedPhrase.objects.get(text="老赖")
    before = snapshot()
    with pytest.raises(ActionDenied):
        do_save_phrase(None, text="催命", kind="words", category="other", actor=collector)
    with pytest.raises(ActionDenied):
        do_save_phrase(existing, text="老赖", kind="words", category="insult", active=False, actor=collector)
    assert snapshot() == before
    assert ProhibitedPhrase.objects.get(pk=existing.pk).active


# --- screening a collector's text ----------------------------------------------------------------------------


@pytest.mark.usefixtures("seeded")
@pytest.mark.django_db
def test_screen_text_records_each_hit_against_the_collector_with_an_audit_event():
    """Clause: LANG-1, AUTH-4 — what was written, where, by whom, which entry."""
    collector = make_user("junior_collector")
    hits = screen_text(
        "你这个骗子，不還錢就起訴你家人", actor=collector, where="call_note", subject=("collection.case", "42")
    )
    assert [h.phrase for h in hits] == ["骗子", "起诉 家人"]
    recorded = list(LanguageHit.objects.order_by("id"))
    assert [(r.user, r.where, r.subject_type, r.subject_id) for r in recorded] == [
        (collector, "call_note", "collection.case", "42")
    ] * 2
    assert [(r.phrase.text, r.phrase_text, r.category, r.excerpt) for r in recorded] == [
        ("骗子", "骗子", "insult", "骗子"),
        ("起诉 家人", "起诉 家人", "third_party", "起訴你家人"),
    ]
    event = AuditEvent.objects.get()
    assert (event.action, event.actor, event.subject_type, event.subject_id) == (
        "compliance.record_language_hit",
        collector,
        "collection.case",
        "42",
    )
    assert event.basis == {"permission": "collection.call", "clause": "LANG-1", "approval": None}
    assert [h["excerpt"] for h in event.changes["hits"][1]] == ["骗子", "起訴你家人"]


@pytest.mark.usefixtures("seeded")
@pytest.mark.django_db
def test_clean_text_records_nothing():
    """Clause: LANG-1."""
    collector = make_user("junior_collector")
    before = snapshot()
    assert screen_text("请您的家人提醒您按时还款", actor=collector, where="letter_addition") == []
    assert snapshot() == before


@pytest.mark.usefixtures("seeded")
@pytest.mark.django_db
def test_ensure_clean_raises_naming_the_phrases():
    """Clause: LANG-1 — the message the collector sees quotes the passage and the entry."""
    collector = make_user("junior_collector")
    with pytest.raises(ProhibitedLanguage) as refused:
        ensure_clean("不还钱就起诉你家人", actor=collector, where="call_note")
    assert refused.value.phrases == ["起诉 家人"]
    assert "起诉你家人" in str(refused.value)
    assert "起诉 家人" in str(refused.value)
    assert LanguageHit.objects.count() == 1


@pytest.mark.usefixtures("seeded")
@pytest.mark.django_db
def test_a_deactivated_entry_no_longer_blocks():
    officer, collector = make_user("compliance_officer"), make_user("junior_collector")
    phrase = ProhibitedPhrase.objects.get(text="骗子")
    do_save_phrase(phrase, text="骗子", kind="words", category="insult", active=False, actor=officer)
    assert screen_text("他说我们是骗子", actor=collector, where="call_note") == []


@pytest.mark.usefixtures("seeded")
@pytest.mark.django_db
def test_screen_text_refuses_to_run_inside_the_callers_transaction():
    """The hit must survive the caller's refusal; inside the caller's transaction it would be rolled back."""
    collector = make_user("junior_collector")
    with pytest.raises(RuntimeError, match="durable"), transaction.atomic():
        screen_text("去死", actor=collector, where="call_note")


@pytest.mark.usefixtures("ledger_transactional_db", "seeded")
def test_the_hit_stays_committed_when_the_caller_refuses_to_save():
    """Clause: LANG-1 — a caller that refuses (raises) leaves the record of the attempt in place."""
    collector = make_user("junior_collector")

    def save_call_note(notes: str) -> None:  # what the call-record action does
        ensure_clean(notes, actor=collector, where="call_note")
        with transaction.atomic():
            raise AssertionError("not reached: the notes are refused")

    with pytest.raises(ProhibitedLanguage):
        save_call_note("你不要脸")
    assert LanguageHit.objects.filter(user=collector, phrase_text="不要脸").count() == 1
    assert AuditEvent.objects.filter(action="compliance.record_language_hit").count() == 1


# --- the pages -----------------------------------------------------------------------------------------------


@pytest.mark.usefixtures("seeded")
@pytest.mark.django_db
def test_a_compliance_officer_sees_adds_and_edits_phrases_on_the_page(client):
    """Clause: LANG-1."""
    client.force_login(make_user("compliance_officer"))
    page = client.get("/compliance/phrases/")
    assert page.status_code == 200
    assert "起诉 家人" in page.content.decode()
    response = client.post(
        "/compliance/phrases/", {"text": "打爆 电话", "kind": "words", "category": "other", "active": "on"}
    )
    assert response.status_code == 302
    added = ProhibitedPhrase.objects.get(text="打爆 电话")
    response = client.post(
        f"/compliance/phrases/{added.pk}/",
        {"text": "打爆 电话", "kind": "words", "category": "third_party", "note": "骚扰联系人"},
    )
    assert response.status_code == 302
    added.refresh_from_db()
    assert (added.category, added.note, added.active) == ("third_party", "骚扰联系人", False)
    client.post(f"/compliance/phrases/{added.pk}/active/", {"active": "1"})
    added.refresh_from_db()
    assert added.active
    tried = client.get("/compliance/phrases/", {"try": "不還錢就起訴你家人"}).content.decode()
    assert "起訴你家人" in tried
    assert LanguageHit.objects.count() == 0  # trying a sentence is not a hit


@pytest.mark.django_db
def test_a_refused_entry_shows_the_reason_on_the_page(client):
    client.force_login(make_user("compliance_officer"))
    before = snapshot()
    response = client.post(
        "/compliance/phrases/", {"text": "(起诉", "kind": "pattern", "category": "other"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 200
    assert "not a valid regular expression" in response.content.decode()
    assert snapshot() == before


@pytest.mark.usefixtures("seeded")
@pytest.mark.django_db
@pytest.mark.parametrize("role", ["junior_collector", "senior_collector", "supervisor"])
def test_collectors_get_403_from_the_pages_and_change_nothing(client, role):
    """Clause: LANG-1 — only compliance officers keep the list and read the hits."""
    client.force_login(make_user(role))
    phrase = ProhibitedPhrase.objects.get(text="骗子")
    before = snapshot()
    assert client.get("/compliance/phrases/").status_code == 403
    assert client.get("/compliance/language-hits/").status_code == 403
    assert client.get(f"/compliance/phrases/{phrase.pk}/").status_code == 403
    assert (
        client.post("/compliance/phrases/", {"text": "催命", "kind": "words", "category": "other"}).status_code == 403
    )
    assert client.post(f"/compliance/phrases/{phrase.pk}/active/", {"active": "0"}).status_code == 403
    assert snapshot() == before


def make_hits(n: int) -> None:
    phrase = ProhibitedPhrase.objects.get(text="骗子")
    start = timezone.now()
    LanguageHit.objects.bulk_create(
        LanguageHit(
            user=make_user("junior_collector"),
            at=start - timedelta(minutes=i),
            where="call_note",
            subject_type="collection.case",
            subject_id=str(i),
            phrase=phrase,
            phrase_text=phrase.text,
            category=phrase.category,
            excerpt=f"骗子{i}",
        )
        for i in range(n)
    )


@pytest.mark.usefixtures("seeded")
@pytest.mark.django_db
def test_the_hits_list_shows_newest_first_and_costs_the_same_queries_for_5_or_25_hits(client):
    """Clause: LANG-1 — who, when, where, phrase, excerpt; no query per row."""
    client.force_login(make_user("compliance_officer"))
    make_hits(5)
    with CaptureQueriesContext(connection) as few:
        page = client.get("/compliance/language-hits/").content.decode()
    assert page.index("骗子0") < page.index("骗子4")
    make_hits(20)
    with CaptureQueriesContext(connection) as many:
        assert client.get("/compliance/language-hits/").status_code == 200
    assert len(many) == len(few)
