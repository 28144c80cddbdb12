"""Compliance officers' pages: prohibited language (LANG-1), the list of phrases and the hits it caught; and the
audit ledger's verification (AUTH-4). Thin: check permission, call a query or one action, render."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from arrears.accounts.permissions import Perm
from arrears.compliance import exports, queries
from arrears.compliance.actions import require
from arrears.compliance.language import Entry, check_text, unusable_entries
from arrears.compliance.language_actions import PhraseError, do_save_phrase, problem_message
from arrears.compliance.ledger_actions import do_verify_ledger
from arrears.compliance.models import PhraseCategory, PhraseKind, ProhibitedPhrase
from arrears.home import export


class PhraseForm(forms.Form):
    text = forms.CharField(
        label=gettext_lazy("Phrase"),
        max_length=200,
        help_text=gettext_lazy(
            "Key words: words that must appear in this order, a few words apart at most, separated by spaces "
            "(e.g. “起诉 家人”). Pattern: a regular expression over the text with spaces and punctuation removed. "
            "Traditional characters are converted to simplified."
        ),
    )
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=PhraseKind.choices, initial=PhraseKind.WORDS)
    category = forms.ChoiceField(label=gettext_lazy("Category"), choices=PhraseCategory.choices)
    active = forms.BooleanField(label=gettext_lazy("Active"), required=False, initial=True)
    note = forms.CharField(label=gettext_lazy("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    reason = forms.CharField(label=gettext_lazy("Reason (recorded)"), required=False, max_length=500)


def _save(request: HttpRequest, form: PhraseForm, phrase: ProhibitedPhrase | None) -> bool:
    """Call the action with the form's values; a refusal becomes the form's error."""
    if not form.is_valid():
        return False
    data = form.cleaned_data
    try:
        saved = do_save_phrase(
            phrase,
            text=data["text"],
            kind=data["kind"],
            category=data["category"],
            active=data["active"],
            note=data["note"],
            actor=request.user,
            reason=data["reason"],
        )
    except PhraseError as exc:
        form.add_error(None, str(exc))
        return False
    messages.success(request, _("Saved “%(phrase)s”.") % {"phrase": saved.text})
    return True


@login_required
def phrase_list(request: HttpRequest) -> HttpResponse:
    require(request.user, Perm.MANAGE_PHRASES)
    form = PhraseForm(request.POST or None)
    if request.method == "POST" and _save(request, form, None):
        return redirect("compliance:phrases")
    if request.method != "POST" and export.wanted(request):
        return exports.phrases(request)
    trial = request.GET.get("try", "").strip()
    phrases = list(queries.phrases())
    # An entry stored without passing the save checks (e.g. a pattern that could backtrack) is skipped when
    # text is checked; say so next to it, with what to do (LANG-1).
    unusable = unusable_entries(Entry(p.pk, p.text, p.kind, p.category) for p in phrases)
    for phrase in phrases:
        phrase.problem = problem_message(unusable[phrase.pk]) if phrase.pk in unusable else ""
    context = {
        "form": form,
        "phrases": phrases,
        "trial": trial,
        "trial_hits": check_text(trial, queries.active_entries()) if trial else None,
    }
    return render(request, "compliance/phrase_list.html", context)


@login_required
def phrase_edit(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, Perm.MANAGE_PHRASES)
    phrase = get_object_or_404(ProhibitedPhrase, pk=pk)
    initial = {field: getattr(phrase, field) for field in ("text", "kind", "category", "active", "note")}
    form = PhraseForm(request.POST or None, initial=initial)
    if request.method == "POST" and _save(request, form, phrase):
        return redirect("compliance:phrases")
    return render(request, "compliance/phrase_edit.html", {"form": form, "phrase": phrase})


@login_required
@require_POST
def phrase_set_active(request: HttpRequest, pk: int) -> HttpResponse:
    """Deactivate or reactivate an entry from the list (the list's one-click button)."""
    require(request.user, Perm.MANAGE_PHRASES)
    phrase = get_object_or_404(ProhibitedPhrase, pk=pk)
    try:
        do_save_phrase(
            phrase,
            text=phrase.text,
            kind=phrase.kind,
            category=phrase.category,
            active=request.POST.get("active") == "1",
            note=phrase.note,
            actor=request.user,
        )
    except PhraseError as exc:
        messages.error(request, str(exc))
    return redirect("compliance:phrases")


@login_required
def language_hits(request: HttpRequest) -> HttpResponse:
    require(request.user, Perm.MANAGE_PHRASES)
    username = request.GET.get("user", "").strip()
    if export.wanted(request):
        return exports.language_hits(request, username)
    page = queries.page_of(queries.language_hits(username), request.GET.get("page"))
    return render(request, "compliance/language_hits.html", {"page": page, "username": username})


@login_required
def ledger_verify(request: HttpRequest) -> HttpResponse:
    """The same check as `arrears audit verify`, run on a POST (it reads every event) and recorded."""
    require(request.user, Perm.VERIFY_AUDIT)
    check = do_verify_ledger(actor=request.user) if request.method == "POST" else None
    context = {"check": check, "recent": queries.ledger_checks()}
    return render(request, "compliance/ledger_verify.html", context)
