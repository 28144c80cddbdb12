"""The starting list of prohibited phrases (LANG-1), a frozen copy; compliance officers edit it from here on.

"words" entries are key words that must appear in order within a few words of each other ("起诉 家人" catches
不还钱就起诉你家人 and 我们会起诉你的家人); "pattern" entries are regular expressions over the normalised text
(simplified, no spaces or punctuation). The list is in simplified Chinese; traditional text is converted first.

老赖 is the colloquial name for a 失信被执行人 (a judgment debtor a court has listed for not complying). Said to
a borrower it is an insult, and for a borrower no court has listed it also claims a legal status that is false;
collectors who need the legal term write 失信被执行人. It is on the list, as an insult, with that note.
"""

from datetime import UTC, datetime

from django.db import migrations

SEEDED_AT = datetime(2026, 11, 28, tzinfo=UTC)

# (text, kind, category, note)
PHRASES = [
    # threats to family or third parties
    ("起诉 家人", "words", "third_party", "以起诉家人相威胁（政策示例：不还钱就起诉你家人）"),
    ("起诉 全家", "words", "third_party", "以起诉借款人全家相威胁"),
    ("通知 单位", "words", "third_party", "以通知借款人工作单位相威胁"),
    ("告诉 同事", "words", "third_party", "向同事透露欠款相威胁"),
    ("曝光", "words", "third_party", "以公开曝光相威胁"),
    ("(爆|打遍|群发)(你|您)?的?通讯录", "pattern", "third_party", "以骚扰通讯录联系人相威胁"),
    (
        "(找|骚扰)(你|您)的?(全家|家人|父母|老婆|老公|孩子|子女|亲戚)",
        "pattern",
        "third_party",
        "以找借款人家人、亲属相威胁（找你家人、找你的父母）",
    ),
    # violence
    ("打断 腿", "words", "violence", ""),
    ("弄死", "words", "violence", ""),
    ("砍死", "words", "violence", ""),
    ("上门 收拾", "words", "violence", ""),
    ("让你 好看", "words", "violence", ""),
    ("出门 小心", "words", "violence", "暗示人身危险"),
    # insults
    ("骗子", "words", "insult", ""),
    ("不要脸", "words", "insult", ""),
    ("去死", "words", "insult", ""),
    ("人渣", "words", "insult", ""),
    ("畜生", "words", "insult", ""),
    ("废物", "words", "insult", ""),
    ("王八蛋", "words", "insult", ""),
    (
        "老赖",
        "words",
        "insult",
        "“老赖”是对失信被执行人的贬称：对借款人使用属侮辱，对未被法院列入失信名单者还构成虚假陈述；"
        "需要时使用规范用语“失信被执行人”，且仅限法院已列入名单的情形。",
    ),
    # false legal claims
    ("抓 坐牢", "words", "false_legal", "逾期还款属民事纠纷，不得以抓捕、坐牢相威胁"),
    ("公安 已经 立案", "words", "false_legal", "虚构公安立案"),
    ("法院 明天 查封", "words", "false_legal", "虚构法院查封时间"),
    ("征信 黑名单", "words", "false_legal", "征信系统没有“黑名单”；如实说明逾期会记入征信记录"),
    ("通缉", "words", "false_legal", "虚构通缉"),
    ("刑事责任", "words", "false_legal", "除法务确认外，不得以追究刑事责任相威胁"),
    # other intimidation
    ("后果自负", "words", "other", "含糊威胁"),
    ("(走|等)着瞧", "pattern", "other", "含糊威胁"),
]


def seed(apps, schema_editor):
    ProhibitedPhrase = apps.get_model("compliance", "ProhibitedPhrase")
    for text, kind, category, note in PHRASES:
        ProhibitedPhrase.objects.get_or_create(
            kind=kind, text=text, defaults={"category": category, "note": note, "updated_at": SEEDED_AT}
        )


def unseed(apps, schema_editor):
    ProhibitedPhrase = apps.get_model("compliance", "ProhibitedPhrase")
    seeded = ProhibitedPhrase.objects.filter(updated_by__isnull=True, hits__isnull=True)
    for text, kind, _category, _note in PHRASES:
        seeded.filter(kind=kind, text=text).delete()


class Migration(migrations.Migration):
    dependencies = (("compliance", "0003_prohibited_language"),)

    operations = (migrations.RunPython(seed, unseed),)
