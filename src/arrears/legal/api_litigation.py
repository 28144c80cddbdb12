"""The late stage's API endpoints (see arrears.api.site for the conventions)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Router
from ninja.errors import HttpError

from arrears.accounts.permissions import Perm
from arrears.api.errors import REFUSALS
from arrears.api.schemas import Id
from arrears.collection.queries import visible_cases
from arrears.compliance.actions import require
from arrears.legal.litigation_file import do_open_litigation_file, latest_file
from arrears.legal.models import Litigation

router = Router(tags=["late stage"])


# -- the litigation file (LIT-1) ------------------------------------------------------------------------------


_PDF = {
    "200": {
        "description": "the newest version of the litigation file, one PDF with its index, exactly as built",
        "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
    }
}


@router.get("/cases/{case_id}/litigation/file", response=REFUSALS, openapi_extra={"responses": _PDF})
def litigation_file_pdf(request: HttpRequest, case_id: Id):
    """The newest version of the case's litigation file as its PDF (Clause: LIT-1, PRV-1), to supervisors and
    legal officers once litigation is decided on the case. It carries the borrower's full name, ID number and
    address (it is for the court), so each call is an audited read. 404 when the case is outside the caller's
    reach, litigation was not decided on it or no file was built yet; 403 for a role that may see the case but
    not the litigation file."""
    case = visible_cases(request.user).filter(pk=case_id).first()
    if case is None:
        raise HttpError(404, _("No such case, or not one of yours"))
    require(request.user, Perm.VIEW_LITIGATION)
    litigation = Litigation.objects.filter(case=case).order_by("-opened_on", "-pk").first()
    if litigation is None:
        raise HttpError(404, _("Litigation has not been decided on this case."))
    built = latest_file(litigation)
    if built is None:
        raise HttpError(
            404, _("No litigation file has been built for this case yet; a legal officer builds it on its page.")
        )
    response = HttpResponse(
        do_open_litigation_file(built, kind="pdf", actor=request.user), content_type="application/pdf"
    )
    response["Content-Disposition"] = f'attachment; filename="litigation-file-{litigation.pk:06d}-v{built.version}.pdf"'
    response["Cache-Control"] = "private, no-store"  # full name, ID number and address
    return response
