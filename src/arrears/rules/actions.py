"""The only writers of policy versions and calendar years. Each checks permission and is audited."""

from __future__ import annotations

from django.utils import timezone

from arrears.accounts.permissions import Perm
from arrears.compliance.actions import AuditRecorder, audited, require
from arrears.compliance.codes import ActionCode
from arrears.policy import PolicyBook, PolicyError, parse_policy_toml
from arrears.policy.versions import PolicyVersion as Version
from arrears.rules.models import CalendarDay, CalendarYear, DayKind, PolicyVersion
from arrears.rules.queries import calendar, policy_book
from arrears.workdays import Calendar, CalendarError
from arrears.workdays.files import parse_calendar_toml


class RuleError(ValueError):
    """A policy version or calendar year that cannot be stored; the message says why and what to do."""


def checked_version(text: str, source: str = "new policy version") -> Version:
    """The policy version of `text` (TOML, as `arrears policy check` reads it), valid and on a date no stored
    version has; RuleError says what is wrong."""
    try:
        version = parse_policy_toml(text, source=source)
        PolicyBook([*policy_book().versions[1:], version])  # refuses a second version on the same date
    except PolicyError as exc:
        raise RuleError("; ".join(exc.problems)) from None
    return version


def store_version(text: str, version: Version, *, actor, record: AuditRecorder) -> PolicyVersion:
    """Store a checked version inside an audited action: the row, and its overrides in the action's event (whose
    subject the caller sets)."""
    row = PolicyVersion.objects.create(
        effective_from=version.effective_from,
        name=version.name,
        text=text,
        added_by=actor,
        added_at=timezone.now(),
    )
    for key, value in version.overrides().items():
        record.change(key, None, str(value))
    return row


def do_add_policy_version(text: str, *, actor, reason: str) -> PolicyVersion:
    """Validate a policy version (TOML, as `arrears policy check` reads it) and store it. Versions are never
    edited: a correction is a new version."""
    require(actor, Perm.MANAGE_POLICY)
    version = checked_version(text)
    with audited(
        actor, ActionCode.ADD_POLICY_VERSION, permission=Perm.MANAGE_POLICY, subject=None, reason=reason
    ) as record:
        row = store_version(text, version, actor=actor, record=record)
        record.set_subject(row)
    return row


def do_add_calendar_year(text: str, *, actor, reason: str) -> list[CalendarYear]:
    """Add the years of a calendar file (format: `arrears.workdays.files`) that the table does not know yet."""
    require(actor, Perm.MANAGE_CALENDAR)
    try:
        data = parse_calendar_toml(text, source="new calendar year")
        known = calendar()
        clash = sorted(data.years & known.known_years)
        if clash:
            raise RuleError(f"the calendar already has {', '.join(map(str, clash))}; a year is added once, complete")
        known.extended_with(Calendar(data.holidays, data.makeup_workdays, data.years, source="new calendar year"))
    except CalendarError as exc:
        raise RuleError(str(exc)) from None
    with audited(
        actor, ActionCode.ADD_CALENDAR_YEAR, permission=Perm.MANAGE_CALENDAR, subject=None, reason=reason
    ) as record:
        years = {y: CalendarYear.objects.create(year=y, source=f"added by {actor.get_username()}") for y in data.years}
        CalendarDay.objects.bulk_create(
            [CalendarDay(year=years[d.year], day=d, kind=DayKind.HOLIDAY, name=n) for d, n in data.holidays.items()]
            + [
                CalendarDay(year=years[d.year], day=d, kind=DayKind.MAKEUP_WORKDAY, name=n)
                for d, n in data.makeup_workdays.items()
            ]
        )
        record.set_subject(("calendar_year", ",".join(str(y) for y in sorted(years))))
        record.change("holidays", None, len(data.holidays))
        record.change("makeup_workdays", None, len(data.makeup_workdays))
    return list(years.values())
