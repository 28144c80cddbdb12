"""Templates under legal review: writing, submitting, reviewing and retiring versions, which one is used, pages.

Clause: LANG-2 — scripts and notice templates are used only after legal review has approved them.
"""

from __future__ import annotations

import importlib
from datetime import UTC, datetime

import pytest
from django.apps import apps
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from arrears.compliance.actions import ActionDenied
from arrears.compliance.language_actions import ProhibitedLanguage
from arrears.compliance.models import AuditEvent, LanguageHit
from arrears.notices.models import Template
from arrears.notices.template_actions import (
    TemplateError,
    approved_template,
    do_retire_template,
    do_review_template,
    do_submit_template,
    do_write_template,
    template_for,
)
from dbstate import SEEDED_TEMPLATES, seed_templates
from factories import make_user

_seed_phrases = importlib.import_module("arrears.compliance.migrations.0004_seed_prohibited_phrases")

SMS = "【{bank_name}】尊敬的{name}，您的贷款第{instalment}期应还款{amount_due}元将于{due_date}到期。客服热线{bank_hotline}。"
SMS_V2 = (
    "【{bank_name}】{name}您好，第{instalment}期应还{amount_due}元，{due_date}到期，请按时还款。热线{bank_hotline}。"
)


@pytest.fixture
def seeded():
    """The seeded versions in review and the starting list of prohibited phrases, as the migrations leave them
    (a transactional test's flush elsewhere may have emptied the tables)."""
    seed_templates()
    _seed_phrases.seed(apps, None)


@pytest.fixture
def writer():
    return make_user("supervisor")


@pytest.fixture
def reviewer():
    return make_user("legal_officer")


def snapshot() -> dict[str, int]:
    return {
        "templates": Template.objects.count(),
        "events": AuditEvent.objects.count(),
        "hits": LanguageHit.objects.count(),
    }


def rows(purpose: str = "reminder_sms", language: str = "zh-hans") -> list[tuple]:
    return list(
        Template.objects.filter(purpose=purpose, language=language)
        .order_by("version")
        .values_list("version", "status", "author__username", "reviewer__username")
    )


def approve_v1(reviewer, purpose="reminder_sms", language="zh-hans") -> Template:
    seeded = Template.objects.get(purpose=purpose, language=language, version=1)
    return do_review_template(seeded, approve=True, actor=reviewer)


def write_and_submit(writer, body=SMS, purpose="reminder_sms", language="zh-hans", subject="") -> Template:
    draft = do_write_template(purpose, language, subject=subject, body=body, actor=writer)
    return do_submit_template(draft, actor=writer)


# --- the approval gate ---------------------------------------------------------------------------------------


@pytest.mark.usefixtures("seeded")
@pytest.mark.django_db
def test_nothing_is_used_until_legal_review_approves_it(writer, reviewer):
    """Clause: LANG-2 — seeded versions in review and a new draft are never returned; the approved one is."""
    assert rows() == [(1, "in_review", None, None)]
    assert template_for("reminder_sms", "zh-hans") is None
    assert approved_template("reminder_sms", "zh-hans") is None
    draft = do_write_template("reminder_sms", "zh-hans", subject="", body=SMS, actor=writer)
    assert (draft.version, draft.status) == (2, "draft")
    assert template_for("reminder_sms", "zh-hans") is None
    approved = approve_v1(reviewer)
    assert template_for("reminder_sms", "zh-hans") == approved
    assert (approved.status, approved.reviewer, approved.reviewed_at is not None) == ("approved", reviewer, True)
    assert template_for("reminder_email", "zh-hans") is None


@pytest.mark.usefixtures("seeded")
@pytest.mark.django_db
def test_a_new_approved_version_retires_the_old_one_which_is_never_used_again(writer, reviewer):
    """Clause: LANG-2 — one approved version per purpose and language; the previous one is retired with it."""
    v1 = approve_v1(reviewer)
    v2 = write_and_submit(writer, SMS_V2)
    assert template_for("reminder_sms", "zh-hans") == v1
    do_review_template(v2, approve=True, note="措辞清楚", actor=reviewer)
    assert rows() == [(1, "retired", None, reviewer.username), (2, "approved", writer.username, reviewer.username)]
    v1.refresh_from_db()
    assert v1.retired_at is not None
    assert template_for("reminder_sms", "zh-hans").pk == v2.pk
    event = AuditEvent.objects.filter(action="notices.review_template").last()
    assert event.changes["retired_version"] == [None, 1]
    assert event.changes["status"] == ["in_review", "approved"]
    assert event.reason == "措辞清楚"  # the reviewer's note says why (AUTH-4)


@pytest.mark.usefixtures("seeded")
@pytest.mark.django_db
def test_a_retired_version_is_never_returned_and_notices_wait(reviewer):
    """Clause: LANG-2 — retiring the approved version leaves nothing approved: nothing is sent."""
    v1 = approve_v1(reviewer)
    do_retire_template(v1, actor=reviewer, reason="利率表述需更新")
    assert rows() == [(1, "retired", None, reviewer.username)]
    assert template_for("reminder_sms", "zh-hans") is None
    assert approved_template("reminder_sms", "zh-hans") is None
    event = AuditEvent.objects.get(action="notices.retire_template")
    assert event.reason == "利率表述需更新"
    assert event.basis == {"permission": "notices.review_templates", "clause": "LANG-2", "approval": None}


@pytest.mark.usefixtures("seeded")
@pytest.mark.django_db
def test_retiring_needs_a_reason_and_an_approved_version(reviewer):
    """Clause: LANG-2."""
    v1 = Template.objects.get(purpose="reminder_sms", language="zh-hans", version=1)
    before = snapshot()
    with pytest.raises(TemplateError, match="only the approved version can be retired"):
        do_retire_template(v1, actor=reviewer, reason="过时")
    approved = approve_v1(reviewer)
    with pytest.raises(TemplateError, match="Say why the version is retired"):
        do_retire_template(approved, actor=reviewer, reason="  ")
    assert snapshot() == {**before, "events": before["events"] + 1}  # only the approval


@pytest.mark.usefixtures("seeded")
@pytest.mark.django_db
def test_english_falls_back_to_the_approved_chinese_version(reviewer):
    """Clause: LANG-2 — a borrower who chose English gets the approved English text, else the approved Chinese
    one (Chinese is the default); nothing while neither is approved."""
    assert template_for("letter_email", "en") is None
    zh = approve_v1(reviewer, "letter_email", "zh-hans")
    assert template_for("letter_email", "en") == zh
    assert template_for("letter_email", "") == zh
    assert template_for("letter_email", None) == zh
    en = approve_v1(reviewer, "letter_email", "en")
    assert template_for("letter_email", "en") == en
    assert template_for("letter_email", "zh-hans") == zh


# --- writing: placeholders are checked at save ---------------------------------------------------------------


@pytest.mark.usefixtures("seeded")
@pytest.mark.django_db
def test_an_unknown_placeholder_is_refused_at_save_and_nothing_is_written(writer):
    """Clause: LANG-2 — the message names the placeholder and the allowed ones."""
    before = snapshot()
    with pytest.raises(TemplateError) as caught:
        do_write_template("reminder_sms", "zh-hans", subject="", body=SMS + "{balance}", actor=writer)
    assert str(caught.value).startswith("Unknown placeholder {balance} in the text.")
    assert "{amount_due}, {due_date}" in str(caught.value)
    assert caught.value.problem is not None
    assert snapshot() == before


@pytest.mark.usefixtures("seeded")
@pytest.mark.django_db
def test_a_reminder_without_the_due_date_is_refused_at_save(writer):
    """Clause: REM-2 — the amount due, the due date and the bank's contact details are required."""
    before = snapshot()
    with pytest.raises(TemplateError, match=r"^The text must contain \{due_date\}:"):
        do_write_template("reminder_sms", "zh-hans", subject="", body=SMS.replace("{due_date}", "月底"), actor=writer)
    with pytest.raises(TemplateError, match=r"^The text must contain \{bank_hotline\}:"):
        do_write_template(
            "reminder_email", "en", subject="Reminder", body="Due {due_date}: CNY {amount_due}.", actor=writer
        )
    assert snapshot() == before


@pytest.mark.usefixtures("seeded")
@pytest.mark.django_db
@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ("{amount_due:>10}", "contains {amount_due:>10}: placeholders take no conversion"),
        ("{name!r}", "contains {name!r}: placeholders take no conversion"),
        ("{name.__class__.__init__}", "contains {name.__class__.__init__}: placeholders are plain names"),
        ("{contract[0]}", "contains {contract[0]}: placeholders are plain names"),
    ],
)
def test_format_specs_and_attribute_access_are_refused_at_save(writer, extra, message):
    """Clause: LANG-2."""
    before = snapshot()
    with pytest.raises(TemplateError, match="placeholders") as caught:
        do_write_template("reminder_sms", "zh-hans", subject="", body=SMS + extra, actor=writer)
    assert message in str(caught.value)
    assert snapshot() == before


@pytest.mark.usefixtures("seeded")
@pytest.mark.django_db
def test_notice_wording_without_the_dashes_line_is_refused_at_save(writer):
    """Clause: LTR-1 — the wording says where the figures tables go."""
    with pytest.raises(TemplateError, match="exactly one line consisting only of ---"):
        do_write_template("letter_notice", "zh-hans", subject="", body="请于{deadline}前还款。", actor=writer)


@pytest.mark.usefixtures("seeded")
@pytest.mark.django_db
def test_writing_creates_the_next_version_as_a_draft_audited(writer):
    """Clause: LANG-2, AUTH-4."""
    draft = do_write_template("reminder_sms", "zh-hans", subject="", body=f"  {SMS}\r\n", actor=writer, reason="改措辞")
    assert (draft.version, draft.status, draft.author, draft.body) == (2, "draft", writer, SMS)
    event = AuditEvent.objects.get(action="notices.write_template")
    assert (event.actor, event.subject_type, event.subject_id, event.reason) == (
        writer,
        "notices.template",
        str(draft.pk),
        "改措辞",
    )
    assert event.basis == {"permission": "notices.write_templates", "clause": "LANG-2", "approval": None}
    assert event.changes["version"] == [None, 2]
    assert event.changes["body"] == [None, SMS]


@pytest.mark.usefixtures("seeded")
@pytest.mark.django_db
def test_a_draft_is_edited_in_place_and_only_drafts_can_be_edited(writer):
    """Clause: LANG-2 — an approved or reviewed text never changes; a change is a new version."""
    draft = do_write_template("reminder_sms", "zh-hans", subject="", body=SMS, actor=writer)
    edited = do_write_template("reminder_sms", "zh-hans", subject="", body=SMS_V2, actor=writer, template=draft)
    assert (edited.pk, edited.version, edited.body) == (draft.pk, 2, SMS_V2)
    with pytest.raises(TemplateError, match="Nothing to save"):
        do_write_template("reminder_sms", "zh-hans", subject="", body=SMS_V2, actor=writer, template=draft)
    in_review = Template.objects.get(purpose="reminder_sms", language="zh-hans", version=1)
    before = snapshot()
    with pytest.raises(TemplateError, match="only drafts can be edited; write a new version"):
        do_write_template("reminder_sms", "zh-hans", subject="", body=SMS, actor=writer, template=in_review)
    assert snapshot() == before
    in_review.refresh_from_db()
    assert in_review.body == SEEDED_TEMPLATES[("reminder_sms", "zh-hans")][1]


@pytest.mark.usefixtures("seeded")
@pytest.mark.django_db
def test_only_the_author_edits_a_draft(writer):
    """Clause: LANG-2 — so that whoever approves a version wrote none of it."""
    draft = do_write_template("reminder_sms", "zh-hans", subject="", body=SMS, actor=writer)
    other = make_user("compliance_officer")
    with pytest.raises(TemplateError, match="only its author edits it"):
        do_write_template("reminder_sms", "zh-hans", subject="", body=SMS_V2, actor=other, template=draft)
    draft.refresh_from_db()
    assert draft.body == SMS


# --- submitting: the prohibited-language screen --------------------------------------------------------------


@pytest.mark.usefixtures("seeded")
@pytest.mark.django_db
def test_submitting_sends_a_draft_to_review(writer):
    """Clause: LANG-2."""
    submitted = write_and_submit(writer)
    assert (submitted.status, submitted.submitted_at is not None) == ("in_review", True)
    event = AuditEvent.objects.get(action="notices.submit_template")
    assert event.changes["status"] == ["draft", "in_review"]
    with pytest.raises(TemplateError, match="only a draft can be submitted"):
        do_submit_template(submitted, actor=writer)


@pytest.mark.usefixtures("seeded")
@pytest.mark.django_db
def test_a_threat_is_refused_on_submit_recorded_and_the_version_stays_a_draft(writer):
    """Clause: LANG-1, LANG-2 — the policy's own example in a template: refused, the attempt on record."""
    draft = do_write_template("reminder_sms", "zh-hans", subject="", body=SMS + "不还钱就起诉你家人。", actor=writer)
    with pytest.raises(ProhibitedLanguage, match="起诉你家人"):
        do_submit_template(draft, actor=writer)
    draft.refresh_from_db()
    assert (draft.status, draft.submitted_at) == ("draft", None)
    hit = LanguageHit.objects.get()
    assert (hit.user, hit.where, hit.subject_type, hit.subject_id, hit.phrase_text) == (
        writer,
        "template",
        "notices.template",
        str(draft.pk),
        "起诉 家人",
    )
    assert not AuditEvent.objects.filter(action="notices.submit_template").exists()
    event = AuditEvent.objects.get(action="compliance.record_language_hit")
    assert event.basis == {"permission": "notices.write_templates", "clause": "LANG-1", "approval": None}


@pytest.mark.usefixtures("seeded")
@pytest.mark.django_db
def test_a_threat_in_an_email_subject_is_caught_too(writer):
    """Clause: LANG-1."""
    draft = do_write_template("reminder_email", "zh-hans", subject="再不还款后果自负", body=SMS, actor=writer)
    with pytest.raises(ProhibitedLanguage, match="后果自负"):
        do_submit_template(draft, actor=writer)
    assert Template.objects.get(pk=draft.pk).status == "draft"


# --- reviewing: four eyes ------------------------------------------------------------------------------------


@pytest.mark.usefixtures("seeded")
@pytest.mark.django_db
def test_the_author_cannot_approve_their_own_version_and_nothing_changes():
    """Clause: LANG-2 — a compliance officer may write and review, but never review what they wrote."""
    officer = make_user("compliance_officer")
    mine = write_and_submit(officer)
    before = snapshot()
    with pytest.raises(TemplateError, match="You wrote version 2, so you cannot review it"):
        do_review_template(mine, approve=True, actor=officer)
    with pytest.raises(TemplateError, match="You wrote version 2"):
        do_review_template(mine, approve=False, note="自查", actor=officer)
    assert snapshot() == before
    mine.refresh_from_db()
    assert (mine.status, mine.reviewer, mine.reviewed_at) == ("in_review", None, None)
    assert template_for("reminder_sms", "zh-hans") is None


@pytest.mark.usefixtures("seeded")
@pytest.mark.django_db
def test_the_database_refuses_an_author_as_reviewer():
    """Clause: LANG-2 — the constraint is the backstop for any code path that skips the action."""
    officer = make_user("compliance_officer")
    mine = write_and_submit(officer)
    with pytest.raises(IntegrityError), transaction.atomic():
        Template.objects.filter(pk=mine.pk).update(
            reviewer=officer, reviewed_at=datetime(2026, 11, 30, tzinfo=UTC), status="approved"
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        Template.objects.filter(pk=mine.pk).update(reviewer=officer)
    mine.refresh_from_db()
    assert (mine.status, mine.reviewer) == ("in_review", None)


@pytest.mark.usefixtures("seeded")
@pytest.mark.django_db
def test_the_database_refuses_an_approved_version_without_a_review_time(reviewer):
    """Clause: LANG-2."""
    v1 = Template.objects.get(purpose="reminder_sms", language="zh-hans", version=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        Template.objects.filter(pk=v1.pk).update(status="approved")


@pytest.mark.usefixtures("seeded")
@pytest.mark.django_db
def test_a_rejection_needs_a_note_and_returns_the_version_to_its_author(writer, reviewer):
    """Clause: LANG-2 — rejected with the reason; the author corrects it and submits again."""
    submitted = write_and_submit(writer)
    before = snapshot()
    with pytest.raises(TemplateError, match="Say why the version is rejected"):
        do_review_template(submitted, approve=False, note=" ", actor=reviewer)
    assert snapshot() == before
    rejected = do_review_template(submitted, approve=False, note="请删除“第N期”的表述", actor=reviewer)
    assert (rejected.status, rejected.reviewer, rejected.review_note) == ("draft", reviewer, "请删除“第N期”的表述")
    assert template_for("reminder_sms", "zh-hans") is None
    corrected = do_write_template("reminder_sms", "zh-hans", subject="", body=SMS_V2, actor=writer, template=rejected)
    assert (corrected.reviewer, corrected.review_note) == (None, "请删除“第N期”的表述")
    again = do_submit_template(corrected, actor=writer)
    assert (again.status, again.review_note) == ("in_review", "")
    assert do_review_template(again, approve=True, actor=reviewer).status == "approved"


@pytest.mark.usefixtures("seeded")
@pytest.mark.django_db
def test_a_second_reviewer_with_the_same_page_open_cannot_approve_again(reviewer):
    """Clause: LANG-2 — the version is read again under lock: whoever comes second finds it reviewed."""
    stale = Template.objects.get(purpose="reminder_sms", language="zh-hans", version=1)
    approve_v1(reviewer)
    second = make_user("compliance_officer")
    before = snapshot()
    with pytest.raises(TemplateError, match="is approved, no longer in review"):
        do_review_template(stale, approve=True, actor=second)
    assert snapshot() == before
    assert Template.objects.filter(status="approved").count() == 1


@pytest.mark.usefixtures("seeded")
@pytest.mark.django_db
def test_a_seeded_draft_sent_back_becomes_the_editors_and_the_editor_cannot_then_approve_it(reviewer):
    """Clause: LANG-2 — a seeded text has no author; whoever edits it after a rejection is its author."""
    officer = make_user("compliance_officer")
    v1 = Template.objects.get(purpose="call_script", language="zh-hans", version=1)
    rejected = do_review_template(v1, approve=False, note="第3步请写明核实方式", actor=officer)
    edited = do_write_template(
        "call_script",
        "zh-hans",
        subject="",
        body=rejected.body + "\n\n8. 记录：如实记录通话结果。",
        actor=officer,
        template=rejected,
    )
    assert (edited.author, edited.reviewer) == (officer, None)
    submitted = do_submit_template(edited, actor=officer)
    with pytest.raises(TemplateError, match="so you cannot review it"):
        do_review_template(submitted, approve=True, actor=officer)
    assert do_review_template(submitted, approve=True, actor=reviewer).status == "approved"


# --- who may do what -----------------------------------------------------------------------------------------


@pytest.mark.usefixtures("seeded")
@pytest.mark.django_db
@pytest.mark.parametrize("role", ["junior_collector", "senior_collector", "legal_officer", "analyst"])
def test_roles_without_the_grant_cannot_write_or_submit_and_nothing_changes(role, writer):
    """Clause: LANG-2, AUTH-1 — only supervisors and compliance officers write templates."""
    draft = do_write_template("reminder_sms", "zh-hans", subject="", body=SMS, actor=writer)
    user = make_user(role)
    before = snapshot()
    with pytest.raises(ActionDenied):
        do_write_template("reminder_sms", "zh-hans", subject="", body=SMS_V2, actor=user)
    with pytest.raises(ActionDenied):
        do_write_template("reminder_sms", "zh-hans", subject="", body=SMS_V2, actor=user, template=draft)
    with pytest.raises(ActionDenied):
        do_submit_template(draft, actor=user)
    assert snapshot() == before
    draft.refresh_from_db()
    assert (draft.status, draft.body) == ("draft", SMS)


@pytest.mark.usefixtures("seeded")
@pytest.mark.django_db
@pytest.mark.parametrize("role", ["supervisor", "junior_collector", "senior_collector"])
def test_roles_without_the_grant_cannot_review_or_retire_and_nothing_changes(role, reviewer):
    """Clause: LANG-2 — legal review is the legal and compliance officers'; a supervisor cannot approve."""
    in_review = Template.objects.get(purpose="reminder_sms", language="zh-hans", version=1)
    approved = approve_v1(reviewer, "reminder_email")
    user = make_user(role)
    before = snapshot()
    with pytest.raises(ActionDenied):
        do_review_template(in_review, approve=True, actor=user)
    with pytest.raises(ActionDenied):
        do_review_template(in_review, approve=False, note="不行", actor=user)
    with pytest.raises(ActionDenied):
        do_retire_template(approved, actor=user, reason="过时")
    assert snapshot() == before
    assert Template.objects.get(pk=in_review.pk).status == "in_review"
    assert Template.objects.get(pk=approved.pk).status == "approved"


# --- the fixture other tests use -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_approved_templates_fixture_approves_every_purpose_in_both_languages(approved_templates):
    """Clause: LANG-2."""
    assert len(approved_templates) == 22  # 11 purposes × 2 languages
    for (purpose, language), template in approved_templates.items():
        assert (template.purpose, template.language, template.status) == (purpose, language, "approved")
        assert template_for(purpose, language) == template
        assert template.reviewer.role_id == "legal_officer"


@pytest.mark.usefixtures("ledger_transactional_db")
def test_the_approved_templates_fixture_works_after_a_flush(request):
    """A transactional test starts from an emptied database; the fixture seeds and approves all the same."""
    Template.objects.all().delete()
    approved = request.getfixturevalue("approved_templates")
    assert {t.status for t in approved.values()} == {"approved"}
    assert Template.objects.count() == 22


# --- pages ---------------------------------------------------------------------------------------------------


@pytest.mark.usefixtures("seeded")
@pytest.mark.django_db
def test_the_list_shows_every_purpose_with_its_versions_in_a_constant_number_of_queries(client, writer, reviewer):
    """Clause: LANG-2."""
    client.force_login(writer)
    with CaptureQueriesContext(connection) as first:
        page = client.get("/notices/templates/", HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    text = page.content.decode()
    assert "reminder by SMS" in text
    assert "call script" in text
    assert text.count("Nothing approved: nothing of this kind is sent") == 22
    assert "/notices/templates/new/reminder_sms/zh-hans/" in text
    approve_v1(reviewer)
    write_and_submit(writer)
    with CaptureQueriesContext(connection) as second:
        text = client.get("/notices/templates/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "In use: version 1." in text
    assert "the approved Chinese version 1 is used" in text
    assert len(second) == len(first)


@pytest.mark.usefixtures("seeded")
@pytest.mark.django_db
def test_a_writer_previews_then_saves_a_new_version_on_the_page(client, writer):
    """Clause: LANG-2 — the preview fills in sample values and saves nothing."""
    client.force_login(writer)
    url = "/notices/templates/new/reminder_sms/zh-hans/"
    form = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "【{bank_name}】尊敬的{name}" in form  # starts from the latest version's text
    before = snapshot()
    preview = client.post(url, {"body": SMS, "action": "preview"}, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "【示例商业银行】尊敬的张三丰，您的贷款第11期应还款3,256.78元将于2026年12月15日到期。" in preview
    assert snapshot() == before
    bad = client.post(url, {"body": SMS + "{balance}", "action": "save"}, HTTP_ACCEPT_LANGUAGE="en")
    assert bad.status_code == 200
    assert "Unknown placeholder {balance}" in bad.content.decode()
    assert snapshot() == before
    saved = client.post(url, {"body": SMS, "action": "save", "reason": "新措辞"})
    draft = Template.objects.get(purpose="reminder_sms", language="zh-hans", version=2)
    assert saved.status_code == 302
    assert saved["Location"] == f"/notices/templates/{draft.pk}/"
    assert (draft.status, draft.author, draft.body) == ("draft", writer, SMS)


@pytest.mark.usefixtures("seeded")
@pytest.mark.django_db
def test_a_writer_edits_and_submits_a_draft_and_a_reviewer_approves_it_on_the_pages(client, writer, reviewer):
    """Clause: LANG-2 — the whole path through the pages, each person seeing only their buttons."""
    draft = do_write_template("reminder_sms", "zh-hans", subject="", body=SMS, actor=writer)
    client.force_login(writer)
    page = client.get(f"/notices/templates/{draft.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Submit for legal review" in page
    assert "Save as draft" in page
    assert "Approve" not in page
    response = client.post(f"/notices/templates/{draft.pk}/", {"body": SMS_V2, "action": "save"})
    assert response.status_code == 302
    assert Template.objects.get(pk=draft.pk).body == SMS_V2
    assert client.post(f"/notices/templates/{draft.pk}/submit/").status_code == 302
    assert Template.objects.get(pk=draft.pk).status == "in_review"
    page = client.get(f"/notices/templates/{draft.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Save as draft" not in page
    assert "Submit for legal review" not in page

    client.force_login(reviewer)
    page = client.get(f"/notices/templates/{draft.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Approve" in page
    assert "Reject" in page
    assert "Save as draft" not in page
    assert "张三丰您好，第11期应还3,256.78元" in page  # the preview with sample values
    response = client.post(f"/notices/templates/{draft.pk}/review/", {"decision": "approve", "note": ""})
    assert response.status_code == 302
    assert template_for("reminder_sms", "zh-hans").pk == draft.pk
    page = client.get(f"/notices/templates/{draft.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Retire" in page
    assert "Approve" not in page


@pytest.mark.usefixtures("seeded")
@pytest.mark.django_db
def test_a_refused_submit_and_a_refused_review_show_the_reason_on_the_page(client):
    """Clause: LANG-1, LANG-2."""
    officer = make_user("compliance_officer")
    draft = do_write_template("reminder_sms", "zh-hans", subject="", body=SMS + "你这个骗子。", actor=officer)
    client.force_login(officer)
    response = client.post(f"/notices/templates/{draft.pk}/submit/", HTTP_ACCEPT_LANGUAGE="en", follow=True)
    assert "language the collection policy forbids" in response.content.decode()
    assert Template.objects.get(pk=draft.pk).status == "draft"
    mine = write_and_submit(officer)
    response = client.post(
        f"/notices/templates/{mine.pk}/review/", {"decision": "approve"}, HTTP_ACCEPT_LANGUAGE="en", follow=True
    )
    assert "so you cannot review it" in response.content.decode()
    assert Template.objects.get(pk=mine.pk).status == "in_review"


@pytest.mark.usefixtures("seeded")
@pytest.mark.django_db
def test_a_reviewer_retires_the_approved_version_on_the_page(client, reviewer):
    """Clause: LANG-2."""
    v1 = approve_v1(reviewer)
    client.force_login(reviewer)
    assert client.post(f"/notices/templates/{v1.pk}/retire/", {"reason": "停用"}).status_code == 302
    assert template_for("reminder_sms", "zh-hans") is None


@pytest.mark.usefixtures("seeded")
@pytest.mark.django_db
@pytest.mark.parametrize("role", ["junior_collector", "senior_collector", "analyst", "agency_user"])
def test_others_get_403_from_every_page_and_change_nothing(client, role, writer, reviewer):
    """Clause: LANG-2, AUTH-1."""
    draft = do_write_template("reminder_sms", "zh-hans", subject="", body=SMS, actor=writer)
    in_review = Template.objects.get(purpose="reminder_email", language="zh-hans", version=1)
    approved = approve_v1(reviewer, "letter_email")
    client.force_login(make_user(role))
    before = snapshot()
    assert client.get("/notices/templates/").status_code == 403
    assert client.get(f"/notices/templates/{draft.pk}/").status_code == 403
    assert client.get("/notices/templates/new/reminder_sms/zh-hans/").status_code == 403
    assert client.post("/notices/templates/new/reminder_sms/zh-hans/", {"body": SMS}).status_code == 403
    assert client.post(f"/notices/templates/{draft.pk}/", {"body": SMS_V2}).status_code == 403
    assert client.post(f"/notices/templates/{draft.pk}/submit/").status_code == 403
    assert client.post(f"/notices/templates/{in_review.pk}/review/", {"decision": "approve"}).status_code == 403
    assert client.post(f"/notices/templates/{approved.pk}/retire/", {"reason": "x"}).status_code == 403
    assert snapshot() == before
    assert rows("reminder_sms")[-1] == (2, "draft", writer.username, None)


@pytest.mark.usefixtures("seeded")
@pytest.mark.django_db
def test_a_supervisor_sees_the_pages_but_cannot_review_and_a_legal_officer_cannot_write(client, writer, reviewer):
    """Clause: LANG-2 — buttons only for what the user may do; the server refuses the rest with 403."""
    in_review = Template.objects.get(purpose="reminder_sms", language="zh-hans", version=1)
    client.force_login(writer)
    page = client.get(f"/notices/templates/{in_review.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Approve" not in page
    before = snapshot()
    assert client.post(f"/notices/templates/{in_review.pk}/review/", {"decision": "approve"}).status_code == 403
    assert snapshot() == before

    client.force_login(reviewer)
    listing = client.get("/notices/templates/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Write a new version" not in listing
    assert 'href="/notices/templates/"' in listing  # the navigation link
    assert client.get("/notices/templates/new/reminder_sms/zh-hans/").status_code == 403
    assert client.post("/notices/templates/new/reminder_sms/zh-hans/", {"body": SMS}).status_code == 403
    assert snapshot() == before


@pytest.mark.django_db
def test_the_navigation_link_appears_only_for_writers_and_reviewers(client):
    """Clause: LANG-2."""
    client.force_login(make_user("junior_collector"))
    assert 'href="/notices/templates/"' not in client.get("/").content.decode()
    client.force_login(make_user("supervisor"))
    assert 'href="/notices/templates/"' in client.get("/").content.decode()


def test_the_list_excerpt_never_cuts_a_placeholder():
    """A long text is cut to 60 characters for the list, before a placeholder rather than inside it."""
    text = "尊" * 55 + "{complaint_ref}" + "。" * 10
    assert Template(body=text).excerpt == "尊" * 55 + "…"
    assert Template(body="短文本{name}").excerpt == "短文本{name}"
    assert len(Template(body="字" * 80).excerpt) == 60
