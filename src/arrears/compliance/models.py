"""The audit ledger, and the list of prohibited phrases with the hits it caught.

The audit ledger: one append-only, hash-chained row per action (AUTH-4).

Rows are written only by `arrears.compliance.actions` (`audited()` and `append_events_bulk()`), which assign
ids and hashes under a lock on `LedgerHead`. Ids are contiguous (1, 2, 3 …) and are the chain order, so a gap
means a deleted event. The ORM refuses updates and deletes here; the database refuses them too, and accepts an
insert only as the next link after the ledger head (triggers installed by migrations 0002 and 0006, see
`arrears.compliance.append_only`). How the hash is formed: `ledger.py`; the anchors kept outside the database:
`anchors.py`.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from arrears.compliance.language import Category, Kind

GENESIS_HASH = "0" * 64


class AppendOnlyError(Exception):
    """Raised on an attempt to change or remove a ledger row through the ORM."""


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("the audit ledger is append-only: events are never updated")

    def delete(self):
        raise AppendOnlyError("the audit ledger is append-only: events are never deleted")

    update.queryset_only = True
    delete.queryset_only = True


class AuditEvent(models.Model):
    # Assigned by the append under the head lock, not by a database sequence: contiguous and in chain order.
    id = models.BigIntegerField(primary_key=True)
    at = models.DateTimeField(_("at"))
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    actor_username = models.CharField(_("actor"), max_length=150)
    actor_role = models.CharField(_("role"), max_length=32, blank=True)
    action = models.CharField(_("action"), max_length=64, db_index=True)
    subject_type = models.CharField(_("subject type"), max_length=64, blank=True)
    subject_id = models.CharField(_("subject id"), max_length=64, blank=True)
    basis = models.JSONField(_("basis"))
    changes = models.JSONField(_("changes"))
    reason = models.TextField(_("reason"), blank=True)
    prev_hash = models.CharField(_("previous hash"), max_length=64)
    hash = models.CharField(_("hash"), max_length=64, unique=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ("id",)
        indexes = (models.Index(fields=("subject_type", "subject_id"), name="compliance_audit_subject"),)
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")

    def __str__(self) -> str:
        from arrears.compliance.action_words import ACTION_WORDS

        return f"#{self.id} {ACTION_WORDS.get(self.action, self.action)} · {self.actor_username}"

    # Guards, not logic: the only writer is the ledger's bulk append.
    def save(self, *args, **kwargs):
        raise AppendOnlyError("audit events are written by arrears.compliance.actions (audited / append_events_bulk)")

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("the audit ledger is append-only: events are never deleted")


class ChangeRecordQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("the record of sealed changes is append-only: its rows are never updated")

    def delete(self):
        raise AppendOnlyError("the record of sealed changes is append-only: its rows are never deleted")

    update.queryset_only = True
    delete.queryset_only = True


class ChangeRecord(models.Model):
    """One change of a bulk writer (the nightly run), in the order written: what an audit event would hold, minus
    what its seal holds (time, actor, permission). Rows of a `batch` are numbered 1, 2, 3 …; each carries the
    SHA-256 of its own contents (`arrears.compliance.sealed`), and each commit of the writer ends with ONE ledger
    event (`compliance.seal_changes`) carrying the range it sealed and the digest over those rows' digests, which
    `audit verify` recomputes (AUTH-4). Append-only like the ledger (`append_only.py`)."""

    id = models.BigAutoField(primary_key=True)
    batch = models.CharField(_("batch"), max_length=64)
    seq = models.BigIntegerField(_("number"))
    action = models.CharField(_("action"), max_length=64)
    subject_type = models.CharField(_("subject type"), max_length=64, blank=True)
    subject_id = models.CharField(_("subject id"), max_length=64, blank=True)
    clause = models.CharField(_("clause"), max_length=32, blank=True)
    # The canonical JSON text ({field: [before, after]}, keys sorted, no spaces): hashed as stored.
    changes = models.TextField(_("changes"))
    reason = models.TextField(_("reason"), blank=True)
    digest = models.CharField(_("digest"), max_length=64)

    objects = ChangeRecordQuerySet.as_manager()

    class Meta:
        ordering = ("id",)
        constraints = (models.UniqueConstraint(fields=("batch", "seq"), name="compliance_change_batch_seq"),)
        indexes = (models.Index(fields=("subject_type", "subject_id"), name="compliance_change_subject"),)
        verbose_name = _("sealed change")
        verbose_name_plural = _("sealed changes")

    def __str__(self) -> str:
        kind, _sep, day = self.batch.partition(":")
        if kind == "daily":
            return gettext("Change %(seq)s of the nightly run of %(day)s") % {"seq": self.seq, "day": day}
        return gettext("Sealed change %(seq)s") % {"seq": self.seq}

    def save(self, *args, **kwargs):
        raise AppendOnlyError("sealed changes are written by arrears.compliance.sealed")

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("the record of sealed changes is append-only: its rows are never deleted")


class LedgerHead(models.Model):
    """The single row (id 1) naming the last event. Appenders lock it (`SELECT … FOR UPDATE`) before reading
    the previous hash, so concurrent transactions chain one after another, then move it and write the events up
    to it. The database lets it move only forward, from the chain's last event, and never delete it while there
    are events; `audit verify` checks the chain ends where the head says (a deleted tail shows) and that no
    event lies beyond it."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last_id = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default=GENESIS_HASH)

    class Meta:
        constraints = (models.CheckConstraint(condition=models.Q(id=1), name="compliance_ledgerhead_single_row"),)

    def __str__(self) -> str:
        return f"ledger head: #{self.last_id}"


# --- prohibited language (LANG-1) ---------------------------------------------------------------------------
# Matching lives in `arrears.compliance.language` (pure); the only writers are in `language_actions`.


class PhraseKind(models.TextChoices):
    WORDS = Kind.WORDS.value, _("key words in order")
    PATTERN = Kind.PATTERN.value, _("regular expression")


class PhraseCategory(models.TextChoices):
    THIRD_PARTY = Category.THIRD_PARTY.value, _("threat to family or third parties")
    VIOLENCE = Category.VIOLENCE.value, _("violence")
    INSULT = Category.INSULT.value, _("insult")
    FALSE_LEGAL = Category.FALSE_LEGAL.value, _("false legal claim")
    OTHER = Category.OTHER.value, _("other")


class HitPlace(models.TextChoices):
    CALL_NOTE = "call_note", _("call note")
    LETTER_ADDITION = "letter_addition", _("addition to a letter")
    TEMPLATE = "template", _("template")
    ARRANGEMENT = "arrangement", _("plan or waiver note")
    OTHER = "other", _("other")


class ProhibitedPhrase(models.Model):
    """One entry of the list compliance officers keep: key words in order ("起诉 家人") or a pattern. Entries are
    deactivated, never deleted: the hits they caught keep pointing at them."""

    text = models.CharField(_("phrase"), max_length=200)
    kind = models.CharField(_("kind"), max_length=8, choices=PhraseKind.choices, default=PhraseKind.WORDS)
    category = models.CharField(_("category"), max_length=12, choices=PhraseCategory.choices)
    active = models.BooleanField(_("active"), default=True)
    note = models.TextField(_("note"), blank=True)
    updated_at = models.DateTimeField(_("updated at"))
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("updated by"),
        on_delete=models.PROTECT,
        null=True,  # the starting list, seeded by a migration
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ("category", "text")
        verbose_name = _("prohibited phrase")
        verbose_name_plural = _("prohibited phrases")
        constraints = (
            models.UniqueConstraint(fields=("kind", "text"), name="compliance_phrase_unique"),
            models.CheckConstraint(condition=~models.Q(text=""), name="compliance_phrase_not_empty"),
            models.CheckConstraint(condition=models.Q(kind__in=PhraseKind.values), name="compliance_phrase_kind"),
            models.CheckConstraint(
                condition=models.Q(category__in=PhraseCategory.values), name="compliance_phrase_category"
            ),
        )

    def __str__(self) -> str:
        return self.text


class LanguageHit(models.Model):
    """A prohibited phrase found in text a user tried to save: who, when, where, which entry (and its text at
    the time), and the words they wrote. Written by `screen_text`, committed even though the text was refused."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.PROTECT, related_name="language_hits"
    )
    at = models.DateTimeField(_("at"))
    where = models.CharField(_("where"), max_length=16, choices=HitPlace.choices)
    subject_type = models.CharField(_("subject type"), max_length=64, blank=True)
    subject_id = models.CharField(_("subject id"), max_length=64, blank=True)
    phrase = models.ForeignKey(
        ProhibitedPhrase, verbose_name=_("phrase"), on_delete=models.PROTECT, related_name="hits"
    )
    phrase_text = models.CharField(_("phrase at the time"), max_length=200)
    category = models.CharField(_("category"), max_length=12, choices=PhraseCategory.choices)
    excerpt = models.TextField(_("excerpt"))

    class Meta:
        ordering = ("-at", "-id")
        verbose_name = _("prohibited language hit")
        verbose_name_plural = _("prohibited language hits")
        indexes = (
            models.Index(fields=("-at", "-id"), name="compliance_hit_newest"),
            models.Index(fields=("user", "-at"), name="compliance_hit_user"),
        )
        constraints = (
            models.CheckConstraint(condition=models.Q(where__in=HitPlace.values), name="compliance_hit_where"),
        )

    def __str__(self) -> str:
        return f"{self.phrase_text} @ {self.at:%Y-%m-%d %H:%M}"
