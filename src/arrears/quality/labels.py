"""The words for the inspection's codes on a page: rules, steps, satisfaction, cues, kinds of disclosure and of
intimidation. Codes never reach a page; these do, in the reader's language."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from arrears.collection.models import Call
from arrears.compliance.models import PhraseCategory
from arrears.quality.inspect.cues import STEPS

RULES = {
    "prohibited_language": _("prohibited language (LANG-1)"),
    "privacy": _("told to someone not verified as the borrower (PRV-1)"),
    "script_incomplete": _("script steps missing (CALL-2, SCR-1)"),
    "script_order": _("script step out of order (CALL-2, SCR-1)"),
    "dissatisfied": _("the other side was dissatisfied"),
}
SATISFACTION = {
    "satisfied": _("satisfied"),
    "neutral": _("neutral"),
    "dissatisfied": _("dissatisfied"),
}
CUES = {"complaint": _("complaint"), "anger": _("anger"), "thanks": _("thanks")}
KINDS = {
    **{c.value: c.label for c in PhraseCategory},
    "threat_third_party": PhraseCategory.THIRD_PARTY.label,
    "threat_violence": PhraseCategory.VIOLENCE.label,
    "menace": _("vague menace"),
    "debt": _("the debt"),
    "address": _("the borrower's address"),
    "employer": _("the borrower's employer"),
    "id_number": _("the borrower's ID number"),
}


def step_label(step: str) -> str:
    return str(Call._meta.get_field(step).verbose_name) if step in STEPS else step


def detail_words(rule: str, detail: list[str]) -> str:
    """A finding's detail in words: the kind and the phrase found; the steps missing or out of order."""
    if rule in ("script_incomplete", "script_order"):
        return "; ".join(step_label(step) for step in detail)
    words = []
    for item in detail:
        kind, _sep, phrase = item.partition(":")
        label = str(KINDS.get(kind, ""))
        words.append(_("%(kind)s “%(phrase)s”") % {"kind": label, "phrase": phrase} if phrase else label)
    return "; ".join(str(w) for w in words if w)
