"""More prohibited phrases (LANG-1): threats to contact or visit the borrower's employer or workplace.

我们会去你单位找你领导, 我们会联系你的公司/老板/同事, 去你公司找你: telling the borrower that their employer,
superiors or colleagues will be approached is pressure through third parties, which the collection policy
forbids. Patterns over the normalised text (simplified, no spaces or punctuation), so 去你们单位, 到您公司 and
聯繫你的老闆 are caught too; questions about the borrower's own workplace (请问您的工作单位电话是否变更) are not.
Added like the starting list (migration 0004): a frozen copy, edited by compliance officers from here on.
"""

from datetime import UTC, datetime

from django.db import migrations

SEEDED_AT = datetime(2026, 12, 5, tzinfo=UTC)

_WORKPLACE = "(工作单位|单位|公司|厂里|工厂|办公室|上班的地方|领导|老板|上司|主管|经理|同事|人事|hr)"

# (text, kind, category, note)
PHRASES = [
    (
        "(去|到|上)(你|您)(们)?的?(工作单位|单位|公司|厂里|工厂|办公室|上班的地方)",
        "pattern",
        "third_party",
        "以到借款人工作单位上门相威胁（我们会去你单位找你领导、去你公司找你）",
    ),
    (
        f"(找|联系|通知|告诉|打电话给|打给)(你|您)(们)?的?{_WORKPLACE}",
        "pattern",
        "third_party",
        "以联系借款人单位、领导、同事相威胁（我们会联系你的公司/老板/同事）",
    ),
    (
        f"给(你|您)(们)?的?{_WORKPLACE}(打电话|打个电话|发函|寄信|写信)",
        "pattern",
        "third_party",
        "以给借款人单位、领导打电话或发函相威胁（给你领导打电话）",
    ),
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
    dependencies = (("compliance", "0005_arrangement_hits"),)

    operations = (migrations.RunPython(seed, unseed),)
