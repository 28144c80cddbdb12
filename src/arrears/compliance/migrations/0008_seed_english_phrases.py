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
    ("sue family", "words", "third_party", "Threat to sue the borrower's family (the policy's example, in English)"),
    ("tell employer", "words", "third_party", "Threat to tell the borrower's employer"),
    ("call employer", "words", "third_party", "Threat to call the borrower's employer"),
    ("tell boss", "words", "third_party", "Threat to tell the borrower's boss"),
    ("call boss", "words", "third_party", "Threat to call the borrower's boss"),
    ("tell colleagues", "words", "third_party", "Threat to tell colleagues about the debt"),
    ("call contacts", "words", "third_party", "Threat to call everyone in the borrower's contacts"),
    ("tell neighbours", "words", "third_party", "Threat to tell the neighbours"),
    ("tell neighbors", "words", "third_party", "Threat to tell the neighbours"),
    ("expose you", "words", "third_party", "Threat to expose the borrower publicly"),
    ("break legs", "words", "violence", ""),
    ("hurt you", "words", "violence", ""),
    ("kill you", "words", "violence", ""),
    ("beat up", "words", "violence", ""),
    ("watch your back", "words", "violence", "Implied physical danger"),
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
    ("arrest you", "words", "false_legal", "Overdue repayment is a civil matter: no threats of arrest"),
    ("jail", "words", "false_legal", "No threats of jail"),
    ("prison", "words", "false_legal", "No threats of prison"),
    ("police coming", "words", "false_legal", "Invented police action"),
    ("criminal(charges?|record|case)", "pattern", "false_legal", "No threats of criminal liability"),
    ("blacklist", "words", "false_legal", "The credit reference system has no blacklist"),
    ("or else", "words", "other", "Vague menace"),
    ("you ll regret", "words", "other", "Vague menace (you'll regret it)"),
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
