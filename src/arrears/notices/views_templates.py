"""Pages for notice and script templates under legal review (LANG-2): the list, writing a version with a
preview, submitting it, reviewing it, retiring it. Thin: check permission, call a query or one action, render.

Writers (Perm.WRITE_TEMPLATES) and reviewers (Perm.REVIEW_TEMPLATES) see the pages; each sees buttons only for
what they may do, and the actions refuse anything else (403, nothing changed).
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from arrears.accounts.permissions import Perm, has_perm
from arrears.compliance.actions import require
from arrears.compliance.language import check_text
from arrears.compliance.language_actions import ProhibitedLanguage
from arrears.compliance.queries import active_entries
from arrears.home import export
from arrears.notices import exports
from arrears.notices.models import Language, Template, TemplatePurpose, TemplateStatus
from arrears.notices.template_actions import (
    TemplateError,
    do_retire_template,
    do_review_template,
    do_submit_template,
    do_write_template,
    template_error,
)
from arrears.notices.template_queries import latest_version, preview_values, template_groups
from arrears.notices.templating import PLACEHOLDERS, TemplateProblem, check_template, split_notice
from arrears.notices.templating import render as fill_in

_HELP = {
    "letter_notice": gettext_lazy(
        "Put a line consisting only of --- where the tables of overdue amounts and penalty interest go: the text "
        "above it is printed before them, the text below after them. Blank lines separate paragraphs."
    ),
    "call_script": gettext_lazy("One step of the call per paragraph (blank lines between the steps)."),
    "complaint_outcome_sms": gettext_lazy(
        "{finding} is replaced by one of two fixed sentences, in the template's language: the one for a "
        "substantiated complaint or the one for a complaint not substantiated (the preview shows the longer)."
    ),
}
_HELP["complaint_outcome_email"] = _HELP["complaint_outcome_sms"]
_HELP["agency_mandate"] = gettext_lazy(
    "Placing a case with an agency renders the approved Chinese version (the language of the contract with the "
    "agency; AGY-2: collection only, violence, harassment and abusive means forbidden). Blank lines separate "
    "paragraphs."
)
_HELP["litigation_complaint"] = gettext_lazy(
    "The litigation file prints the approved Chinese version (the court's language); the amounts are the finance "
    "core's figures to the filing date the legal officer gives. Blank lines separate paragraphs."
)


class TemplateForm(forms.Form):
    subject = forms.CharField(label=gettext_lazy("Email subject"), required=False, max_length=200)
    body = forms.CharField(
        label=gettext_lazy("Text"), strip=False, widget=forms.Textarea(attrs={"rows": 16, "cols": 90})
    )
    reason = forms.CharField(label=gettext_lazy("Reason (recorded)"), required=False, max_length=500)

    def __init__(self, *args, purpose: str, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        spec = PLACEHOLDERS[purpose]
        if spec.subject == "none":
            del self.fields["subject"]
        placeholders = " ".join("{" + name + "}" for name in spec.allowed)
        required = " ".join("{" + name + "}" for name in spec.required)
        help_text = _("Placeholders: %(allowed)s.") % {"allowed": placeholders}
        if required:
            help_text += " " + _("Required in the text: %(required)s.") % {"required": required}
        help_text += " " + _("Write {{ and }} for braces that should be printed.")
        if purpose in _HELP:
            help_text += " " + str(_HELP[purpose])
        self.fields["body"].help_text = help_text


def _require_either(user) -> None:
    """The pages are for writers and reviewers; anyone else gets 403 (logged by `require`)."""
    if not has_perm(user, Perm.REVIEW_TEMPLATES):
        require(user, Perm.WRITE_TEMPLATES)


def _preview(purpose: str, language: str, subject: str, body: str) -> dict:
    """What a version looks like filled in with sample values, the problem `check_template` finds (if any), and
    the prohibited phrases it contains (checked here only, not recorded)."""
    preview: dict = {"problem": "", "subject": "", "parts": [], "hits": []}
    values = preview_values(purpose, language)
    try:
        check_template(purpose, subject, body, values=values)
    except TemplateProblem as problem:
        preview["problem"] = str(template_error(problem))
    try:
        preview["subject"] = fill_in(subject, values) if subject else ""
        if PLACEHOLDERS[purpose].split:
            above, below = split_notice(body)
            preview["parts"] = [fill_in(above, values), "", fill_in(below, values)]
        else:
            preview["parts"] = [fill_in(body, values)]
    except TemplateProblem:
        preview["parts"] = []
    preview["hits"] = check_text(f"{subject}\n{body}", active_entries())
    return preview


def _allowed(user, template: Template | None) -> dict[str, bool]:
    """Which buttons this user sees on this version."""
    write, review = has_perm(user, Perm.WRITE_TEMPLATES), has_perm(user, Perm.REVIEW_TEMPLATES)
    if template is None:
        return {"edit": write, "submit": False, "review": False, "retire": False}
    status = template.status
    own = template.author_id is not None and template.author_id == user.pk
    return {
        "edit": write and status == TemplateStatus.DRAFT and (template.author_id is None or own),
        "submit": write and status == TemplateStatus.DRAFT,
        "review": review and status == TemplateStatus.IN_REVIEW and not own,
        "retire": review and status == TemplateStatus.APPROVED,
    }


@login_required
def template_list(request: HttpRequest) -> HttpResponse:
    _require_either(request.user)
    if export.wanted(request):
        return exports.templates(request)
    context = {"groups": template_groups(), "can_write": has_perm(request.user, Perm.WRITE_TEMPLATES)}
    return render(request, "notices/template_list.html", context)


def _edit(request: HttpRequest, purpose: str, language: str, template: Template | None) -> HttpResponse:
    """The writing page, for a new version (`template` None) or a draft: preview, or save through the action."""
    if template is None:
        start = latest_version(purpose, language)
        initial = {"subject": start.subject, "body": start.body} if start else {}
    else:
        initial = {"subject": template.subject, "body": template.body}
    form = TemplateForm(request.POST or None, initial=initial, purpose=purpose)
    preview = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        subject = data.get("subject", "")
        if request.POST.get("action") == "preview":
            preview = _preview(purpose, language, subject, data["body"])
        else:
            try:
                saved = do_write_template(
                    purpose,
                    language,
                    subject=subject,
                    body=data["body"],
                    actor=request.user,
                    template=template,
                    reason=data["reason"],
                )
            except TemplateError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("Saved version %(version)s as a draft.") % {"version": saved.version})
                return redirect("notices:template", pk=saved.pk)
    elif template is not None:
        preview = _preview(purpose, language, template.subject, template.body)
    context = {
        "purpose": purpose,
        "language": language,
        "purpose_label": TemplatePurpose(purpose).label,
        "language_label": Language(language).label,
        "template": template,
        "form": form,
        "preview": preview,
        "can": _allowed(request.user, template),
    }
    return render(request, "notices/template_edit.html", context)


@login_required
def template_new(request: HttpRequest, purpose: str, language: str) -> HttpResponse:
    require(request.user, Perm.WRITE_TEMPLATES)
    if purpose not in TemplatePurpose.values or language not in Language.values:
        raise Http404
    return _edit(request, purpose, language, None)


@login_required
def template_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A version: its text filled in with sample values and the buttons for what this user may do; a draft
    its author may edit is shown in the writing form."""
    _require_either(request.user)
    template = get_object_or_404(Template.objects.select_related("author", "reviewer"), pk=pk)
    can = _allowed(request.user, template)
    if can["edit"] or request.method == "POST":
        if request.method == "POST":
            require(request.user, Perm.WRITE_TEMPLATES)
        return _edit(request, template.purpose, template.language, template)
    context = {
        "purpose": template.purpose,
        "language": template.language,
        "purpose_label": TemplatePurpose(template.purpose).label,
        "language_label": Language(template.language).label,
        "template": template,
        "form": None,
        "preview": _preview(template.purpose, template.language, template.subject, template.body),
        "can": can,
    }
    return render(request, "notices/template_edit.html", context)


@login_required
@require_POST
def template_submit(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, Perm.WRITE_TEMPLATES)
    template = get_object_or_404(Template, pk=pk)
    try:
        do_submit_template(template, actor=request.user, reason=request.POST.get("reason", ""))
    except (TemplateError, ProhibitedLanguage) as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            _("Version %(version)s is in legal review; it is used once approved.") % {"version": template.version},
        )
    return redirect("notices:template", pk=pk)


@login_required
@require_POST
def template_review(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, Perm.REVIEW_TEMPLATES)
    template = get_object_or_404(Template, pk=pk)
    decision = request.POST.get("decision")
    if decision not in ("approve", "reject"):
        messages.error(request, _("Choose approve or reject."))
        return redirect("notices:template", pk=pk)
    try:
        reviewed = do_review_template(
            template,
            approve=decision == "approve",
            note=request.POST.get("note", ""),
            actor=request.user,
            reason=request.POST.get("reason", ""),
        )
    except TemplateError as exc:
        messages.error(request, str(exc))
    else:
        if reviewed.status == TemplateStatus.APPROVED:
            messages.success(request, _("Version %(version)s is approved and in use.") % {"version": reviewed.version})
        else:
            messages.success(
                request, _("Version %(version)s is back with its author as a draft.") % {"version": reviewed.version}
            )
    return redirect("notices:template", pk=pk)


@login_required
@require_POST
def template_retire(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, Perm.REVIEW_TEMPLATES)
    template = get_object_or_404(Template, pk=pk)
    try:
        do_retire_template(template, actor=request.user, reason=request.POST.get("reason", ""))
    except TemplateError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            _("Version %(version)s is retired; nothing of this kind is sent until another version is approved.")
            % {"version": template.version},
        )
    return redirect("notices:template", pk=pk)


urlpatterns = [
    path("templates/", template_list, name="templates"),
    path("templates/new/<str:purpose>/<str:language>/", template_new, name="template-new"),
    path("templates/<int:pk>/", template_detail, name="template"),
    path("templates/<int:pk>/submit/", template_submit, name="template-submit"),
    path("templates/<int:pk>/review/", template_review, name="template-review"),
    path("templates/<int:pk>/retire/", template_retire, name="template-retire"),
]
