"""Version 1 of the complaint templates (CMP-2 acknowledgement, CMP-4 outcome), by SMS and by email, in
Simplified Chinese and English, waiting for legal review (LANG-2) like every seeded template (0003).

The acknowledgement says the complaint was received, its reference and by when the investigation ends; the
outcome says what the investigation found (`{finding}`: one of two fixed sentences, see `notices.content`) and
where to turn if the complainant is not satisfied. Neither mentions any debt: a complainant may not be the
borrower, and these messages are not collection (PRV-1, LANG-1).
"""

import importlib

from django.db import migrations

_FIRST = importlib.import_module("arrears.notices.migrations.0003_seed_templates")

ACK_EMAIL_ZH = """尊敬的{name}：

您好！我行已于{received_on}收到您关于催收工作的投诉（投诉编号{complaint_ref}），并已安排专人核查处理。我们将于{investigation_due}前完成调查，并将处理结果告知您。

在此期间，如您有补充材料或其他诉求，请与我们联系，并注明投诉编号：
客服热线：{bank_hotline}
电子邮箱：{bank_email}

感谢您的监督与反馈！

{bank_name}"""

ACK_EMAIL_EN = """Dear {name},

We received your complaint about our collection work on {received_on} (complaint reference {complaint_ref}). A member of staff is looking into it; we will finish our investigation by {investigation_due} and tell you what we found.

If you have more information or anything else to raise meanwhile, please contact us and quote the complaint reference:
Customer service hotline: {bank_hotline}
Email: {bank_email}

Thank you for telling us.

{bank_name}"""

OUTCOME_EMAIL_ZH = """尊敬的{name}：

您好！关于您于{received_on}提出的催收投诉（投诉编号{complaint_ref}），我行已完成调查。调查结果如下：

{finding}

如您对处理结果仍有异议，请与我们联系，我们将再次为您核实：
客服热线：{bank_hotline}
电子邮箱：{bank_email}
联系地址：{bank_address}

感谢您的监督与反馈！

{bank_name}"""

OUTCOME_EMAIL_EN = """Dear {name},

We have finished our investigation of the complaint about our collection work that you made on {received_on} (complaint reference {complaint_ref}). This is what we found:

{finding}

If you are not satisfied with this outcome, please contact us and we will look at it again:
Customer service hotline: {bank_hotline}
Email: {bank_email}
Address: {bank_address}

Thank you for telling us.

{bank_name}"""

# (purpose, language) → (subject, text)
TEMPLATES = {
    ("complaint_ack_sms", "zh-hans"): (
        "",
        "【{bank_name}】尊敬的{name}，我行已收到您的投诉（编号{complaint_ref}），将于{investigation_due}前完成调查"
        "并告知结果。客服热线{bank_hotline}。",
    ),
    ("complaint_ack_sms", "en"): (
        "",
        "[{bank_name}] Dear {name}, we received your complaint (ref. {complaint_ref}) and will finish our "
        "investigation by {investigation_due} and tell you the outcome. Hotline: {bank_hotline}.",
    ),
    ("complaint_ack_email", "zh-hans"): ("【{bank_name}】投诉受理确认（编号{complaint_ref}）", ACK_EMAIL_ZH),
    ("complaint_ack_email", "en"): ("{bank_name}: we received your complaint {complaint_ref}", ACK_EMAIL_EN),
    ("complaint_outcome_sms", "zh-hans"): (
        "",
        "【{bank_name}】尊敬的{name}，您的投诉（编号{complaint_ref}）已调查完毕：{finding}如有异议请致电{bank_hotline}。",
    ),
    ("complaint_outcome_sms", "en"): (
        "",
        "[{bank_name}] Dear {name}, we have investigated your complaint (ref. {complaint_ref}): {finding} If you "
        "disagree, please call {bank_hotline}.",
    ),
    ("complaint_outcome_email", "zh-hans"): ("【{bank_name}】投诉处理结果（编号{complaint_ref}）", OUTCOME_EMAIL_ZH),
    ("complaint_outcome_email", "en"): ("{bank_name}: the outcome of your complaint {complaint_ref}", OUTCOME_EMAIL_EN),
}


def seed(apps, schema_editor):
    _FIRST.seed_these(apps, TEMPLATES)


def unseed(apps, schema_editor):
    _FIRST.unseed_these(apps, TEMPLATES)


class Migration(migrations.Migration):
    dependencies = [("notices", "0007_complaint_notices")]

    operations = [migrations.RunPython(seed, unseed)]
