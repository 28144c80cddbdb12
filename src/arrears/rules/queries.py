"""Reads: the policy book and the working-day calendar as the database holds them.

Both are rebuilt only when their tables change (a cheap fingerprint query decides), so a page or a nightly run
can ask for them freely.
"""

from __future__ import annotations

from datetime import date

from django.db.models import Count, Max

from arrears.policy import PolicyBook, PolicyVersion, book_from_files, default_book, parse_policy_toml
from arrears.rules.models import CalendarDay, CalendarYear, DayKind
from arrears.rules.models import PolicyVersion as PolicyVersionRow
from arrears.workdays import Calendar

_cache: dict[str, tuple[object, object]] = {}


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
    key = _fingerprint(PolicyVersionRow, "added_at")
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


__all__ = ["book_from_files", "calendar", "policy_book", "policy_on", "stored_versions"]
