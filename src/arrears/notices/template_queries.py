"""Reading notice and script templates (LANG-2): which version may be used, and the lists the pages show.

Only an approved version is ever used. `template_for(purpose, language)` is what a sender asks: the approved
version in the borrower's language, else the approved Chinese one (Chinese is the default language), else
None — and None means nothing of that purpose is sent until legal review approves a version.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from arrears.notices.models import Language, Template, TemplatePurpose, TemplateStatus
from arrears.notices.templating import sample_values

__all__ = [
    "DEFAULT_LANGUAGE",
    "TemplateGroup",
    "approved_template",
    "latest_version",
    "preview_values",
    "template_for",
    "template_groups",
]

DEFAULT_LANGUAGE = Language.ZH_HANS


def approved_template(purpose: str, language: str) -> Template | None:
    """The approved version of `purpose` in `language`, or None (Clause: LANG-2)."""
    return Template.objects.filter(purpose=purpose, language=language, status=TemplateStatus.APPROVED).first()


def template_for(purpose: str, language: str | None) -> Template | None:
    """The version to use for a borrower whose language is `language`: the approved one in that language,
    else the approved Chinese one, else None (nothing may be sent, Clause: LANG-2)."""
    wanted = language if language in Language.values else DEFAULT_LANGUAGE
    found = approved_template(purpose, wanted)
    if found is None and wanted != DEFAULT_LANGUAGE:
        found = approved_template(purpose, DEFAULT_LANGUAGE)
    return found


def latest_version(purpose: str, language: str) -> Template | None:
    """The highest version of `purpose` in `language`, whatever its status (a new version starts from it)."""
    return Template.objects.filter(purpose=purpose, language=language).order_by("-version").first()


def preview_values(purpose: str, language: str) -> dict[str, str]:
    """Sample values for a preview (and the SMS length check), with this bank's own details."""
    # Imported here: the letter module will read these templates itself, and must not import this one back.
    from arrears.collection.letters import Bank
    from arrears.complaints.outbox import finding_sentence
    from arrears.notices.content import bank_values

    values = sample_values(purpose, language)
    values.update({name: value for name, value in bank_values(Bank.from_settings()).items() if name in values})
    if "finding" in values:  # the longer of the two fixed sentences the outcome may say
        values["finding"] = max((finding_sentence(found, language) for found in (True, False)), key=len)
    return values


@dataclass
class TemplateGroup:
    """All versions of one purpose in one language, newest first, for the list page; `fallback` is the
    approved Chinese version used instead while this language has none approved."""

    purpose: str
    language: str
    versions: list[Template] = field(default_factory=list)
    fallback: Template | None = None

    @property
    def purpose_label(self) -> str:
        return str(TemplatePurpose(self.purpose).label)

    @property
    def language_label(self) -> str:
        return str(Language(self.language).label)

    @property
    def approved(self) -> Template | None:
        return next((t for t in self.versions if t.status == TemplateStatus.APPROVED), None)


def template_groups() -> list[TemplateGroup]:
    """Every purpose × language with its versions, in the purposes' order (one query)."""
    groups = {
        (purpose, language): TemplateGroup(purpose, language)
        for purpose in TemplatePurpose.values
        for language in Language.values
    }
    for template in Template.objects.select_related("author", "reviewer").order_by("purpose", "language", "-version"):
        group = groups.get((template.purpose, template.language))
        if group is not None:
            group.versions.append(template)
    for group in groups.values():
        if group.language != DEFAULT_LANGUAGE and group.approved is None:
            group.fallback = groups[(group.purpose, DEFAULT_LANGUAGE)].approved
    return list(groups.values())
