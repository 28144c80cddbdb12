"""The SPEC defaults, one clause at a time."""

from __future__ import annotations

from datetime import time
from decimal import Decimal

import pytest

from arrears.policy import SPEC_DEFAULTS, Policy, PolicyError, build_policy, parameter_rows

P = SPEC_DEFAULTS


def test_reminder_offsets_and_channels():
    """Clause: REM-1 — SMS (or email) 3 days before, phone reminder 1 day before."""
    assert (P.reminders.advance_days, P.reminders.phone_days_before) == (3, 1)
    assert P.reminders.advance_channels == ("sms", "email")
    assert P.reminders.default_channel == "sms"


def test_delinquency_class_bounds():
    """Clause: CLS-1 — mild 1–30, moderate 31–90, severe over 90."""
    assert (P.classes.mild_max_dpd, P.classes.moderate_max_dpd) == (30, 90)


def test_call_cadence_second_stage():
    """Clause: CALL-4 — DPD 31–60, next call every 5 to 7 days. Clause: CALL-1 — first stage up to DPD 30."""
    c = P.calls
    assert (c.second_stage_from_dpd, c.second_stage_to_dpd, c.min_interval_days, c.max_interval_days) == (31, 60, 5, 7)
    assert c.first_stage_max_dpd == 30


def test_letter_follow_up_in_working_days():
    """Clause: LTR-3 — confirmation call within 3 working days. Clause: LTR-2 — email or post."""
    assert P.letters.follow_up_working_days == 3
    assert P.letters.channels == ("email", "post")


def test_tiers():
    """Clause: TEAM-1, TEAM-2, TEAM-3 — junior to DPD 60, senior 61–90, high risk to seniors."""
    assert (P.tiers.junior_max_dpd, P.tiers.senior_max_dpd, P.tiers.high_risk_levels) == (60, 90, ("high",))


def test_plan_share_and_instalment_range():
    """Clause: PLAN-2, PLAN-3, PLAN-4 — 30% of income, 3 to 6 instalments, signed plans only."""
    assert P.plan.income_share == Decimal("0.30")
    assert (P.plan.min_instalments, P.plan.max_instalments) == (3, 6)
    assert P.plan.requires_signature is True


def test_waiver_conditions_and_cap():
    """Clause: WVR-1, WVR-2 — first delinquency, self-initiated, DPD ≤ 30, at most 20%."""
    w = P.waiver
    assert (w.max_share, w.max_dpd, w.first_delinquency_only, w.self_initiated_only) == (
        Decimal("0.20"),
        30,
        True,
        True,
    )


def test_legal_thresholds():
    """Clause: LGL-1, LGL-2 — DPD ≥ 90, 3 failed attempts, 30 days lost, litigation over 50,000."""
    g = P.legal
    assert (g.min_dpd, g.min_failed_attempts, g.lost_contact_days) == (90, 3, 30)
    assert g.litigation_min_amount == Decimal("50000")


def test_agency_rules():
    """Clause: AGY-1, AGY-3 — all three documents required; audited quarterly by default."""
    assert set(P.agency.required_documents) == {"business_licence", "collection_licence", "confidentiality_agreement"}
    assert P.agency.audit_interval_days == 90
    with pytest.raises(PolicyError, match="missing \\['confidentiality_agreement'\\]"):
        build_policy({"agency": {"required_documents": ["business_licence", "collection_licence"]}})


def test_agency_placement_period():
    """Clause: LGL-2, AGY-3 — a placement lasts 90 days unless given another, at most 180; three violations within
    a year suspend new placements; a default period longer than the longest is refused."""
    a = P.agency
    assert (a.placement_days, a.placement_max_days) == (90, 180)
    assert (a.suspend_after_violations, a.violation_window_days) == (3, 365)
    with pytest.raises(PolicyError, match="placement_days \\(200\\) must not exceed placement_max_days \\(180\\)"):
        build_policy({"agency": {"placement_days": 200}})


def test_kpi_targets():
    """Clause: KPI-1, KPI-2 — mild > 80%, severe > 50%, cost < 5%."""
    k = P.kpi
    assert (k.recovery_target_mild, k.recovery_target_severe, k.cost_rate_max) == (
        Decimal("0.80"),
        Decimal("0.50"),
        Decimal("0.05"),
    )


def test_complaint_deadlines():
    """Clause: CMP-1, CMP-2, CMP-3 — marked channel, 24 hours, 3 working days."""
    c = P.complaints
    assert (c.channel_marker, c.response_hours, c.investigation_working_days) == ("催收投诉", 24, 3)


def test_penalty_markup_basis_and_allocation():
    """Penalty section of SPEC: +50% markup (30–50% allowed), annual ÷ 360, compound interest on interest."""
    assert (P.penalty.markup, P.penalty.day_basis, P.penalty.compound_on_interest) == (Decimal("0.50"), 360, True)
    assert P.allocation.order == ("penalty_interest", "compound_interest", "interest", "principal")
    assert P.schedule.roll_non_working_due_date is False


def test_contact_rules_from_the_guidelines():
    """Quiet 22:00–08:00 Asia/Shanghai; 3 connected calls per borrower, 6 unanswered attempts per number a day."""
    c = P.contact
    assert (c.quiet_start, c.quiet_end, c.timezone) == (time(22, 0), time(8, 0), "Asia/Shanghai")
    assert (c.max_connected_calls_per_day, c.max_unanswered_attempts_per_day) == (3, 6)
    assert [c.is_quiet(t) for t in (time(7, 59), time(8, 0), time(21, 59), time(22, 0), time(0, 0))] == [
        True,
        False,
        False,
        True,
        True,
    ]


def test_every_parameter_has_a_clause_a_meaning_and_a_default():
    """The README's table is generated from these rows; none may be blank."""
    rows = parameter_rows(P)
    assert len(rows) == 94
    assert all(row["clause"] and row["meaning"] and row["meaning_zh"] and row["value"] for row in rows)


def test_every_section_has_titles_in_both_languages():
    """Staff screens show each section by name, zh-Hans first."""
    from arrears.policy.labels import MEANINGS_ZH, SECTION_TITLES

    assert set(SECTION_TITLES) == set(Policy.model_fields)
    assert set(MEANINGS_ZH) == {row["key"] for row in parameter_rows(P)}


def test_policy_is_immutable():
    """A policy changes only by a new version, never in place."""
    with pytest.raises(ValueError, match="frozen"):
        P.penalty.markup = Decimal("0.30")  # type: ignore[misc]
    assert Policy().penalty.markup == Decimal("0.50")


def test_the_desk_numbers_are_parameters():
    """Clause: CALL-3, LTR-1 — a promise within 30 days, a follow-up within 30 days outside the cadence, a call of
    at most 4 hours, the notice's deadline 7 days after issue; report buckets M1 to 30, M2 to 60, M3 to 90."""
    assert (P.calls.promise_max_days, P.calls.follow_up_max_days, P.calls.max_duration_seconds) == (30, 30, 14_400)
    assert P.letters.repay_within_days == 7
    assert (P.buckets.m1_max_dpd, P.buckets.m2_max_dpd, P.buckets.m3_max_dpd) == (30, 60, 90)
    with pytest.raises(ValueError, match="must rise"):
        Policy.model_validate({"buckets": {"m1_max_dpd": 60, "m2_max_dpd": 60}})


def test_retention_periods():
    """Clause: PRV-1, LTR-1, CALL-3, AUTH-4 — personal data, letters and recordings 5 years, audit events at least
    10; the audit period cannot go below 5 years."""
    r = P.retention
    assert (r.personal_data_years, r.letters_years, r.recordings_years, r.audit_years) == (5, 5, 5, 10)
    with pytest.raises(ValueError, match="audit_years"):
        Policy.model_validate({"retention": {"audit_years": 4}})


def test_telephony_and_recording_parameters():
    """Clause: CALL-3, QA-1 — a call record takes the telephony's duration of a call under way when it was saved or
    ended at most 15 minutes before; recordings, stored in arrears or in the recordings directory, are kept
    `retention.recordings_years` (5), never less than the 2 years recordings must be kept."""
    assert (P.calls.telephony_match_minutes, P.retention.recordings_years) == (15, 5)
    with pytest.raises(ValueError, match="recordings_years"):
        Policy.model_validate({"retention": {"recordings_years": 1}})
    with pytest.raises(ValueError, match="telephony_match_minutes"):
        Policy.model_validate({"calls": {"telephony_match_minutes": 0}})
