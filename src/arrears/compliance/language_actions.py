"""Prohibited language (LANG-1), the actions: keeping the list, and screening text before it is saved.

- `do_save_phrase` — a compliance officer adds, edits, deactivates or reactivates an entry; refused when the
  entry is empty, its pattern does not compile (or matches everything), or it repeats another entry. Audited
  with every changed field before → after.
- `screen_text` — checks a text a user is about to save against the active entries. On a hit it records one
  `LanguageHit` per entry found and one audit event, in a transaction of its own that commits *before* the
  caller refuses to save: the attempt stays on record although the text never is. Call it before opening the
  transaction that saves the text; inside another transaction it raises (a durable block cannot be nested),
  because a rollback of the caller's transaction would silently erase the record.
- `ensure_clean` — `screen_text`, then `ProhibitedLanguage` (naming the phrases) when anything was found:

      ensure_clean(form.cleaned_data["notes"], actor=request.user, where=HitPlace.CALL_NOTE, subject=case)
      do_record_call(...)  # only reached when the notes are clean

The matching itself is `arrears.compliance.language.check_text` (pure).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from arrears.accounts.permissions import Perm
from arrears.compliance.actions import Subject, _subject_key, audited, require
from arrears.compliance.codes import ActionCode
from arrears.compliance.language import Hit, InvalidEntry, Kind, check_text, compile_entry
from arrears.compliance.models import HitPlace, LanguageHit, PhraseCategory, PhraseKind, ProhibitedPhrase
from arrears.compliance.pattern_safety import MAX_PATTERN
from arrears.compliance.queries import active_entries

__all__ = [
    "WHERE_PERMISSION",
    "PhraseError",
    "ProhibitedLanguage",
    "do_save_phrase",
    "ensure_clean",
    "problem_message",
    "screen_text",
]

# The permission a user exercises when writing text in each place: the basis recorded with a hit (AUTH-4).
WHERE_PERMISSION: dict[str, Perm] = {
    HitPlace.CALL_NOTE: Perm.CALL,
    HitPlace.LETTER_ADDITION: Perm.SEND_LETTER,
    HitPlace.TEMPLATE: Perm.WRITE_TEMPLATES,
    HitPlace.ARRANGEMENT: Perm.VIEW_PORTFOLIO,  # proposers and approvers alike see the case
    HitPlace.OTHER: Perm.SIGN_IN,
}

_FIELDS = ("text", "kind", "category", "active", "note")


class PhraseError(ValueError):
    """A refused entry; the message says what was wrong and what to do."""


class ProhibitedLanguage(ValueError):
    """Raised by a caller that refuses to save text with prohibited language (LANG-1). `hits` are what
    `screen_text` found; the message quotes each passage and names its entry."""

    def __init__(self, hits: Iterable[Hit]) -> None:
        self.hits = list(hits)
        found = gettext("; ").join(
            gettext("“%(excerpt)s” (prohibited phrase “%(phrase)s”, %(category)s)")
            % {"excerpt": hit.excerpt, "phrase": hit.phrase, "category": _category_label(hit.category)}
            for hit in self.hits
        )
        super().__init__(
            gettext(
                "This text contains language the collection policy forbids (LANG-1): %(found)s. Reword it "
                "without threats, insults or claims about police or courts, then save again. The attempt has "
                "been recorded for compliance review."
            )
            % {"found": found}
        )

    @property
    def phrases(self) -> list[str]:
        return [hit.phrase for hit in self.hits]


def _category_label(category: str) -> str:
    try:
        return str(PhraseCategory(category).label)
    except ValueError:
        return category


def _entry_error(problem: InvalidEntry, kind: str) -> PhraseError:
    if problem.problem == "empty":
        return PhraseError(
            gettext(
                "The entry is empty once spaces and punctuation are removed. Enter the key words, e.g. “起诉 家人”."
            )
        )
    if problem.problem == "whitespace":
        return PhraseError(
            gettext(
                "The pattern contains spaces, but text is checked with spaces and punctuation removed, so it "
                "could never match. Remove the spaces (use key words for words that may be apart)."
            )
        )
    if problem.problem == "regex":
        return PhraseError(
            gettext(
                "The pattern is not a valid regular expression (%(detail)s). Correct it, or choose “key words” "
                "and separate the words with spaces."
            )
            % {"detail": problem.detail}
        )
    if problem.problem in _UNSAFE:
        return PhraseError(_UNSAFE[problem.problem]())
    if problem.problem == "matches_empty":
        return PhraseError(
            gettext(
                "The pattern matches empty text, so it would block every text. Make it require at least one "
                "character (e.g. “+” instead of “*”)."
            )
        )
    return PhraseError(gettext("Unknown kind %(kind)s: choose key words or pattern.") % {"kind": kind})


# LANG-1: patterns that could backtrack for a long time are refused (see arrears.compliance.pattern_safety).
_UNSAFE = {
    "too_long": lambda: (
        gettext("The pattern is longer than %(max)d characters. Shorten it, or split it into several entries.")
        % {"max": MAX_PATTERN}
    ),
    "backreference": lambda: gettext(
        "The pattern refers back to a group (\\1, (?P=name) or (?(1)…)); such patterns can take very long to "
        "check, so they are not accepted. Write the repeated words out instead."
    ),
    "lookaround": lambda: gettext(
        "The pattern uses a lookahead or lookbehind ((?=…), (?!…), (?<=…), (?<!…)); such patterns are not "
        "accepted. Write the words that must appear, or use key words."
    ),
    "repeated_group": lambda: gettext(
        "The pattern repeats a group with *, + or {…} (e.g. (a+)+ or (ab)*); checking such a pattern can take "
        "minutes on a long text, so it is not accepted. Repeat single characters or classes only (e.g. "
        "“.{0,10}” or “[你您]”), make a group optional with “?”, or use key words."
    ),
    "too_costly": lambda: gettext(
        "The pattern has too many open-ended repetitions (e.g. “.*” twice); checking it could take too long. "
        "Use bounded repetitions such as “.{0,10}”, or key words."
    ),
    "unsupported": lambda: gettext(
        "The pattern uses a construct that is not accepted here. Use characters, classes […], alternatives "
        "(a|b), optional parts “?” and repetitions of single characters."
    ),
}


def problem_message(problem: str) -> str:
    """The message for an entry refused for `problem` (an `InvalidEntry.problem`), as a saving officer sees it."""
    return str(_entry_error(InvalidEntry(problem), ""))


def _cleaned(text: str, kind: str, category: str, note: str) -> tuple[str, str]:
    """The entry as it will be stored (words: single spaces between key words), or `PhraseError`."""
    if kind not in PhraseKind.values:
        raise PhraseError(gettext("Unknown kind %(kind)s: choose key words or pattern.") % {"kind": kind})
    if category not in PhraseCategory.values:
        raise PhraseError(
            gettext("Unknown category %(category)s: choose one of the listed categories.") % {"category": category}
        )
    text = " ".join((text or "").split()) if kind == Kind.WORDS else (text or "").strip()
    max_length = ProhibitedPhrase._meta.get_field("text").max_length
    if len(text) > max_length:
        raise PhraseError(
            gettext("The entry is %(n)d characters long; keep it to %(max)d.") % {"n": len(text), "max": max_length}
        )
    try:
        compile_entry(text, kind)
    except InvalidEntry as problem:
        raise _entry_error(problem, kind) from None
    return text, (note or "").strip()


def _refuse_duplicate(text: str, kind: str, exclude: int | None) -> None:
    """Refuse an entry that matches exactly what another one does (e.g. the same words in traditional script)."""
    wanted = compile_entry(text, kind)
    for other in ProhibitedPhrase.objects.filter(kind=kind).exclude(pk=exclude).only("id", "text", "kind"):
        try:
            same = compile_entry(other.text, other.kind) == wanted
        except InvalidEntry:
            continue
        if same:
            raise PhraseError(
                gettext(
                    "This entry repeats “%(other)s” (no. %(id)s). Edit that entry instead (reactivate it if it is "
                    "inactive)."
                )
                % {"other": other.text, "id": other.pk}
            )


def do_save_phrase(
    phrase: ProhibitedPhrase | None,
    *,
    text: str,
    kind: str,
    category: str,
    active: bool = True,
    note: str = "",
    actor: Any,
    reason: str = "",
) -> ProhibitedPhrase:
    """Add an entry (`phrase` None) or change one, including deactivating (`active=False`) and reactivating it
    (Clause: LANG-1). Audited with each changed field before → after; a change that changes nothing is refused."""
    require(actor, Perm.MANAGE_PHRASES)
    text, note = _cleaned(text, kind, category, note)
    _refuse_duplicate(text, kind, exclude=None if phrase is None else phrase.pk)
    wanted = {"text": text, "kind": kind, "category": category, "active": bool(active), "note": note}
    with audited(
        actor,
        ActionCode.SAVE_PHRASE,
        permission=Perm.MANAGE_PHRASES,
        subject=phrase,
        reason=reason,
        clause="LANG-1",
    ) as record:
        now = timezone.now()
        if phrase is None:
            saved = ProhibitedPhrase.objects.create(**wanted, updated_at=now, updated_by=actor)
            record.set_subject(saved)
            for field in _FIELDS:
                record.change(field, None, wanted[field])
            return saved
        saved = ProhibitedPhrase.objects.select_for_update().get(pk=phrase.pk)
        changed = [field for field in _FIELDS if getattr(saved, field) != wanted[field]]
        if not changed:
            raise PhraseError(gettext("Nothing to save: the entry is as it was."))
        for field in changed:
            record.change(field, getattr(saved, field), wanted[field])
            setattr(saved, field, wanted[field])
        saved.updated_at, saved.updated_by = now, actor
        saved.save(update_fields=[*changed, "updated_at", "updated_by"])
        return saved


def screen_text(text: str, *, actor: Any, where: str, subject: Subject = None) -> list[Hit]:
    """Check `text` that `actor` is about to save in `where` (a `HitPlace`) against the active entries.

    Clean text: returns [] and writes nothing. Otherwise, for each entry found, a `LanguageHit` against the
    actor, and one audit event (Clause: LANG-1; basis: the permission for writing there, `WHERE_PERMISSION`),
    committed here — call this outside any transaction (see the module docstring). Returns the hits; the caller
    refuses to save (raise `ProhibitedLanguage(hits)`, or use `ensure_clean`).
    """
    where = HitPlace(where)
    permission = WHERE_PERMISSION[where]
    require(actor, permission)
    hits = check_text(text, active_entries())
    if not hits:
        return []
    subject_type, subject_id = _subject_key(subject)
    now = timezone.now()
    with (
        transaction.atomic(durable=True),
        audited(
            actor,
            ActionCode.RECORD_LANGUAGE_HIT,
            permission=permission,
            subject=subject,
            clause="LANG-1",
            at=now,
        ) as record,
    ):
        LanguageHit.objects.bulk_create(
            LanguageHit(
                user=actor,
                at=now,
                where=where,
                subject_type=subject_type,
                subject_id=subject_id,
                phrase_id=hit.entry_id,
                phrase_text=hit.phrase,
                category=hit.category,
                excerpt=hit.excerpt,
            )
            for hit in hits
        )
        record.change("where", None, str(where))
        record.change(
            "hits",
            None,
            [{"phrase_id": h.entry_id, "phrase": h.phrase, "category": h.category, "excerpt": h.excerpt} for h in hits],
        )
    return hits


def ensure_clean(text: str, *, actor: Any, where: str, subject: Subject = None) -> None:
    """`screen_text`, raising `ProhibitedLanguage` when it found anything (the hits are recorded by then)."""
    hits = screen_text(text, actor=actor, where=where, subject=subject)
    if hits:
        raise ProhibitedLanguage(hits)
