"""Version 1 of every template, in Simplified Chinese and English, waiting for legal review (LANG-2).

They are seeded *in review* (no author: the system wrote them), so that a legal reviewer approves them on the
first day; until then nothing that needs them is sent. The reminders state the amount due, the due date and
the bank's contact details (REM-2); the notice wording is the text of the formal overdue notice around its
figures tables (LTR-1; a line `---` marks where the tables go); the call script follows CALL-2's steps. All
of it informs and offers help and states consequences as facts, never as threats (LANG-1).
"""

from django.db import migrations
from django.utils import timezone

REMINDER_EMAIL_ZH = """尊敬的{name}：

您好！您在我行的贷款（合同编号{contract}）第{instalment}期应还款{amount_due}元，将于{due_date}到期。请您在到期日前确保还款账户资金充足，以便按时还款。

如您已经还款，请忽略本邮件。如对应还金额有疑问，或在还款方面遇到困难，请及时与我们联系，我们将竭诚为您服务：
客服热线：{bank_hotline}
电子邮箱：{bank_email}
联系地址：{bank_address}

感谢您对我行的信任与支持！

{bank_name}"""

REMINDER_EMAIL_EN = """Dear {name},

This is a friendly reminder that instalment {instalment} of your loan {contract}, amounting to CNY {amount_due}, is due on {due_date}. Please make sure that enough funds are in your repayment account by that date.

If you have already paid, please disregard this email. If you have any question about the amount, or if you have difficulty making this payment, please contact us and we will be glad to help:
Customer service hotline: {bank_hotline}
Email: {bank_email}
Address: {bank_address}

Thank you for banking with us.

{bank_name}"""

LETTER_EMAIL_ZH = """尊敬的{name}：

您好！截至{as_of}，您在我行的贷款（合同编号{contracts}）已逾期，逾期款项合计{total_overdue}元。随本邮件附上逾期通知书（编号{reference}，PDF格式），其中列明了逾期明细以及罚息、复利的计算过程，请您查阅。

请您于{deadline}前归还上述逾期款项。如您已经还款，请忽略本邮件。

如对通知书内容有疑问，或在还款方面确有困难，请及时与我们联系，我们将与您沟通，协商合理的还款安排：
客服热线：{bank_hotline}
电子邮箱：{bank_email}
联系地址：{bank_address}

{bank_name}"""

LETTER_EMAIL_EN = """Dear {name},

As of {as_of}, your loan(s) {contracts} with us are overdue, with a total overdue amount of CNY {total_overdue}. Attached to this email is the overdue notice {reference} (PDF), which sets out the overdue amounts and the calculation of penalty and compound interest.

Please repay the overdue amount by {deadline}. If you have already paid, please disregard this email.

If you have any question about the notice, or if you have difficulty repaying, please contact us; we will discuss a reasonable repayment arrangement with you:
Customer service hotline: {bank_hotline}
Email: {bank_email}
Address: {bank_address}

{bank_name}"""

LETTER_NOTICE_ZH = """尊敬的{name}：

经核查，截至{as_of}，您在我行办理的下列贷款未按合同约定按期还款，已经逾期。现将逾期情况及罚息、复利的计算明细通知如下：
---
请您于{deadline}前归还上述全部逾期款项。上列罚息、复利计算至{as_of}；自次日起至实际还清之日，逾期本金和逾期利息将继续按日计收罚息和复利，应还金额会随之增加，实际应还金额以还款当日为准。

根据国家有关规定，贷款逾期信息将如实报送金融信用信息基础数据库（征信系统），可能影响您的个人信用记录及今后办理贷款、信用卡等金融业务。为维护您的信用记录、减少罚息支出，请您尽早还款。

如您已经还款，请忽略本通知。如您在还款方面确有困难，或对上述款项有疑问，请及时与我行联系（客服热线{bank_hotline}），我行将与您沟通，协商合理的还款安排。"""

LETTER_NOTICE_EN = """Dear {name},

Our records show that, as of {as_of}, the loans listed below have not been repaid as agreed in your loan contract and are overdue. The overdue amounts and the calculation of penalty and compound interest are as follows:
---
Please repay the full overdue amount stated above by {deadline}. The penalty and compound interest above are calculated up to {as_of}; from the following day until the amount is repaid in full, penalty and compound interest continue to accrue daily on the overdue principal and interest, so the amount due will increase. The amount due on the day of repayment applies.

As required by national regulations, information on overdue loans is reported truthfully to the Credit Reference Center of the People's Bank of China and may affect your credit record and future applications for loans, credit cards and other financial services. To protect your credit record and limit penalty interest, please repay as soon as possible.

If you have already repaid, please disregard this notice. If you have difficulty repaying, or any question about the amounts above, please contact us (customer service hotline {bank_hotline}); we will discuss a reasonable repayment arrangement with you."""

CALL_SCRIPT_ZH = """1. 问候：您好，请问是{name}吗？我是{bank_name}的客户服务专员{collector}。

2. 说明来意：今天给您来电，是想和您沟通一下您在我行贷款的还款情况。

3. 核实身份：为保护您的信息安全，请您告诉我您身份证号码的后四位。（核实通过前不得提及任何贷款信息；接听人不是借款人本人时，不得透露欠款情况，只请其转告借款人回电。）

4. 告知逾期情况：经核实，您的贷款已逾期{dpd}天，目前逾期应还金额合计{overdue_total}元。逾期期间会按合同计收罚息，逾期信息也会如实报送征信系统，可能影响您的信用记录。

5. 了解还款能力：请问您目前方便安排还款吗？是否遇到了什么困难？（如实记录借款人说明的困难，例如暂时失业、资金周转困难等。）

6. 提出建议：建议您尽快一次性还清逾期款项，以免罚息继续增加；如一次性还款确有困难，可以申请短期分期还款，我可以为您登记并提交审批。请问您计划什么时候还款？

7. 结束通话：感谢您的配合。如有疑问，欢迎拨打我行客服热线。祝您生活愉快，再见！"""

CALL_SCRIPT_EN = """1. Greeting: Good morning / good afternoon. May I speak with {name}? This is {collector}, customer service officer at {bank_name}.

2. Purpose: I am calling about the repayment of your loan with us.

3. Identity check: To protect your information, could you please tell me the last four digits of your ID number? (Say nothing about the loan before the check succeeds; if the person is not the borrower, do not mention any debt and only ask them to pass on a request to call back.)

4. Overdue days and amount: Thank you. Your loan is {dpd} days overdue, and the overdue amount is CNY {overdue_total} in total. While it is overdue, penalty interest accrues under the contract, and overdue information is reported to the credit reference system, which may affect your credit record.

5. Ability to repay: Are you able to arrange the repayment at the moment? Is anything making it difficult? (Record the obstacle the borrower describes, e.g. temporary unemployment or a cash-flow problem.)

6. Suggestion: We suggest repaying the overdue amount in full as soon as possible, so that no further penalty interest accrues. If that is difficult, you can apply for a short instalment plan; I can register your request for approval. When do you plan to repay?

7. Closing: Thank you for your time. If you have any question, please call our customer service hotline. Goodbye."""

# (purpose, language) → (subject, text)
TEMPLATES = {
    ("reminder_sms", "zh-hans"): (
        "",
        "【{bank_name}】尊敬的{name}，您的贷款（合同{contract}）第{instalment}期应还款{amount_due}元将于{due_date}到期，"
        "请按时还款。如已还款请忽略。客服热线{bank_hotline}。",
    ),
    ("reminder_sms", "en"): (
        "",
        "[{bank_name}] Dear {name}, instalment {instalment} of your loan {contract}, CNY {amount_due}, is due on "
        "{due_date}. Please pay on time; if you have already paid, please ignore this message. Hotline: "
        "{bank_hotline}.",
    ),
    ("reminder_email", "zh-hans"): ("【{bank_name}】还款提醒：{due_date}应还款{amount_due}元", REMINDER_EMAIL_ZH),
    ("reminder_email", "en"): ("{bank_name}: payment reminder, CNY {amount_due} due on {due_date}", REMINDER_EMAIL_EN),
    ("letter_email", "zh-hans"): ("【{bank_name}】逾期通知书（编号{reference}）", LETTER_EMAIL_ZH),
    ("letter_email", "en"): ("{bank_name}: overdue notice {reference}", LETTER_EMAIL_EN),
    ("letter_notice", "zh-hans"): ("", LETTER_NOTICE_ZH),
    ("letter_notice", "en"): ("", LETTER_NOTICE_EN),
    ("call_script", "zh-hans"): ("", CALL_SCRIPT_ZH),
    ("call_script", "en"): ("", CALL_SCRIPT_EN),
}


def seed(apps, schema_editor):
    seed_these(apps, TEMPLATES)


def unseed(apps, schema_editor):
    unseed_these(apps, TEMPLATES)


def seed_these(apps, templates):
    """Version 1 of each purpose and language that has no version yet, in review from the installation on."""
    Template = apps.get_model("notices", "Template")
    now = timezone.now()
    for (purpose, language), (subject, body) in templates.items():
        if Template.objects.filter(purpose=purpose, language=language).exists():
            continue
        Template.objects.create(
            purpose=purpose,
            language=language,
            version=1,
            status="in_review",
            subject=subject,
            body=body,
            author=None,
            created_at=now,
            submitted_at=now,
        )


def unseed_these(apps, templates):
    """Remove the seeded versions (version 1, no author, the seeded text) that no notice used."""
    Template = apps.get_model("notices", "Template")
    for (purpose, language), (subject, body) in templates.items():
        Template.objects.filter(
            purpose=purpose,
            language=language,
            version=1,
            author__isnull=True,
            subject=subject,
            body=body,
            notices__isnull=True,
        ).delete()


class Migration(migrations.Migration):
    dependencies = [("notices", "0002_outbox_templates")]

    operations = [migrations.RunPython(seed, unseed)]
