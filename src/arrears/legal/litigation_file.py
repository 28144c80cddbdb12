"""The litigation file (Clause: LIT-1): building a version, and opening one.

How this works
--------------
`do_build_litigation_file(litigation, as_of=…, actor=…)` is the action a legal officer takes
(`legal.keep_litigation`): it gathers what the system holds as of the filing date `as_of` (`file_content`), renders
the file as one PDF with an index and the ZIP of its parts with the SHA-256 manifest (`file_pdf`, `file_csv`), and
stores it as the litigation's next `LitigationFile` version with its audit event, in one transaction. A version is
kept as built: nothing changes it afterwards; building again makes the next version. The rendering is done before
the transaction (it takes seconds and needs no lock); the version number is checked again under the litigation's
row lock, so two officers building at once cannot both write the same version (the second is told to build again).

Refused with `LegalError`, nothing written: the litigation is closed; the filing date is before the litigation was
decided; no `litigation_complaint` template is approved (LANG-2: a legal reviewer approves one first); none of the
borrower's loans is past due on the filing date (nothing to claim); the working-day calendar does not cover the
dates (where the policy rolls due dates).

`do_open_litigation_file(file, kind=…, actor=…)` hands out the PDF or the ZIP as built. The file carries the
borrower's full name, national ID number and address (it goes to the court), so only the roles holding
`legal.view_litigation` — supervisors and legal officers — may open it, and every opening is an audited read
(PRV-1), like a letter's or a print batch's PDF.
"""

from __future__ import annotations

from datetime import date, datetime

from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from arrears.accounts.permissions import Perm
from arrears.compliance.actions import audited, require
from arrears.compliance.codes import ActionCode
from arrears.finance import to_fen
from arrears.legal.errors import LegalError
from arrears.legal.file_content import FileContent, file_content
from arrears.legal.file_csv import record_csv, statement_csv
from arrears.legal.file_pdf import render_file, sha256, zip_file
from arrears.legal.models import Litigation, LitigationFile, Stage
from arrears.notices.models import Language, Template, TemplatePurpose
from arrears.notices.template_queries import approved_template
from arrears.rules.queries import policy_on
from arrears.workdays import UnknownYearError

__all__ = ["FILE_KINDS", "do_build_litigation_file", "do_open_litigation_file", "latest_file", "next_version"]

FILE_KINDS = ("pdf", "zip")


def next_version(litigation: Litigation) -> int:
    return (litigation.files.aggregate(last=Max("version"))["last"] or 0) + 1


def latest_file(litigation: Litigation | None) -> LitigationFile | None:
    """The litigation's newest version, or None when none was built."""
    if litigation is None:
        return None
    return LitigationFile.objects.filter(litigation=litigation).defer("pdf", "zip").order_by("-version").first()


def _complaint_template() -> Template:
    """The approved Chinese statement of claim (LANG-2; Chinese: the court's language), else LegalError."""
    template = approved_template(TemplatePurpose.LITIGATION_COMPLAINT, Language.ZH_HANS)
    if template is None:
        raise LegalError(
            _(
                "No approved statement of claim (LANG-2): a legal reviewer must approve the Chinese “statement of "
                "claim (起诉状)” template at Notices › Templates before a litigation file can be built."
            )
        )
    return template


def _refuse_closed(litigation: Litigation) -> None:
    if litigation.stage == Stage.CLOSED:
        raise LegalError(
            _("Litigation %(id)s is closed; no new version of its file is built. Its earlier versions stay as built.")
            % {"id": litigation.pk}
        )


def _content(litigation: Litigation, as_of: date, template: Template, version: int, actor) -> FileContent:
    try:
        content = file_content(litigation, as_of, policy_on(as_of), template, version=version, built_by=actor)
    except UnknownYearError as exc:
        raise LegalError(
            _(
                "The working-day calendar does not cover the dates this file needs (%(error)s); an administrator "
                "adds the year in the admin."
            )
            % {"error": exc}
        ) from exc
    if not content.loans:
        raise LegalError(
            _("None of the borrower's loans is overdue on %(day)s; there is no debt to claim as of that date.")
            % {"day": as_of.isoformat()}
        )
    return content


def do_build_litigation_file(
    litigation: Litigation, *, as_of: date, actor, at: datetime | None = None
) -> LitigationFile:
    """Build the next version of the litigation file as of the filing date `as_of` (Clause: LIT-1, LANG-2, AUTH-4).

    Needs Perm.KEEP_LITIGATION (legal officers; a supervisor decides litigation but does not keep its file). See
    the module docstring for what is built and what is refused. The audit event names the version, the filing
    date, the template version, the amounts claimed (fen), the contracts, and the SHA-256 of the PDF, of the ZIP
    and of each part."""
    require(actor, Perm.KEEP_LITIGATION)
    at = at or timezone.now()
    litigation = Litigation.objects.select_related("borrower").get(pk=litigation.pk)
    _refuse_closed(litigation)
    if as_of < litigation.opened_on:
        raise LegalError(
            _(
                "The filing date %(day)s is before litigation was decided (%(decided)s); give the date the claim is "
                "filed on, on or after the decision."
            )
            % {"day": as_of.isoformat(), "decided": litigation.opened_on.isoformat()}
        )
    template = _complaint_template()
    version = next_version(litigation)
    content = _content(litigation, as_of, template, version, actor)
    rendered = render_file(content)
    members = sorted(
        [
            *rendered.parts,
            ("03-statement-of-account.csv", statement_csv(content)),
            ("04-collection-record.csv", record_csv(content)),
        ]
    )
    archive, manifest = zip_file(members, at)
    with audited(
        actor, ActionCode.BUILD_LITIGATION_FILE, permission=Perm.KEEP_LITIGATION, subject=litigation, clause="LIT-1"
    ) as record:
        locked = Litigation.objects.select_for_update().get(pk=litigation.pk)
        _refuse_closed(locked)
        if next_version(locked) != version:
            raise LegalError(
                _(
                    "Version %(version)s of this litigation file was built by someone else meanwhile; open it, or "
                    "build again to make the next version."
                )
                % {"version": version}
            )
        built = LitigationFile.objects.create(
            litigation=locked,
            version=version,
            as_of=as_of,
            built_by=actor,
            built_at=at,
            template=template,
            pdf=rendered.pdf,
            pdf_sha256=sha256(rendered.pdf),
            zip=archive,
            zip_sha256=sha256(archive),
            manifest=manifest,
        )
        record.set_subject(built)
        claims = content.claims
        for field, value in {
            "litigation": locked.pk,
            "case": locked.case_id,
            "version": version,
            "as_of": as_of.isoformat(),
            "template": content.template,
            "contracts": [loan.contract for loan in content.loans],
            "claims_fen": {
                "principal": to_fen(claims.principal),
                "interest": to_fen(claims.interest),
                "penalty": to_fen(claims.penalty),
                "compound": to_fen(claims.compound),
                "total": to_fen(claims.total),
            },
            "pages": rendered.pages,
            "pdf_sha256": built.pdf_sha256,
            "zip_sha256": built.zip_sha256,
            "parts": {name: sha256(data) for name, data in members},
        }.items():
            record.change(field, None, value)
    return built


def do_open_litigation_file(file: LitigationFile, *, kind: str, actor) -> bytes:
    """The PDF (`kind` "pdf") or the ZIP ("zip") of a version exactly as built, as an audited read (Clause: PRV-1,
    LIT-1): it carries the borrower's full name, ID number and address, so only `legal.view_litigation` opens it
    (supervisors and legal officers; ActionDenied otherwise, nothing written)."""
    if kind not in FILE_KINDS:
        raise LegalError(_("A litigation file is opened as its PDF or its ZIP."))
    with audited(
        actor, ActionCode.VIEW_LITIGATION_FILE, permission=Perm.VIEW_LITIGATION, subject=file, clause="PRV-1"
    ) as record:
        record.change("download", None, kind)
        record.change("version", None, file.version)
        record.change("sha256", None, file.pdf_sha256 if kind == "pdf" else file.zip_sha256)
    return bytes(file.pdf if kind == "pdf" else file.zip)
