"""Reads of call quality for other apps' pages (Clause: CALL-3, QA-1): what the case page shows of each call."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ObjectDoesNotExist

from arrears.accounts.permissions import Perm, has_perm
from arrears.quality.models_recording import Recording

__all__ = ["CallShown", "call_shown", "duration_measured", "recording_of"]


def recording_of(call: Any) -> Recording | None:
    """The call's recording (stored or deleted by the purge), or None. Reads the cache `select_related` filled."""
    try:
        return call.recording
    except ObjectDoesNotExist:
        return None


def duration_measured(call: Any) -> bool:
    """True when the call record's duration is the call platform's (CALL-3): it is tied to a platform call that
    ended. Reads the cache `select_related` filled."""
    try:
        return call.telephony.duration_seconds is not None
    except ObjectDoesNotExist:
        return False


@dataclass(frozen=True)
class CallShown:
    """What a call's line shows beside the record: whether its duration is the call platform's (CALL-3), and for a
    user who may listen, its recording (`None` otherwise, and then nothing hints at one)."""

    measured: bool
    recording: Recording | None


def call_shown(call: Any, user: Any) -> CallShown:
    return CallShown(duration_measured(call), recording_of(call) if has_perm(user, Perm.LISTEN_RECORDINGS) else None)
