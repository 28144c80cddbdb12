"""Prohibited phrases in English (LANG-1), for calls and notes in English: the same kinds as the starting list —
threats through third parties, violence, insults, false legal claims and vague menace.

Key words match whole English words in order (a few words may stand between them): "sue family" catches "we will
sue your family", "idiot" catches "you idiot" but not "idiotic". Lawful statements of consequences ("the bank may
take legal action", "the overdue is reported to the credit reference centre") share no entry here. Added like the
starting list (migration 0004): a frozen copy, edited by compliance officers from here on.
"""

from datetime import UTC, datetime

from django.db import migrations

SEEDED_AT = datetime(2026, 12, 6, tzinfo=UTC)

# (text, kind, category, note)
PHRASES = [
    ("sue family", "words", "third_party", "以起诉借款人家人相威胁（政策示例的英文说法）"),
    ("tell employer", "words", "third_party", "以告知借款人雇主相威胁"),
    ("call employer", "words", "third_party", "以致电借款人雇主相威胁"),
    ("tell boss", "words", "third_party", "以告知借款人上司相威胁"),
    ("call boss", "words", "third_party", "以致电借款人上司相威胁"),
    ("tell colleagues", "words", "third_party", "以向同事透露欠款相威胁"),
    ("call contacts", "words", "third_party", "以致电借款人通讯录联系人相威胁"),
    ("tell neighbours", "words", "third_party", "以告知邻居相威胁"),
    ("tell neighbors", "words", "third_party", "以告知邻居相威胁"),
    ("expose you", "words", "third_party", "以公开曝光相威胁"),
    ("break legs", "words", "violence", ""),
    ("hurt you", "words", "violence", ""),
    ("kill you", "words", "violence", ""),
    ("beat up", "words", "violence", ""),
    ("watch your back", "words", "violence", "暗示人身危险"),
    ("idiot", "words", "insult", ""),
    ("stupid", "words", "insult", ""),
    ("moron", "words", "insult", ""),
    ("loser", "words", "insult", ""),
    ("deadbeat", "words", "insult", ""),
    ("scumbag", "words", "insult", ""),
    ("liar", "words", "insult", ""),
    ("thief", "words", "insult", ""),
    ("worthless", "words", "insult", ""),
    ("shameless", "words", "insult", ""),
    ("arrest you", "words", "false_legal", "逾期还款属民事纠纷，不得以逮捕相威胁"),
    ("jail", "words", "false_legal", "不得以坐牢相威胁"),
    ("prison", "words", "false_legal", "不得以入狱相威胁"),
    ("police coming", "words", "false_legal", "虚构警方行动"),
    ("criminal(charges?|record|case)", "pattern", "false_legal", "不得以追究刑事责任相威胁"),
    ("blacklist", "words", "false_legal", "征信系统没有“黑名单”"),
    ("you ll regret", "words", "other", "含糊威胁（你会后悔的）"),
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
    dependencies = (("compliance", "0007_ledger_head_protection"),)

    operations = (migrations.RunPython(seed, unseed),)
