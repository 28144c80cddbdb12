"""The collection policy as typed, validated data.

Every number in `spec/SPEC.md` is a field here with the SPEC default, an allowed range and the clause it comes
from. A `Policy` is immutable; a bank changes it by adding a version (see `versions.py`), never by editing code.

Ranges: where a number comes from a regulation (the contact rules of China's collection guidelines, the
penalty markup of 30–50%), a bank may be stricter but never looser, so the range stops at the regulatory
limit. Where it is the bank's own choice, the range only keeps it sane.

Amounts are Decimal yuan; rates and shares are Decimal fractions (0.30 = 30%). Floats are refused: a policy
file is read with TOML floats parsed as Decimal, and Python callers must pass Decimal, int or str.
"""

from __future__ import annotations

from datetime import time
from decimal import Decimal
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import field_validator, model_validator

from arrears.policy.base import (
    AgencyDocument,
    Component,
    Dec,
    LetterChannel,
    ReminderChannel,
    RiskLevel,
    Section,
    TimeOfDay,
    param,
)
from arrears.policy.model_kpi import Kpi, Scorecard


class Reminders(Section):
    """Clause: REM-1, REM-2."""

    advance_days: int = param(3, "REM-1", "days before a due date the written reminder goes out", ge=1, le=15)
    advance_channels: tuple[ReminderChannel, ...] = param(
        ("sms", "email"), "REM-1", "channels a borrower may choose for the written reminder", min_length=1
    )
    default_channel: ReminderChannel = param("sms", "REM-1", "written-reminder channel when none was chosen")
    phone_days_before: int = param(1, "REM-1", "days before a due date the phone reminder is due", ge=0, le=15)

    @model_validator(mode="after")
    def _check(self) -> Reminders:
        if self.default_channel not in self.advance_channels:
            raise ValueError(
                f"default_channel {self.default_channel!r} must be one of advance_channels "
                f"{list(self.advance_channels)}"
            )
        if self.phone_days_before > self.advance_days:
            raise ValueError(
                f"phone_days_before ({self.phone_days_before}) must not exceed advance_days ({self.advance_days})"
            )
        return self


class Classes(Section):
    """Clause: CLS-1. DPD counts from the day after the earliest unpaid due date."""

    mild_max_dpd: int = param(30, "CLS-1", "mild (輕度) is DPD 1 to this", ge=1, le=365)
    moderate_max_dpd: int = param(90, "CLS-1", "moderate (中度) up to this; severe (重度) above", ge=2, le=720)

    @model_validator(mode="after")
    def _check(self) -> Classes:
        if self.moderate_max_dpd <= self.mild_max_dpd:
            raise ValueError(
                f"moderate_max_dpd ({self.moderate_max_dpd}) must be greater than mild_max_dpd ({self.mild_max_dpd})"
            )
        return self


class Calls(Section):
    """Clause: CALL-1, CALL-3, CALL-4, CLS-2."""

    first_stage_max_dpd: int = param(30, "CALL-1", "first-stage calls (pre-call panel) up to this DPD", ge=1, le=90)
    second_stage_from_dpd: int = param(31, "CALL-4", "second-stage cadence from this DPD", ge=1, le=365)
    second_stage_to_dpd: int = param(60, "CALL-4", "second-stage cadence up to this DPD", ge=1, le=365)
    min_interval_days: int = param(5, "CALL-4", "next call not before this many days (unless asked)", ge=1, le=30)
    max_interval_days: int = param(7, "CALL-4", "next call due no later than this many days", ge=1, le=30)
    moderate_from_dpd: int = param(
        61, "CLS-2", "the moderate stage's higher-frequency cadence from this DPD", ge=1, le=365
    )
    moderate_to_dpd: int = param(
        90, "CLS-2", "the moderate stage's higher-frequency cadence up to this DPD", ge=1, le=365
    )
    moderate_min_interval_days: int = param(
        2, "CLS-2", "in that stage the next call not before this many days (unless asked)", ge=1, le=30
    )
    moderate_max_interval_days: int = param(
        3, "CLS-2", "in that stage the next call due no later than this many days", ge=1, le=30
    )
    promise_max_days: int = param(
        30, "CALL-3", "a promise to pay falls at most this many days ahead; longer is an instalment plan", ge=1, le=90
    )
    follow_up_max_days: int = param(
        30, "CALL-3", "a follow-up outside the second-stage cadence at most this many days ahead", ge=1, le=90
    )
    max_duration_seconds: int = param(
        14_400, "CALL-3", "a call record's duration at most this many seconds (4 hours)", ge=600, le=86_400
    )
    telephony_match_minutes: int = param(
        15,
        "CALL-3",
        "a call record takes the duration the call platform measured of the collector's call to the same number "
        "that was under way when the record was saved or had ended at most this many minutes before",
        ge=1,
        le=120,
    )

    @model_validator(mode="after")
    def _check(self) -> Calls:
        if self.second_stage_to_dpd < self.second_stage_from_dpd:
            raise ValueError("second_stage_to_dpd must not be below second_stage_from_dpd")
        if self.max_interval_days < self.min_interval_days:
            raise ValueError(
                f"max_interval_days ({self.max_interval_days}) must not be below "
                f"min_interval_days ({self.min_interval_days})"
            )
        if self.moderate_to_dpd < self.moderate_from_dpd:
            raise ValueError("moderate_to_dpd must not be below moderate_from_dpd")
        if self.moderate_from_dpd <= self.second_stage_to_dpd:
            raise ValueError(
                f"moderate_from_dpd ({self.moderate_from_dpd}) must be above second_stage_to_dpd "
                f"({self.second_stage_to_dpd}): the two cadences may not overlap"
            )
        if self.moderate_max_interval_days < self.moderate_min_interval_days:
            raise ValueError(
                f"moderate_max_interval_days ({self.moderate_max_interval_days}) must not be below "
                f"moderate_min_interval_days ({self.moderate_min_interval_days})"
            )
        return self


class Letters(Section):
    """Clause: LTR-1, LTR-2, LTR-3."""

    channels: tuple[LetterChannel, ...] = param(
        ("email", "post"), "LTR-2", "how a formal notice reaches the borrower", min_length=1
    )
    follow_up_working_days: int = param(
        3, "LTR-3", "confirmation call due within this many working days after sending", ge=1, le=10
    )
    repay_within_days: int = param(
        7,
        "LTR-1",
        "the notice's repayment deadline: this many days after issue, moved to the next working day",
        ge=1,
        le=60,
    )


class Buckets(Section):
    """The report's M-buckets (industry practice; the SPEC's classes are CLS-1): M1 is DPD 1 to `m1_max_dpd`,
    M2 to `m2_max_dpd`, M3 to `m3_max_dpd`, M3+ above."""

    m1_max_dpd: int = param(30, "practice", "report bucket M1 is DPD 1 to this", ge=1, le=365)
    m2_max_dpd: int = param(60, "practice", "report bucket M2 up to this DPD", ge=2, le=730)
    m3_max_dpd: int = param(90, "practice", "report bucket M3 up to this DPD; M3+ above", ge=3, le=1095)

    @model_validator(mode="after")
    def _check(self) -> Buckets:
        if not self.m1_max_dpd < self.m2_max_dpd < self.m3_max_dpd:
            raise ValueError(
                f"bucket bounds must rise: m1_max_dpd ({self.m1_max_dpd}) < m2_max_dpd ({self.m2_max_dpd}) "
                f"< m3_max_dpd ({self.m3_max_dpd})"
            )
        return self


class Tiers(Section):
    """Clause: TEAM-1, TEAM-2, TEAM-3. Above senior_max_dpd a case goes to the supervisor's decision pool."""

    junior_max_dpd: int = param(
        60, "TEAM-1", "junior collectors take DPD 1 to this (mild included, TEAM-3)", ge=1, le=365
    )
    senior_max_dpd: int = param(90, "TEAM-2", "senior collectors take DPD above junior_max_dpd to this", ge=2, le=720)
    high_risk_levels: tuple[RiskLevel, ...] = param(
        ("high",), "TEAM-3", "borrower risk levels that go to senior collectors at any DPD"
    )

    @model_validator(mode="after")
    def _check(self) -> Tiers:
        if self.senior_max_dpd <= self.junior_max_dpd:
            raise ValueError(
                f"senior_max_dpd ({self.senior_max_dpd}) must be greater than junior_max_dpd ({self.junior_max_dpd})"
            )
        return self


class Plan(Section):
    """Clause: PLAN-1, PLAN-2, PLAN-3, PLAN-4."""

    income_share: Dec = param(
        Decimal("0.30"),
        "PLAN-2",
        "a monthly plan payment at most this share of monthly income",
        gt=Decimal("0"),
        le=Decimal("0.50"),
    )
    min_instalments: int = param(3, "PLAN-3", "fewest instalments offered", ge=1, le=6)
    max_instalments: int = param(6, "PLAN-3", "most instalments offered (never more than 6)", ge=1, le=6)
    requires_signature: bool = param(True, "PLAN-4", "only a signed plan takes effect")
    include_penalty: bool = param(True, "PLAN-1", "the plan covers the accrued penalty and compound interest too")

    @model_validator(mode="after")
    def _check(self) -> Plan:
        if self.max_instalments < self.min_instalments:
            raise ValueError(
                f"max_instalments ({self.max_instalments}) must not be below min_instalments ({self.min_instalments})"
            )
        if not self.requires_signature:
            raise ValueError("requires_signature must stay true: PLAN-4 lets only a signed plan take effect")
        return self


class Waiver(Section):
    """Clause: WVR-1, WVR-2."""

    max_share: Dec = param(
        Decimal("0.20"),
        "WVR-2",
        "at most this share of the total penalty interest is waived",
        ge=Decimal("0"),
        le=Decimal("0.20"),
    )
    max_dpd: int = param(30, "WVR-1", "a waiver only while DPD is at most this", ge=0, le=30)
    first_delinquency_only: bool = param(True, "WVR-1", "only for a borrower's first delinquency")
    self_initiated_only: bool = param(True, "WVR-1", "only when the borrower contacted the bank first")


class Legal(Section):
    """Clause: LGL-1, LGL-2, LIT-2."""

    min_dpd: int = param(90, "LGL-1", "legal action only from this DPD", ge=60, le=720)
    min_failed_attempts: int = param(
        3, "LGL-1", "'repeated collection failed' = at least this many failed attempts", ge=1, le=50
    )
    lost_contact_days: int = param(30, "LGL-1", "contact lost for more than this many days", ge=7, le=365)
    litigation_min_amount: Dec = param(
        Decimal("50000"),
        "LGL-2",
        "litigation for overdue amounts over this (yuan); below, an agency",
        ge=Decimal("0"),
        le=Decimal("100000000"),
    )
    limitation_years: int = param(
        3,
        "LIT-2",
        "a claim must be filed within this many years of the earliest unpaid due date (诉讼时效)",
        ge=1,
        le=20,
    )
    limitation_warning_days: int = param(
        90, "LIT-2", "warn this many days before the limitation period ends, while not yet filed", ge=1, le=365
    )
    enforcement_apply_years: int = param(
        2, "LIT-2", "enforcement must be applied for within this many years of the judgment taking effect", ge=1, le=10
    )
    enforcement_warning_days: int = param(
        60, "LIT-2", "warn this many days before the enforcement period ends, while not yet applied for", ge=1, le=365
    )


class Agency(Section):
    """Clause: AGY-1, AGY-3."""

    required_documents: tuple[AgencyDocument, ...] = param(
        ("business_licence", "collection_licence", "confidentiality_agreement"),
        "AGY-1",
        "what an agency must hold, valid and unexpired, to receive cases",
    )
    expiry_warning_days: int = param(
        30, "AGY-1", "supervisors are warned this many days before an agency's licence expires", ge=1, le=365
    )
    audit_interval_days: int = param(
        90,
        "AGY-3",
        "agencies' collection reports are audited at least this often (Interpretation)",
        ge=7,
        le=366,
    )
    placement_days: int = param(
        90,
        "LGL-2",
        "a placement with an agency lasts this many days unless the supervisor gives another period",
        ge=1,
        le=365,
    )
    placement_max_days: int = param(
        180, "LGL-2", "no placement with an agency lasts longer than this many days", ge=1, le=730
    )
    suspend_after_violations: int = param(
        3,
        "AGY-3",
        "an agency with this many violations recorded within the window receives no new placements",
        ge=1,
        le=100,
    )
    violation_window_days: int = param(
        365,
        "AGY-3",
        "the window (days back from the business date) in which an agency's violations are counted",
        ge=30,
        le=1096,
    )

    @field_validator("required_documents")
    @classmethod
    def _all_documents(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        missing = {"business_licence", "collection_licence", "confidentiality_agreement"} - set(value)
        if missing:
            raise ValueError(f"AGY-1 requires every document; missing {sorted(missing)}")
        return value

    @model_validator(mode="after")
    def _check(self) -> Agency:
        if self.placement_days > self.placement_max_days:
            raise ValueError(
                f"placement_days ({self.placement_days}) must not exceed placement_max_days ({self.placement_max_days})"
            )
        return self


class Complaints(Section):
    """Clause: CMP-1, CMP-2, CMP-3; PRV-1 (the violation register's repeats)."""

    channel_marker: str = param("催收投诉", "CMP-1", "marker of the dedicated complaint channel", min_length=1)
    response_hours: int = param(24, "CMP-2", "first response within this many hours", ge=1, le=24)
    investigation_working_days: int = param(3, "CMP-3", "investigation done within this many working days", ge=1, le=3)
    hold_on_conduct_complaint: bool = param(
        True, "CMP-3", "a complaint about collection conduct pauses collection of the borrower until it is closed"
    )
    repeat_window_days: int = param(
        365,
        "PRV-1",
        "violations of one person within this many days are counted together on the register",
        ge=30,
        le=1095,
    )
    repeat_violations: int = param(
        2,
        "PRV-1",
        "this many violations of one person in that window mark them as repeated for their supervisor",
        ge=2,
        le=20,
    )


class Quality(Section):
    """Clause: QA-1, QA-2. How a call's transcript is scored (100 less these points per finding) and how many of the
    calls without a finding people review as well; how long the recordings are kept for it."""

    review_sample_share: Dec = param(
        Decimal("0.05"),
        "QA-1",
        "share of the inspected calls without a finding that also go to a person's review",
        ge=0,
        le=1,
    )
    points_prohibited_language: int = param(
        40, "QA-1", "points a call's quality score loses for each line of prohibited language", ge=0, le=100
    )
    points_privacy: int = param(
        30, "QA-1", "points lost for each line telling the debt to someone not verified as the borrower", ge=0, le=100
    )
    points_missing_step: int = param(10, "QA-1", "points lost for each script step missing", ge=0, le=100)
    points_out_of_order: int = param(5, "QA-1", "points lost for each script step out of order", ge=0, le=100)
    points_dissatisfied: int = param(
        0, "QA-1", "points lost when the other side was dissatisfied (complaints, anger)", ge=0, le=100
    )


class Penalty(Section):
    """The 'Penalty interest' section of SPEC; what LTR-1 and WVR-2 compute."""

    markup: Dec = param(
        Decimal("0.50"),
        "penalty",
        "penalty rate = contract rate × (1 + markup)",
        ge=Decimal("0.30"),
        le=Decimal("0.50"),
    )
    day_basis: Literal[360, 365] = param(360, "penalty", "daily rate = annual rate ÷ this")
    compound_on_interest: bool = param(True, "penalty", "unpaid interest accrues compound interest (复利)")


class Allocation(Section):
    """How a payment is applied: oldest instalment first, within it in this order."""

    order: tuple[Component, ...] = param(
        ("penalty_interest", "compound_interest", "interest", "principal"),
        "practice",
        "order in which a payment settles the components of an instalment",
    )

    @field_validator("order")
    @classmethod
    def _permutation(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        wanted = {"penalty_interest", "compound_interest", "interest", "principal"}
        if len(value) != len(wanted) or set(value) != wanted:
            raise ValueError(f"order must name each of {sorted(wanted)} exactly once")
        return value


class Schedule(Section):
    roll_non_working_due_date: bool = param(
        False, "practice", "a due date on a non-working day moves to the next working day"
    )


class Contact(Section):
    """China's collection guidelines: quiet hours and daily caps. A bank may be stricter, never looser."""

    quiet_start: TimeOfDay = param(time(22, 0), "guideline", "no contact from this local time …")
    quiet_end: TimeOfDay = param(time(8, 0), "guideline", "… until this local time")
    timezone: str = param("Asia/Shanghai", "guideline", "time zone of the contact hours")
    max_connected_calls_per_day: int = param(
        3, "guideline", "connected calls per borrower per day, at most", ge=1, le=3
    )
    max_unanswered_attempts_per_day: int = param(
        6, "guideline", "unanswered attempts per phone number per day, at most", ge=1, le=6
    )

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"{value!r} is not an IANA time zone, e.g. 'Asia/Shanghai'") from None
        return value

    @model_validator(mode="after")
    def _covers_guideline_hours(self) -> Contact:
        # The quiet window runs overnight; it must contain 22:00–08:00.
        if (
            not (time(8, 0) <= self.quiet_start <= time(22, 0))
            or not (time(8, 0) <= self.quiet_end <= time(22, 0))
            or self.quiet_end >= self.quiet_start
        ):
            raise ValueError(
                f"quiet hours {self.quiet_start:%H:%M}–{self.quiet_end:%H:%M} must cover at least 22:00–08:00 "
                "(start between 08:00 and 22:00, end between 08:00 and 22:00, end before start)"
            )
        return self

    def is_quiet(self, local: time) -> bool:
        """True when `local` (a time of day in `timezone`) is inside the quiet window."""
        return local >= self.quiet_start or local < self.quiet_end


class WorkingDayCalendar(Section):
    """The working-day calendar (holidays and make-up working days, added a year at a time by administrators)."""

    warn_days_before_end: int = param(
        60,
        "practice",
        "administrators are warned from this many days before the working-day calendar runs out",
        ge=7,
        le=366,
    )


class Retention(Section):
    """How long arrears keeps what it holds after its purpose ends; `arrears purge` (the retention purge) removes
    or anonymises what is past its period. The SPEC has no retention clause: each period serves the clause whose
    records it keeps. A period runs from the day named in its meaning; a record is past it on the day after the
    period's last anniversary (closed 2019-06-30, 5 years: kept through 2024-06-30, purged from 2024-07-01).
    Ranges: bank practice in China keeps credit-business records at least 5 years after the relationship ends
    (personal data, letters); collection-call recordings at least 2 years (the credit-card rules' floor); the
    audit trail at least 5. A bank may keep longer, up to 30 (50 for the audit trail). The bank's own customer
    and transaction records stay in the core-banking system, which this does not touch."""

    personal_data_years: int = param(
        5,
        "PRV-1",
        "a borrower's personal data (name, ID number, phones, email, address, employer, income, contact persons) "
        "is anonymised this many years after their last loan closed, when none is active or written off",
        ge=5,
        le=30,
    )
    letters_years: int = param(
        5,
        "LTR-1",
        "a formal notice's PDF (and a print batch's) is deleted this many years after it was sent; the row, "
        "its figures and its SHA-256 stay",
        ge=5,
        le=30,
    )
    recordings_years: int = param(
        5,
        "CALL-3",
        "call recordings are deleted this many years after the day of the call",
        ge=2,
        le=30,
    )
    audit_years: int = param(
        10,
        "AUTH-4",
        "audit events are kept at least this many years; the hash-chained ledger is never cut, the purge "
        "reports how many events are past this",
        ge=5,
        le=50,
    )


class Policy(Section):
    """Every parameter of the collection policy; defaults are the SPEC's."""

    reminders: Reminders = Reminders()
    classes: Classes = Classes()
    buckets: Buckets = Buckets()
    calls: Calls = Calls()
    letters: Letters = Letters()
    tiers: Tiers = Tiers()
    plan: Plan = Plan()
    waiver: Waiver = Waiver()
    legal: Legal = Legal()
    agency: Agency = Agency()
    kpi: Kpi = Kpi()
    scorecard: Scorecard = Scorecard()
    complaints: Complaints = Complaints()
    quality: Quality = Quality()
    penalty: Penalty = Penalty()
    allocation: Allocation = Allocation()
    schedule: Schedule = Schedule()
    contact: Contact = Contact()
    calendar: WorkingDayCalendar = WorkingDayCalendar()
    retention: Retention = Retention()
