"""The policy and the calendar as the kernels use them: plain numbers, and the dates they need as a frame.

`Terms.of(policy, as_of)` is the one place that turns a `Policy` into kernel parameters. Rates
become exact integers (markup in 1e-4, see `schema`), the litigation threshold becomes fen, and the working-day
calendar becomes two small lookups: `roll(date)` (a due date moved to the next working day where the policy
says so) and `plus_working_days(date)` (the LTR-3 follow-up deadline), built for just the dates a run needs.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import polars as pl

from arrears.policy import Policy
from arrears.workdays import Calendar

__all__ = ["RATE_SCALE", "Terms", "day_table", "follow_up_table"]

RATE_SCALE = 10**12  # annual_rate_e8 × (10_000 + markup_e4) is the penalty rate in units of 1e-12


def _scaled(value: Decimal, scale: int, what: str) -> int:
    scaled = value * scale
    if scaled != scaled.to_integral_value():
        raise ValueError(
            f"{what} {value} has more than {len(str(scale)) - 1} decimal places; the engine keeps that many"
        )
    return int(scaled)


@dataclass(frozen=True)
class Terms:
    as_of: date
    markup_e4: int
    day_basis: int
    compound: bool
    roll_due_dates: bool
    advance_days: int
    phone_days_before: int
    advance_channels: tuple[str, ...]
    default_channel: str
    mild_max_dpd: int
    moderate_max_dpd: int
    bucket_bounds: tuple[int, int, int]  # the last DPD of M1, M2, M3 (report buckets)
    first_stage_max_dpd: int
    cadence_from_dpd: int
    cadence_to_dpd: int
    min_interval_days: int
    max_interval_days: int
    moderate_from_dpd: int  # CLS-2: the moderate stage's own, higher-frequency cadence
    moderate_to_dpd: int
    moderate_min_interval_days: int
    moderate_max_interval_days: int
    follow_up_working_days: int
    junior_max_dpd: int
    senior_max_dpd: int
    high_risk_levels: tuple[str, ...]
    legal_min_dpd: int
    legal_min_failed_attempts: int
    legal_lost_contact_days: int
    litigation_min_fen: int

    @classmethod
    def of(cls, policy: Policy, as_of: date) -> Terms:
        return cls(
            as_of=as_of,
            markup_e4=_scaled(policy.penalty.markup, 10_000, "penalty.markup"),
            day_basis=int(policy.penalty.day_basis),
            compound=bool(policy.penalty.compound_on_interest),
            roll_due_dates=bool(policy.schedule.roll_non_working_due_date),
            advance_days=policy.reminders.advance_days,
            phone_days_before=policy.reminders.phone_days_before,
            advance_channels=tuple(policy.reminders.advance_channels),
            default_channel=policy.reminders.default_channel,
            mild_max_dpd=policy.classes.mild_max_dpd,
            moderate_max_dpd=policy.classes.moderate_max_dpd,
            bucket_bounds=(policy.buckets.m1_max_dpd, policy.buckets.m2_max_dpd, policy.buckets.m3_max_dpd),
            first_stage_max_dpd=policy.calls.first_stage_max_dpd,
            cadence_from_dpd=policy.calls.second_stage_from_dpd,
            cadence_to_dpd=policy.calls.second_stage_to_dpd,
            min_interval_days=policy.calls.min_interval_days,
            max_interval_days=policy.calls.max_interval_days,
            moderate_from_dpd=policy.calls.moderate_from_dpd,
            moderate_to_dpd=policy.calls.moderate_to_dpd,
            moderate_min_interval_days=policy.calls.moderate_min_interval_days,
            moderate_max_interval_days=policy.calls.moderate_max_interval_days,
            follow_up_working_days=policy.letters.follow_up_working_days,
            junior_max_dpd=policy.tiers.junior_max_dpd,
            senior_max_dpd=policy.tiers.senior_max_dpd,
            high_risk_levels=tuple(policy.tiers.high_risk_levels),
            legal_min_dpd=policy.legal.min_dpd,
            legal_min_failed_attempts=policy.legal.min_failed_attempts,
            legal_lost_contact_days=policy.legal.lost_contact_days,
            litigation_min_fen=_scaled(policy.legal.litigation_min_amount, 100, "legal.litigation_min_amount"),
        )

    @property
    def reminder_days(self) -> list[date]:
        """The due dates reminded today: the written reminder's and the phone reminder's (REM-1)."""
        return sorted(
            {self.as_of + timedelta(days=self.advance_days), self.as_of + timedelta(days=self.phone_days_before)}
        )

    @property
    def horizon(self) -> date:
        """The latest due date a run on `as_of` can act on (the written reminder's)."""
        return self.as_of + timedelta(days=self.advance_days)


def day_table(calendar: Calendar | None, first: date | None, terms: Terms) -> pl.LazyFrame:
    """`day` → `effective_day`: the day itself, or where the policy rolls due dates, the next working day.

    Covers `first` (the oldest due date a run sees) through the horizon; later due dates cannot matter on
    this as-of date. With rolling off no calendar is needed (and none is consulted).
    """
    schema = {"day": pl.Date, "effective_day": pl.Date}
    if not terms.roll_due_dates or first is None or first > terms.horizon:
        return pl.LazyFrame(schema=schema)
    if calendar is None:
        raise ValueError(
            "the policy rolls due dates to working days (schedule.roll_non_working_due_date); pass a calendar"
        )
    days, effective = [], []
    day = first
    while day <= terms.horizon:
        days.append(day)
        effective.append(calendar.next_working_day(day))
        day += timedelta(days=1)
    return pl.LazyFrame({"day": days, "effective_day": effective}, schema=schema)


def follow_up_table(calendar: Calendar, sent_dates: Iterable[date], terms: Terms) -> pl.LazyFrame:
    """`sent_on` → `deadline`: the working day by which a letter's confirmation call is due (LTR-3)."""
    sent = sorted(set(sent_dates))
    return pl.LazyFrame(
        {"sent_on": sent, "deadline": [calendar.add_working_days(d, terms.follow_up_working_days) for d in sent]},
        schema={"sent_on": pl.Date, "deadline": pl.Date},
    )
