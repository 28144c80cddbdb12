"""Version 1 of the statement of claim (民事起诉状) of the litigation file (LIT-1), in Simplified Chinese and
English, waiting for legal review (LANG-2) like every seeded template (0003).

The bank is the plaintiff (its name, address and hotline from the settings; the legal representative and the
title are left as lines to fill in by hand, or written into the bank's own version), the borrower the defendant
(name, ID number and address in full: the document goes to the court). The claims are the finance core's
figures to the filing date: the overdue principal, interest, penalty interest (罚息) and compound interest
(复利), with penalty and compound interest running on until repayment, and the costs of the case. The facts
name the contracts with their terms, when the borrower stopped paying, and the collection that failed. The
litigation file uses the Chinese version (the court's language); the English one is for reference.
"""

import importlib

from django.db import migrations

_FIRST = importlib.import_module("arrears.notices.migrations.0003_seed_templates")

COMPLAINT_ZH = """原告：{bank_name}
住所地：{bank_address}
法定代表人（负责人）：＿＿＿＿＿＿　职务：＿＿＿＿＿＿
联系电话：{bank_hotline}

被告：{name}
公民身份号码：{id_number}
住址：{address}

诉讼请求：
一、判令被告向原告偿还借款本金{principal}元（截至{filing_date}已到期未还的本金）；
二、判令被告向原告支付利息{interest}元、罚息{penalty}元、复利{compound}元（均计算至{filing_date}），以及自{filing_date}次日起至实际清偿之日止按合同约定计收的罚息、复利；
以上第一、二项金额合计{total}元；
三、本案诉讼费用由被告承担。

事实与理由：
原告与被告签订借款合同（合同编号：{contracts}），约定：{loan_terms}。合同签订后，原告依约向被告发放了贷款。

被告自{earliest_due}起未按合同约定按期还款，截至{filing_date}已逾期{dpd}天。其间原告电话催收{calls}次、发送逾期通知书{letters}份，被告仍未清偿。依照合同约定，原告对逾期本金按罚息利率计收罚息，对逾期未付的利息按罚息利率计收复利；各期欠款及罚息、复利的计算明细见所附对账单。

被告未按约还款，已构成违约。为维护原告的合法权益，根据《中华人民共和国民法典》第六百七十四条、第六百七十五条、第六百七十六条等规定，特向贵院提起诉讼，请依法判如所请。

此致
{court}

具状人：{bank_name}（盖章）
{filing_date}

附：1. 借款合同条款及还款计划；2. 对账单（逾期欠款证明）；3. 催收记录。"""

COMPLAINT_EN = """Plaintiff: {bank_name}
Domicile: {bank_address}
Legal representative (person in charge): ____________  Title: ____________
Telephone: {bank_hotline}

Defendant: {name}
Citizen ID number: {id_number}
Address: {address}

Claims:
1. That the defendant be ordered to repay to the plaintiff the loan principal of CNY {principal} (the principal fallen due and unpaid as of {filing_date});
2. That the defendant be ordered to pay to the plaintiff interest of CNY {interest}, penalty interest of CNY {penalty} and compound interest of CNY {compound} (each calculated up to {filing_date}), and the penalty and compound interest accruing under the contract from the day after {filing_date} until repayment in full;
Claims 1 and 2 amount to CNY {total} in total;
3. That the defendant bear the costs of this case.

Facts and reasons:
The plaintiff and the defendant entered into the loan contract(s) {contracts}, on these terms: {loan_terms}. The plaintiff paid out the loan as agreed.

From {earliest_due} the defendant failed to repay as agreed; as of {filing_date} the debt is {dpd} days overdue. The plaintiff called the defendant {calls} times and sent {letters} overdue notice(s), and the defendant still has not repaid. As the contract provides, the plaintiff charges penalty interest on the overdue principal and compound interest on the overdue interest, both at the penalty rate; the amounts of each instalment and the calculation of penalty and compound interest are set out in the attached statement of account.

The defendant's failure to repay is a breach of contract. To protect its lawful rights, the plaintiff brings this action under Articles 674, 675 and 676 of the Civil Code of the People's Republic of China and asks the court to decide as claimed.

To: {court}

The plaintiff: {bank_name} (seal)
{filing_date}

Attached: 1. the loan contract's terms and repayment schedule; 2. the statement of account (proof of the overdue debt); 3. the collection record."""

# (purpose, language) → (subject, text)
TEMPLATES = {
    ("litigation_complaint", "zh-hans"): ("", COMPLAINT_ZH),
    ("litigation_complaint", "en"): ("", COMPLAINT_EN),
}


def seed(apps, schema_editor):
    _FIRST.seed_these(apps, TEMPLATES)


def unseed(apps, schema_editor):
    _FIRST.unseed_these(apps, TEMPLATES)


class Migration(migrations.Migration):
    dependencies = [("notices", "0009_litigation_complaint")]

    operations = [migrations.RunPython(seed, unseed)]
