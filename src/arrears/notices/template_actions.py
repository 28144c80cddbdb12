"""Notice and script templates under legal review (LANG-2), the actions: write, submit, review, retire.

A version's life: draft → in review → approved → retired, or back from review to draft when rejected.

- `do_write_template` — a writer (Perm.WRITE_TEMPLATES) creates the next version of a purpose in a language
  as a draft, or edits a draft in place. Placeholders are checked here (`templating.check_template`): an
  invalid text is refused and nothing is written. Only the author edits their draft (a draft without an
  author, e.g. a seeded text sent back by review, becomes the editor's), so whoever approves a version never
  wrote any of it.
- `do_submit_template` — draft → in review, after the prohibited-language screen (LANG-1): a hit is recorded
  (in its own transaction, before this action's) and the version stays a draft.
- `do_review_template` — a legal reviewer (Perm.REVIEW_TEMPLATES) approves or rejects (with a note) a version
  in review; never their own (refused here, and by a database constraint). Approving retires the previously
  approved version of the same purpose and language in the same transaction, under row locks, so two
  reviewers approving at once cannot leave two approved versions.
- `do_retire_template` — a reviewer withdraws an approved version; then nothing of that purpose and language
  is approved, and what would use it waits (or falls back to Chinese, `template_queries.template_for`).

Each writes one audit event (clause LANG-2) with the fields changed, before → after.
"""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext

from arrears.accounts.permissions import Perm
from arrears.compliance.actions import audited, require
from arrears.compliance.codes import ActionCode
from arrears.compliance.language_actions import ensure_clean
from arrears.compliance.models import HitPlace
from arrears.notices.models import Language, Template, TemplatePurpose, TemplateStatus
from arrears.notices.template_queries import approved_template, preview_values, template_for
from arrears.notices.templating import TemplateProblem, check_template

__all__ = [
    "TemplateError",
    "approved_template",
    "do_retire_template",
    "do_review_template",
    "do_submit_template",
    "do_write_template",
    "template_error",
    "template_for",
]

CLAUSE = "LANG-2"


class TemplateError(ValueError):
    """A refused template action; the message says what was wrong and what to do. `problem` is the
    `TemplateProblem` behind it when the text itself was invalid."""

    def __init__(self, message: str, *, problem: TemplateProblem | None = None) -> None:
        super().__init__(message)
        self.problem = problem


def template_error(problem: TemplateProblem) -> TemplateError:
    """`problem` as a `TemplateError`, its message translated into the active language."""
    params = dict(problem.params)
    if params.get("field") in ("text", "subject"):
        params["field"] = gettext("text") if params["field"] == "text" else gettext("subject")
    if params.get("purpose") in TemplatePurpose.values:
        params["purpose"] = str(TemplatePurpose(params["purpose"]).label)
    return TemplateError(gettext(problem.message) % params, problem=problem)


def _status_label(status: str) -> str:
    return str(TemplateStatus(status).label)


def _validated(purpose: str, language: str, subject: str, body: str) -> tuple[str, str]:
    """The subject and text as stored (trimmed, Unix line ends), or `TemplateError`."""
    if purpose not in TemplatePurpose.values:
        raise TemplateError(
            gettext("Unknown purpose %(purpose)s; choose one of the listed purposes.") % {"purpose": purpose}
        )
    if language not in Language.values:
        raise TemplateError(
            gettext("Unknown language %(language)s; choose one of the listed languages.") % {"language": language}
        )
    subject = (subject or "").strip()
    body = (body or "").replace("\r\n", "\n").replace("\r", "\n").strip()
    try:
        check_template(purpose, subject, body, values=preview_values(purpose, language))
    except TemplateProblem as problem:
        raise template_error(problem) from None
    return subject, body


def _locked(template: Template) -> Template:
    return Template.objects.select_for_update().get(pk=template.pk)


def _refuse_unless(template: Template, status: str, message: str) -> None:
    if template.status != status:
        raise TemplateError(message % {"version": template.version, "status": _status_label(template.status)})


def do_write_template(
    purpose: str,
    language: str,
    *,
    subject: str,
    body: str,
    actor: Any,
    template: Template | None = None,
    reason: str = "",
) -> Template:
    """Create the next version of `purpose` in `language` as a draft, or (with `template`) change that draft
    (Clause: LANG-2). Needs Perm.WRITE_TEMPLATES. Refused with `TemplateError`, nothing written, when the text
    is not a valid template for the purpose (REM-2's required placeholders included), the version is not a
    draft, it is someone else's draft, or nothing changed."""
    require(actor, Perm.WRITE_TEMPLATES)
    if template is not None and (template.purpose, template.language) != (purpose, language):
        raise TemplateError(
            gettext("A draft keeps its purpose and language; write a new version for another purpose or language.")
        )
    subject, body = _validated(purpose, language, subject, body)
    with audited(
        actor,
        ActionCode.WRITE_TEMPLATE,
        permission=Perm.WRITE_TEMPLATES,
        subject=template,
        reason=reason,
        clause=CLAUSE,
    ) as record:
        now = timezone.now()
        if template is None:
            return _create_version(purpose, language, subject, body, actor, now, record)
        draft = _locked(template)
        _refuse_unless(
            draft,
            TemplateStatus.DRAFT,
            gettext("Version %(version)s is %(status)s: only drafts can be edited; write a new version."),
        )
        if draft.author_id is not None and draft.author_id != actor.pk:
            raise TemplateError(
                gettext(
                    "Version %(version)s is a draft of %(author)s; only its author edits it. Write a new version "
                    "instead."
                )
                % {"version": draft.version, "author": draft.author.get_username()}
            )
        changed = [name for name, value in (("subject", subject), ("body", body)) if getattr(draft, name) != value]
        if not changed and draft.author_id is not None:
            raise TemplateError(gettext("Nothing to save: the draft is as it was."))
        for name, value in (("subject", subject), ("body", body)):
            if name in changed:
                record.change(name, getattr(draft, name), value)
                setattr(draft, name, value)
        if draft.author_id is None:
            record.change("author", None, actor.get_username())
            draft.author = actor
        # A changed draft is a new text: an earlier review's reviewer no longer applies (the note stays, so
        # the author still sees what to correct, until it is submitted again).
        draft.reviewer, draft.reviewed_at = None, None
        draft.save(update_fields=[*changed, "author", "reviewer", "reviewed_at"])
        return draft


def _create_version(purpose, language, subject, body, actor, now, record) -> Template:
    # Lock the purpose's versions so two writers saving at once number theirs one after the other; where
    # there is nothing to lock yet, the unique (purpose, language, version) constraint decides.
    list(Template.objects.select_for_update().filter(purpose=purpose, language=language).values_list("pk"))
    latest = Template.objects.filter(purpose=purpose, language=language).aggregate(n=Max("version"))["n"] or 0
    try:
        with transaction.atomic():
            created = Template.objects.create(
                purpose=purpose,
                language=language,
                version=latest + 1,
                status=TemplateStatus.DRAFT,
                subject=subject,
                body=body,
                author=actor,
                created_at=now,
            )
    except IntegrityError:
        raise TemplateError(
            gettext("Someone saved another version of this template at the same moment; save again.")
        ) from None
    record.set_subject(created)
    for name in ("purpose", "language", "version", "status", "subject", "body"):
        record.change(name, None, getattr(created, name))
    return created


def do_submit_template(template: Template, *, actor: Any, reason: str = "") -> Template:
    """Send a draft to legal review (Clause: LANG-2). Needs Perm.WRITE_TEMPLATES. The subject and text are
    screened for prohibited language first (Clause: LANG-1): a hit is recorded against the actor and
    `ProhibitedLanguage` is raised, the version stays a draft. Refused with `TemplateError` when it is not a
    draft or its text is no longer a valid template."""
    require(actor, Perm.WRITE_TEMPLATES)
    template.refresh_from_db()
    not_draft = gettext("Version %(version)s is %(status)s; only a draft can be submitted for review.")
    _refuse_unless(template, TemplateStatus.DRAFT, not_draft)
    _validated(template.purpose, template.language, template.subject, template.body)
    # Outside the action's transaction: the hit commits on its own before the refusal (see screen_text).
    ensure_clean(f"{template.subject}\n{template.body}".strip(), actor=actor, where=HitPlace.TEMPLATE, subject=template)
    with audited(
        actor,
        ActionCode.SUBMIT_TEMPLATE,
        permission=Perm.WRITE_TEMPLATES,
        subject=template,
        reason=reason,
        clause=CLAUSE,
    ) as record:
        draft = _locked(template)
        _refuse_unless(draft, TemplateStatus.DRAFT, not_draft)
        now = timezone.now()
        record.change("status", draft.status, TemplateStatus.IN_REVIEW)
        record.change("submitted_at", draft.submitted_at, now)
        if draft.review_note:
            record.change("review_note", draft.review_note, "")
        draft.status, draft.submitted_at, draft.review_note = TemplateStatus.IN_REVIEW, now, ""
        draft.reviewer, draft.reviewed_at = None, None
        draft.save(update_fields=["status", "submitted_at", "review_note", "reviewer", "reviewed_at"])
        return draft


def _refuse_own(template: Template, actor: Any) -> None:
    if template.author_id is not None and template.author_id == actor.pk:
        raise TemplateError(
            gettext(
                "You wrote version %(version)s, so you cannot review it (LANG-2: the author never approves their "
                "own text). Another legal reviewer must approve or reject it."
            )
            % {"version": template.version}
        )


def do_review_template(template: Template, *, approve: bool, note: str = "", actor: Any, reason: str = "") -> Template:
    """Approve or reject a version in legal review (Clause: LANG-2). Needs Perm.REVIEW_TEMPLATES.

    Refused with `TemplateError`, nothing changed, when the version is not in review, the actor wrote it, or a
    rejection has no note. Reject: back to draft, with the note for the author. Approve: the reviewer and the
    time are recorded and the previously approved version of the same purpose and language is retired, in
    one transaction under row locks (a second reviewer at the same moment finds it no longer in review)."""
    require(actor, Perm.REVIEW_TEMPLATES)
    note = (note or "").strip()
    max_note = Template._meta.get_field("review_note").max_length
    if not approve and not note:
        raise TemplateError(gettext("Say why the version is rejected: the author reads the note to correct the draft."))
    if len(note) > max_note:
        raise TemplateError(
            gettext("The note is %(n)s characters long; keep it to %(max)s.") % {"n": len(note), "max": max_note}
        )
    _refuse_own(template, actor)
    with audited(
        actor,
        ActionCode.REVIEW_TEMPLATE,
        permission=Perm.REVIEW_TEMPLATES,
        subject=template,
        reason=reason or note,  # the reviewer's note says why, when no separate reason is given (AUTH-4)
        clause=CLAUSE,
    ) as record:
        # Every version of this purpose and language, locked in one order (no deadlock between reviewers).
        versions = {
            t.pk: t
            for t in Template.objects.select_for_update()
            .filter(purpose=template.purpose, language=template.language)
            .order_by("pk")
        }
        target = versions[template.pk]
        _refuse_unless(
            target,
            TemplateStatus.IN_REVIEW,
            gettext("Version %(version)s is %(status)s, no longer in review; reload the page."),
        )
        _refuse_own(target, actor)
        now = timezone.now()
        if approve:
            for previous in versions.values():
                if previous.status == TemplateStatus.APPROVED:
                    Template.objects.filter(pk=previous.pk).update(status=TemplateStatus.RETIRED, retired_at=now)
                    record.change("retired_version", None, previous.version)
            new_status = TemplateStatus.APPROVED
        else:
            new_status = TemplateStatus.DRAFT
        record.change("status", target.status, new_status)
        record.change("reviewer", None, actor.get_username())
        record.change("reviewed_at", None, now)
        record.change("review_note", target.review_note, note)
        target.status, target.reviewer, target.reviewed_at, target.review_note = new_status, actor, now, note
        target.save(update_fields=["status", "reviewer", "reviewed_at", "review_note"])
        return target


def do_retire_template(template: Template, *, actor: Any, reason: str) -> Template:
    """Withdraw an approved version (Clause: LANG-2). Needs Perm.REVIEW_TEMPLATES and a reason. Afterwards no
    version of that purpose and language is approved: what would use it waits for a new approval (or, for a
    language other than Chinese, uses the approved Chinese version)."""
    require(actor, Perm.REVIEW_TEMPLATES)
    reason = (reason or "").strip()
    if not reason:
        raise TemplateError(
            gettext("Say why the version is retired: notices of this kind stop until another version is approved.")
        )
    with audited(
        actor,
        ActionCode.RETIRE_TEMPLATE,
        permission=Perm.REVIEW_TEMPLATES,
        subject=template,
        reason=reason,
        clause=CLAUSE,
    ) as record:
        current = _locked(template)
        _refuse_unless(
            current,
            TemplateStatus.APPROVED,
            gettext("Version %(version)s is %(status)s; only the approved version can be retired."),
        )
        now = timezone.now()
        record.change("status", current.status, TemplateStatus.RETIRED)
        record.change("retired_at", None, now)
        current.status, current.retired_at = TemplateStatus.RETIRED, now
        current.save(update_fields=["status", "retired_at"])
        return current
