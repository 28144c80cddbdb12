"""The call platform's calls and the call recordings (Clause: CALL-3, QA-1, PRV-1).

* `TelephonyCall` — one call on the bank's call platform (CTI), keyed by the platform's id: the agent (a user), the
  number dialled (digits only), the case when the platform names one, the instants it started and ended as the
  platform reported them, and the duration between them (whole seconds) once both are known. Tied to at most one
  call record (`call`); that record's duration is then the platform's, not a typed number (CALL-3: recorded by the
  system), and `linked` says how the two were tied: the platform named the record, or they matched by agent,
  number and time (`calls.telephony_match_minutes`).
* `TelephonyEvent` — each event exactly as it came (its JSON), at most one of each kind per call
  (`call.started`, `call.ended`): a repeat is recognised and changes nothing.
* `Recording` — the audio of one call record (WAV or MP3, told by its bytes), stored through Django's storage API
  under `recordings/`, with its SHA-256 and size, kept until `retain_until` (the call's day plus
  `retention.recordings_years`). Past it the retention purge deletes the audio and keeps the row with its hash and
  the day it was deleted (`purged_on`), so the call still says it had a recording and a copy can be checked.

Written only by `quality.telephony`, `quality.recordings` and the retention purge, each change with its audit event.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from arrears.collection.models import Call, CollectionCase

__all__ = ["Linked", "Recording", "RecordingSource", "TelephonyCall", "TelephonyEvent", "TelephonyEventKind"]


class Linked(models.TextChoices):
    NO = "", _("not tied to a call record")
    PLATFORM = "platform", _("the call platform named the call record")
    MATCHED = "matched", _("matched by collector, number and time")


class TelephonyCall(models.Model):
    platform_call_id = models.CharField(_("call platform's id"), max_length=64, unique=True)
    agent = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    number = models.CharField(_("number dialled"), max_length=20)
    case = models.ForeignKey(CollectionCase, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    duration_seconds = models.PositiveIntegerField(_("duration (s)"), null=True, blank=True)
    call = models.OneToOneField(Call, on_delete=models.PROTECT, null=True, blank=True, related_name="telephony")
    linked = models.CharField(_("tied"), max_length=8, choices=Linked.choices, blank=True, default=Linked.NO)
    linked_at = models.DateTimeField(_("tied at"), null=True, blank=True)

    class Meta:
        verbose_name = _("call on the call platform")
        constraints = [
            models.CheckConstraint(
                condition=Q(started_at__isnull=True) | Q(ended_at__isnull=True) | Q(ended_at__gte=F("started_at")),
                name="telephony_call_ends_after_start",
            ),
            models.CheckConstraint(
                condition=Q(duration_seconds__isnull=True) | (Q(started_at__isnull=False) & Q(ended_at__isnull=False)),
                name="telephony_call_duration_when_ended",
            ),
            models.CheckConstraint(
                condition=(Q(call__isnull=True) & Q(linked="") & Q(linked_at__isnull=True))
                | (Q(call__isnull=False) & Q(linked__in=["platform", "matched"]) & Q(linked_at__isnull=False)),
                name="telephony_call_linked_how",
            ),
        ]
        indexes = [
            # The match of a call record: the collector's calls that ended and are not tied yet (CALL-3).
            models.Index(fields=["agent", "ended_at"], name="telephony_agent_ended_idx", condition=Q(call__isnull=True))
        ]

    def __str__(self) -> str:
        return f"platform call {self.platform_call_id}"


class TelephonyEventKind(models.TextChoices):
    STARTED = "call.started", _("call started")
    ENDED = "call.ended", _("call ended")


class TelephonyEvent(models.Model):
    telephony_call = models.ForeignKey(TelephonyCall, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(_("event"), max_length=16, choices=TelephonyEventKind.choices)
    at = models.DateTimeField(_("at"))
    payload = models.JSONField(_("as received"))
    received_at = models.DateTimeField(_("received at"))
    received_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("call platform event")
        constraints = [
            models.UniqueConstraint(fields=["telephony_call", "kind"], name="telephony_event_once_per_kind"),
            models.CheckConstraint(
                condition=Q(kind__in=["call.started", "call.ended"]), name="telephony_event_kind_known"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} of {self.telephony_call_id}"


class RecordingSource(models.TextChoices):
    UPLOAD = "upload", _("uploaded by the call platform")
    IMPORT = "import", _("imported from a directory")


class Recording(models.Model):
    call = models.OneToOneField(Call, on_delete=models.PROTECT, related_name="recording")
    path = models.CharField(_("stored as"), max_length=255, blank=True)
    content_type = models.CharField(_("content type"), max_length=16)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    source = models.CharField(_("source"), max_length=8, choices=RecordingSource.choices)
    stored_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    stored_at = models.DateTimeField(_("stored at"))
    retain_until = models.DateField(_("kept until"))
    # The audio was deleted on this business date by the retention purge; the row and its SHA-256 stay.
    purged_on = models.DateField(_("audio deleted on"), null=True, blank=True)

    class Meta:
        verbose_name = _("call recording")
        constraints = [
            models.CheckConstraint(
                condition=(Q(purged_on__isnull=True) & ~Q(path="")) | (Q(purged_on__isnull=False) & Q(path="")),
                name="recording_stored_or_purged",
            ),
            models.CheckConstraint(
                condition=Q(content_type__in=["audio/wav", "audio/mpeg"]), name="recording_audio_kind"
            ),
        ]
        indexes = [
            # The retention purge's predicate: the recordings still stored, by the day they may be deleted after.
            models.Index(fields=["retain_until"], name="recording_retain_idx", condition=Q(purged_on__isnull=True))
        ]

    def __str__(self) -> str:
        return f"recording of call {self.call_id}"

    @property
    def purged(self) -> bool:
        return self.purged_on is not None
