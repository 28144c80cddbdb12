"""Reads: the policy book and the working-day calendar as the database holds them.

Both are rebuilt only when their tables change (a cheap fingerprint query decides), so a page or a nightly run
can ask for them freely.
"""

from __future__ import annotations

import threading
from datetime import date

from django.core.signals import request_finished, request_started
from django.db.models import Count, Max
from django.db.models.signals import post_delete, post_save

from arrears.policy import PolicyBook, PolicyVersion, book_from_files, default_book, parse_policy_toml
from arrears.rules.models import CalendarDay, CalendarYear, DayKind
from arrears.rules.models import PolicyVersion as PolicyVersionRow
from arrears.workdays import Calendar

_cache: dict[str, tuple[object, object]] = {}
# Within one web request the policy's fingerprint is read once (a page asks for the policy a dozen times): kept
# per thread from the request's start to its end, and dropped when a version is saved or deleted meanwhile.
_request = threading.local()


def _request_began(**_kwargs) -> None:
    _request.policy_key = None
    _request.active = True


def _request_ended(**_kwargs) -> None:
    _request.policy_key = None
    _request.active = False


def _policy_changed(**_kwargs) -> None:
    _request.policy_key = None


request_started.connect(_request_began, dispatch_uid="arrears.rules.policy_request_began")
request_finished.connect(_request_ended, dispatch_uid="arrears.rules.policy_request_ended")


def _fingerprint(model, *latest: str) -> tuple:
    """How many rows, the last id, and the latest value of each field in `latest`: changes whenever rows do."""
    found = model.objects.aggregate(n=Count("pk"), last=Max("pk"), **{f: Max(f) for f in latest})
    return tuple(found.values())


def stored_versions() -> list[PolicyVersion]:
    return [
        parse_policy_toml(row.text, source=f"policy version {row.pk} ({row.name})")
        for row in PolicyVersionRow.objects.order_by("effective_from")
    ]


def policy_book() -> PolicyBook:
    """SPEC defaults, the versions of ARREARS_POLICY_FILES, and the versions administrators added."""
    # With when the last version was added: a count and a last id alone can repeat after a rolled-back write.
    key = getattr(_request, "policy_key", None)
    if key is None:
        key = _fingerprint(PolicyVersionRow, "added_at")
        if getattr(_request, "active", False):
            _request.policy_key = key
    cached = _cache.get("policy")
    if cached is None or cached[0] != key:
        files = default_book().versions[1:]  # without the SPEC version PolicyBook adds itself
        cached = (key, PolicyBook([*files, *stored_versions()]))
        _cache["policy"] = cached
    return cached[1]  # type: ignore[return-value]


def policy_on(on: date):
    return policy_book().on(on)


def calendar() -> Calendar:
    """The working-day calendar of the calendar tables (seeded from chinese-calendar, extended by staff)."""
    key = (_fingerprint(CalendarYear), _fingerprint(CalendarDay))
    cached = _cache.get("calendar")
    if cached is None or cached[0] != key:
        holidays, makeup = {}, {}
        for day, kind, name in CalendarDay.objects.values_list("day", "kind", "name"):
            (holidays if kind == DayKind.HOLIDAY else makeup)[day] = name
        years = CalendarYear.objects.values_list("year", flat=True)
        cached = (key, Calendar(holidays, makeup, years, source="calendar table"))
        _cache["calendar"] = cached
    return cached[1]  # type: ignore[return-value]


post_save.connect(_policy_changed, sender=PolicyVersionRow, dispatch_uid="arrears.rules.policy_saved")
post_delete.connect(_policy_changed, sender=PolicyVersionRow, dispatch_uid="arrears.rules.policy_deleted")

__all__ = ["book_from_files", "calendar", "policy_book", "policy_on", "stored_versions"]
