"""The audit ledger: one append-only, hash-chained row per action (AUTH-4).

Rows are written only by `arrears.compliance.actions` (`audited()` and `append_events_bulk()`), which assign
ids and hashes under a lock on `LedgerHead`. Ids are contiguous (1, 2, 3 …) and are the chain order, so a gap
means a deleted event. The ORM refuses updates and deletes here; the database refuses them too (triggers
installed by migration 0002, see `arrears.compliance.append_only`). How the hash is formed: `ledger.py`.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

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
        return f"#{self.id} {self.action} by {self.actor_username}"

    # Guards, not logic: the only writer is the ledger's bulk append.
    def save(self, *args, **kwargs):
        raise AppendOnlyError("audit events are written by arrears.compliance.actions (audited / append_events_bulk)")

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("the audit ledger is append-only: events are never deleted")


class LedgerHead(models.Model):
    """The single row (id 1) naming the last event. Appenders lock it (`SELECT … FOR UPDATE`) before reading
    the previous hash, so concurrent transactions chain one after another; `audit verify` checks the chain
    ends where the head says (a deleted tail shows)."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last_id = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default=GENESIS_HASH)

    class Meta:
        constraints = (models.CheckConstraint(condition=models.Q(id=1), name="compliance_ledgerhead_single_row"),)

    def __str__(self) -> str:
        return f"ledger head: #{self.last_id}"
