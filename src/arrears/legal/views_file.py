"""The litigation file's pages (Clause: LIT-1): its versions with their SHA-256, the form that builds the next one
as of a filing date, and the downloads. Thin: each view checks the permission, reads a form, calls one action.

Who: supervisors and legal officers see the file (`legal.view_litigation`); only legal officers build it
(`legal.keep_litigation`). The file carries the borrower's full name, ID number and address, so every download
is an audited read (`do_open_litigation_file`, PRV-1) and is never cached; the page itself shows none of them.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from arrears.accounts.permissions import Perm, has_perm
from arrears.collection.queries import visible_cases
from arrears.compliance.actions import require
from arrears.home import inputs
from arrears.legal.errors import LegalError
from arrears.legal.litigation_file import FILE_KINDS, do_build_litigation_file, do_open_litigation_file
from arrears.legal.models import Litigation, LitigationFile, Stage

CONTENT_TYPES = {"pdf": "application/pdf", "zip": "application/zip"}


class BuildForm(forms.Form):
    as_of = inputs.DateField(
        label=gettext_lazy("Filing date"),
        help_text=gettext_lazy("The claims are figured to this date (default today, Beijing time)."),
        widget=forms.DateInput(attrs={"type": "date"}),
    )


def _litigation(request: HttpRequest, litigation_id: int) -> Litigation:
    """The litigation of a case the user may open, else 404."""
    return get_object_or_404(
        Litigation.objects.select_related("case", "borrower").filter(case__in=visible_cases(request.user)),
        pk=litigation_id,
    )


@login_required
@require_GET
def litigation_file(request: HttpRequest, litigation_id: int) -> HttpResponse:
    """The file's versions, newest first, and the form for the next one."""
    require(request.user, Perm.VIEW_LITIGATION)
    litigation = _litigation(request, litigation_id)
    files = (
        LitigationFile.objects.filter(litigation=litigation)
        .defer("pdf", "zip", "manifest")
        .select_related("built_by", "template")
        .order_by("-version")
    )
    context = {
        "litigation": litigation,
        "files": files,
        "form": BuildForm(initial={"as_of": timezone.localdate().isoformat()}),
        "can_build": has_perm(request.user, Perm.KEEP_LITIGATION) and litigation.stage != Stage.CLOSED,
    }
    return render(request, "legal/file_page.html", context)


@login_required
@require_POST
def build_file(request: HttpRequest, litigation_id: int) -> HttpResponse:
    """Build the next version as of the filing date given (Clause: LIT-1)."""
    require(request.user, Perm.KEEP_LITIGATION)
    litigation = _litigation(request, litigation_id)
    form = BuildForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the filing date as a date, e.g. 2026-10-20 (digits 0–9 only)."))
        return redirect("legal:file", litigation.pk)
    try:
        built = do_build_litigation_file(litigation, as_of=form.cleaned_data["as_of"], actor=request.user)
    except LegalError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            _("Version %(version)s of the litigation file is built, as of %(day)s.")
            % {"version": built.version, "day": built.as_of.isoformat()},
        )
    return redirect("legal:file", litigation.pk)


@login_required
@require_GET
def file_download(request: HttpRequest, litigation_id: int, version: int, kind: str) -> HttpResponse:
    """A version's PDF or ZIP exactly as built, as an attachment; an audited read (Clause: PRV-1, LIT-1)."""
    require(request.user, Perm.VIEW_LITIGATION)  # before the lookup and the event: a refused user leaves no trace
    if kind not in FILE_KINDS:
        raise Http404("a litigation file is downloaded as .pdf or .zip")
    litigation = _litigation(request, litigation_id)
    built = get_object_or_404(LitigationFile, litigation=litigation, version=version)
    data = do_open_litigation_file(built, kind=kind, actor=request.user)
    response = HttpResponse(data, content_type=CONTENT_TYPES[kind])
    name = f"litigation-file-{litigation.pk:06d}-v{built.version}.{kind}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "private, no-store"  # full name, ID number and address
    return response
