"""Placeholders in templates: checking, rendering, the notice's split (pure: no database).

Clause: LANG-2 — what legal review approves is exactly what is sent: a text with anything but the allowed
placeholders never becomes a version. Clause: REM-2 — a reminder always states the amount due, the due date
and the bank's contact details.
"""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest

from arrears.compliance.language import Entry, check_text
from arrears.notices.templating import (
    PLACEHOLDERS,
    MissingValue,
    TemplateProblem,
    check_template,
    paragraphs,
    render,
    sample_values,
    split_notice,
)
from dbstate import SEEDED_TEMPLATES

_seed_phrases = importlib.import_module("arrears.compliance.migrations.0004_seed_prohibited_phrases")

SMS = "【{bank_name}】{name}，第{instalment}期应还{amount_due}元，{due_date}到期。热线{bank_hotline}。"
NOTICE = (
    "尊敬的{name}：\n\n截至{as_of}，您的贷款已逾期：\n---\n请于{deadline}前还款。\n\n如有疑问请致电{bank_hotline}。"
)


def problem(purpose: str, body: str, subject: str = "") -> str:
    with pytest.raises(TemplateProblem) as caught:
        check_template(purpose, subject, body)
    return str(caught.value)


# --- what passes ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("purpose", "language"), list(SEEDED_TEMPLATES))
def test_every_seeded_text_passes_the_check(purpose, language):
    """Clause: LANG-2, REM-2, LTR-1, CALL-2 — the texts seeded for legal review are valid templates."""
    subject, body = SEEDED_TEMPLATES[(purpose, language)]
    check_template(purpose, subject, body)
    assert "{" not in render(body, sample_values(purpose, language))


def test_the_seeded_texts_contain_no_prohibited_language():
    """Clause: LANG-1 — the seeded texts pass the starting list of prohibited phrases (submitting them would)."""
    entries = [Entry(i, text, kind, category) for i, (text, kind, category, _note) in enumerate(_seed_phrases.PHRASES)]
    for (purpose, language), (subject, body) in SEEDED_TEMPLATES.items():
        assert check_text(f"{subject}\n{body}", entries) == [], (purpose, language)


def test_every_purpose_in_both_languages_is_seeded():
    assert set(SEEDED_TEMPLATES) == {(p, lang) for p in PLACEHOLDERS for lang in ("zh-hans", "en")}


def test_the_seeded_call_script_follows_the_call_flow():
    """Clause: CALL-2 — greet, purpose, identity, overdue days and amount, ability to repay, suggestion."""
    steps = paragraphs(SEEDED_TEMPLATES[("call_script", "zh-hans")][1])
    assert [step.split("：")[0] for step in steps] == [
        "1. 问候",
        "2. 说明来意",
        "3. 核实身份",
        "4. 告知逾期情况",
        "5. 了解还款能力",
        "6. 提出建议",
        "7. 结束通话",
    ]
    assert "{dpd}" in steps[3]
    assert "{overdue_total}" in steps[3]


def test_the_seeded_sms_renders_as_the_bank_writes_it():
    """Clause: REM-2 — amount due, due date, the bank's hotline."""
    body = SEEDED_TEMPLATES[("reminder_sms", "zh-hans")][1]
    values = {**sample_values("reminder_sms"), "bank_name": "示例商业银行", "bank_hotline": "400-800-0000"}
    assert render(body, values) == (
        "【示例商业银行】尊敬的张三丰，您的贷款（合同L2026000123）第11期应还款3,256.78元将于2026年12月15日到期，"
        "请按时还款。如已还款请忽略。客服热线400-800-0000。"
    )


def test_a_text_without_placeholders_is_a_valid_call_script():
    check_template("call_script", "", "您好，我是银行客服。")


def test_literal_braces_are_written_doubled():
    check_template("call_script", "", "记录格式：{{日期}}")
    assert render("记录格式：{{日期}} {name}", {"name": "张三"}) == "记录格式：{日期} 张三"


# --- what is refused -----------------------------------------------------------------------------------------


def test_an_unknown_placeholder_is_named_with_the_allowed_ones():
    """Clause: LANG-2."""
    message = problem("reminder_sms", SMS + "{balance}")
    assert message.startswith("Unknown placeholder {balance} in the text.")
    assert (
        "may use: {name}, {amount_due}, {due_date}, {contract}, {instalment}, {bank_name}, {bank_hotline}, "
        "{bank_email}, {bank_address}." in message
    )


def test_a_placeholder_of_another_purpose_is_unknown_here():
    """Clause: LANG-2 — {deadline} belongs to the notice, not to a reminder."""
    assert "Unknown placeholder {deadline}" in problem("reminder_sms", SMS + "{deadline}")
    assert "Unknown placeholder {amount_due}" in problem("call_script", "{amount_due}")


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ("{amount_due:>10}", "contains {amount_due:>10}: placeholders take no conversion (!) or format (:)"),
        ("{amount_due:,.2f}", "contains {amount_due:,.2f}: placeholders take no conversion"),
        ("{name!r}", "contains {name!r}: placeholders take no conversion"),
        ("{name.__class__}", "contains {name.__class__}: placeholders are plain names, without “.” or “[…]”"),
        ("{contract[0]}", "contains {contract[0]}: placeholders are plain names"),
        ("{}", "contains {}, a placeholder without a name"),
        ("{0}", "contains {0}, a placeholder without a name"),
    ],
)
def test_format_specs_conversions_and_attribute_access_are_refused(extra, message):
    """Clause: LANG-2 — nothing but a plain name: no formatting, no reaching into objects."""
    assert message in problem("reminder_sms", SMS + extra)


@pytest.mark.parametrize("body", ["{name", "name}", "{{name}", "{name}}", "还款{amount_due{due_date}"])
def test_braces_that_do_not_pair_up_are_refused(body):
    assert "The braces in the text do not pair up" in problem("call_script", body)


@pytest.mark.parametrize("body", ["", "  \n\n "])
def test_an_empty_text_is_refused(body):
    assert problem("call_script", body) == "The text is empty; write what the borrower or collector should read."


@pytest.mark.parametrize(
    ("purpose", "missing"),
    [
        ("reminder_sms", "{amount_due}"),
        ("reminder_sms", "{due_date}"),
        ("reminder_sms", "{bank_hotline}"),
        ("reminder_email", "{due_date}"),
    ],
)
def test_a_reminder_without_the_amount_the_due_date_or_the_hotline_is_refused(purpose, missing):
    """Clause: REM-2 — a reminder states the amount due, the due date and the bank's contact details."""
    subject = "还款提醒" if purpose == "reminder_email" else ""
    message = problem(purpose, SMS.replace(missing, "…"), subject)
    assert message.startswith(f"The text must contain {missing}:")
    assert "always states {amount_due}, {due_date}, {bank_hotline}" in message


def test_required_placeholders_must_be_in_the_text_not_only_in_the_subject():
    """Clause: REM-2 — the email's text stands on its own."""
    message = problem("reminder_email", "应还{amount_due}元，热线{bank_hotline}。", subject="{due_date}到期")
    assert message.startswith("The text must contain {due_date}:")


def test_the_letter_email_needs_the_reference_and_the_deadline():
    """Clause: LTR-1 — the email carrying the notice names it and its deadline."""
    message = problem("letter_email", "请于{deadline}前还款，热线{bank_hotline}。", subject="逾期通知书")
    assert message.startswith("The text must contain {reference}:")


def test_an_sms_has_no_subject_and_an_email_needs_one():
    assert "has no subject" in problem("reminder_sms", SMS, subject="提醒")
    assert problem("reminder_email", SMS).startswith("An email needs a subject")
    assert problem("letter_email", "{reference}{deadline}{bank_hotline}").startswith("An email needs a subject")
    assert "has no subject" in problem("letter_notice", NOTICE, subject="通知")
    assert "has no subject" in problem("call_script", "您好", subject="话术")


def test_the_subject_is_checked_for_placeholders_and_is_one_line():
    assert "Unknown placeholder {foo} in the subject" in problem("reminder_email", SMS, subject="提醒{foo}")
    assert problem("reminder_email", SMS, subject="{due_date:%Y}").startswith("The subject contains {due_date:%Y}:")
    assert (
        problem("reminder_email", SMS, subject="还款\n提醒")
        == "The subject must be a single line; remove the line breaks."
    )
    check_template("reminder_email", "{bank_name}还款提醒", SMS)


def test_an_sms_longer_than_300_characters_once_filled_in_is_refused():
    message = problem("reminder_sms", SMS + "请" * 260)
    assert message.startswith("Filled in with sample values the text is 3")
    assert message.endswith("an SMS may have at most 300. Shorten it.")
    check_template("reminder_sms", "", SMS + "请" * 200)


def test_the_length_check_uses_the_values_given():
    long_bank = {**sample_values("reminder_sms"), "bank_name": "很" * 250}
    check_template("reminder_sms", "", SMS)
    with pytest.raises(TemplateProblem, match="an SMS may have at most 300"):
        check_template("reminder_sms", "", SMS, values=long_bank)


# --- the notice wording --------------------------------------------------------------------------------------


def test_the_notice_wording_is_split_at_the_line_of_three_dashes():
    """Clause: LTR-1 — the text above is printed before the figures tables, the text below after them."""
    check_template("letter_notice", "", NOTICE)
    assert split_notice(NOTICE) == (
        "尊敬的{name}：\n\n截至{as_of}，您的贷款已逾期：",
        "请于{deadline}前还款。\n\n如有疑问请致电{bank_hotline}。",
    )
    assert split_notice("上\r\n  ---  \r\n\r\n下") == ("上", "下")
    assert paragraphs(split_notice(NOTICE)[1]) == ["请于{deadline}前还款。", "如有疑问请致电{bank_hotline}。"]


@pytest.mark.parametrize(("body", "found"), [("请于{deadline}前还款。", "0"), ("a\n---\n{deadline}\n---\nb", "2")])
def test_the_notice_wording_needs_exactly_one_dashes_line(body, found):
    message = problem("letter_notice", body)
    assert message.startswith(f"The notice wording needs exactly one line consisting only of --- (found {found})")
    assert "printed before the tables" in message


def test_dashes_inside_a_line_do_not_split():
    with pytest.raises(TemplateProblem, match="found 0"):
        split_notice("期限 --- {deadline}")


def test_the_notice_wording_needs_the_deadline():
    """Clause: LTR-1 — the repayment deadline."""
    assert problem("letter_notice", NOTICE.replace("{deadline}", "尽快")).startswith(
        "The text must contain {deadline}:"
    )


# --- rendering -----------------------------------------------------------------------------------------------


def test_render_fills_in_each_placeholder_as_given():
    assert render("{name}，{name}：应还{amount_due}元", {"name": "张三", "amount_due": "1,000.00", "x": "unused"}) == (
        "张三，张三：应还1,000.00元"
    )


def test_render_refuses_a_missing_value_naming_it():
    with pytest.raises(MissingValue) as caught:
        render("{name}应还{amount_due}元", {"name": "张三"})
    assert isinstance(caught.value, KeyError)
    assert isinstance(caught.value, TemplateProblem)
    assert caught.value.name == "amount_due"
    assert str(caught.value) == "No value was given for the placeholder {amount_due}; the text cannot be filled in."


def test_render_refuses_attribute_access_even_when_the_value_exists():
    with pytest.raises(TemplateProblem, match="plain names"):
        render("{name.__class__}", {"name": "张三"})


def test_the_sample_values_cover_exactly_each_purposes_placeholders():
    for purpose, spec in PLACEHOLDERS.items():
        assert list(sample_values(purpose)) == list(spec.allowed)
        assert list(sample_values(purpose, "en")) == list(spec.allowed)
    assert sample_values("reminder_sms")["due_date"] == "2026年12月15日"
    assert sample_values("reminder_sms", "en")["due_date"] == "15 December 2026"


def test_an_unknown_purpose_is_refused():
    with pytest.raises(TemplateProblem, match="Unknown template purpose “fax”"):
        check_template("fax", "", "text")


def test_a_problem_keeps_its_untranslated_message_and_values():
    with pytest.raises(TemplateProblem) as caught:
        check_template("call_script", "", "{x}")
    assert caught.value.message.startswith("Unknown placeholder %(unknown)s in the %(field)s.")
    assert caught.value.params["unknown"] == "{x}"
    assert caught.value.params["field"] == "text"


def test_the_module_is_pure():
    """DESIGN: the core of checking and rendering imports no Django."""
    import arrears.notices.templating as module

    source = Path(module.__file__).read_text(encoding="utf-8")
    assert "import django" not in source
    assert "from django" not in source
