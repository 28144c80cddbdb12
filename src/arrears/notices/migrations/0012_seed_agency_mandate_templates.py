"""Version 1 of the agency mandate (委托催收函, AGY-2), in Simplified Chinese and English, waiting for legal review
(LANG-2) like every seeded template (0003).

The bank entrusts the agency with collecting one case's overdue debt for a period, at a commission on what is
recovered in it. The mandate is collection only: no violence, threats, harassment, insults or other abusive
means, no contact with unrelated third parties, no disclosure of the borrower's information (PRV-1, LANG-1); the
borrower's personal data is processed only for this mandate and only while it lasts (PIPL: entrusted processing),
and the bank audits the agency's collection (AGY-3). A placement renders the approved version in the
supervisor's language, else the Chinese one.
"""

import importlib

from django.db import migrations

_FIRST = importlib.import_module("arrears.notices.migrations.0003_seed_templates")

MANDATE_ZH = """委托催收函（编号：{placement_ref}）

委托方：{bank_name}（地址：{bank_address}；客服电话：{bank_hotline}）
受托方：{agency}（机构编号：{agency_code}）

一、委托事项：委托方委托受托方就借款人{name}名下合同{contracts}项下的逾期债务进行催收，截至{placed_on}逾期金额合计{overdue_total}元。受托方仅可提醒借款人向委托方还款，不得代收任何款项，不得对债务作出减免、分期等任何承诺。

二、委托期限：自{placed_on}起至{last_day}止，共{days}天。期满或委托方书面召回时委托即终止，受托方应立即停止一切催收活动，并停止处理借款人的个人信息。

三、催收方式：仅限合法、文明的催收。严禁使用暴力或以暴力相威胁，严禁恐吓、骚扰、侮辱、诽谤借款人，严禁向与债务无关的第三人透露债务信息，严禁在晚间休息时间联系借款人。受托方的全部催收活动须在委托方系统中如实记录，并遵守委托方的联系频次限制。

四、个人信息保护：受托方仅为本次委托目的处理借款人的个人信息，以完成委托所必需为限，不得留存、复制或向他人提供；委托终止后立即删除。

五、服务费：按委托期内委托方实际收回金额的{commission}计付，按月结算。

六、监督检查：委托方定期审查受托方的催收报告与催收记录；发现违规的，委托方有权要求整改、暂停委托直至终止合作。
"""

MANDATE_EN = """Collection mandate (ref. {placement_ref})

Principal: {bank_name} ({bank_address}; hotline {bank_hotline})
Agent: {agency} (agency code {agency_code})

1. Mandate. The principal entrusts the agent with collecting the overdue debt of {name} under contract(s) {contracts}, CNY {overdue_total} overdue as of {placed_on}. The agent reminds the borrower to pay the principal; it collects no money itself and promises no waiver, instalment plan or other arrangement.

2. Period. From {placed_on} to {last_day}, {days} days. The mandate ends at the end of the period or when the principal recalls the case in writing; the agent then stops all collection at once and stops processing the borrower's personal information.

3. Means. Lawful, courteous collection only. Violence or the threat of it, intimidation, harassment, insults and defamation are forbidden; so are telling the debt to any third party unrelated to it and contacting the borrower in the quiet hours. Every collection contact is recorded truthfully in the principal's system and within its contact limits.

4. Personal information. The agent processes the borrower's personal information only for this mandate and only as far as it needs; it keeps no copy and gives it to no one, and deletes it when the mandate ends.

5. Fee. {commission} of the amounts the principal recovers during the period, settled monthly.

6. Supervision. The principal audits the agent's collection reports and records periodically; where it finds a violation it may require rectification, suspend placements or end the cooperation.
"""

TEMPLATES = {
    ("agency_mandate", "zh-hans"): ("", MANDATE_ZH),
    ("agency_mandate", "en"): ("", MANDATE_EN),
}


def seed(apps, schema_editor):
    _FIRST.seed_these(apps, TEMPLATES)


def unseed(apps, schema_editor):
    _FIRST.unseed_these(apps, TEMPLATES)


class Migration(migrations.Migration):
    dependencies = [("notices", "0011_agency_mandate")]

    operations = [migrations.RunPython(seed, unseed)]
