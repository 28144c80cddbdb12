"""Contact rules at their edges: quiet hours, the daily caps, holds; each refusal names its rule and the next
allowed time."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from arrears.compliance.contact import ContactVerdict, HoldInForce, check_contact
from arrears.policy import Policy, parse_policy_toml

SHANGHAI = ZoneInfo("Asia/Shanghai")
RULES = Policy().contact


def at(hour: int, minute: int, day: int = 2) -> datetime:
    return datetime(2026, 12, day, hour, minute, tzinfo=SHANGHAI)


@pytest.mark.parametrize(
    ("when", "allowed", "next_at"),
    [
        (at(21, 59), True, None),
        (at(22, 0), False, at(8, 0, day=3)),
        (at(23, 30), False, at(8, 0, day=3)),
        (at(0, 15), False, at(8, 0)),
        (at(7, 59), False, at(8, 0)),
        (at(8, 0), True, None),
    ],
)
def test_quiet_hours_at_their_edges(when, allowed, next_at):
    """Guideline (policy `contact.*`): no contact from 22:00 to 08:00 Beijing time; the refusal says when it opens again."""
    verdict = check_contact(when, RULES)
    assert verdict.allowed is allowed
    assert verdict.next_allowed_at == next_at
    if not allowed:
        assert verdict.rule == "quiet_hours"
        assert f"{when:%H:%M} is inside the quiet hours 22:00–08:00 (Asia/Shanghai)" == verdict.reason


def test_quiet_hours_are_local_whatever_the_clock_of_the_caller():
    """Guideline (policy `contact.*`): 14:30 UTC is 22:30 in Shanghai: refused; 23:59 UTC is 07:59 next morning: refused."""
    utc = ZoneInfo("UTC")
    assert check_contact(datetime(2026, 12, 2, 14, 30, tzinfo=utc), RULES).rule == "quiet_hours"
    assert check_contact(datetime(2026, 12, 2, 23, 59, tzinfo=utc), RULES).rule == "quiet_hours"
    assert check_contact(datetime(2026, 12, 3, 0, 0, tzinfo=utc), RULES).allowed


def test_the_fourth_connected_call_of_the_day_is_refused():
    """Guideline (policy `contact.*`): at most 3 connected calls a day: the 4th is refused until tomorrow 08:00."""
    assert check_contact(at(15, 0), RULES, connected_calls_today=2).allowed
    verdict = check_contact(at(15, 0), RULES, connected_calls_today=3)
    assert verdict == ContactVerdict(
        False,
        "connected_calls",
        "3 connected calls today; at most 3 a day",
        at(8, 0, day=3),
        {"count": "3", "cap": "3"},
    )


def test_the_seventh_attempt_on_a_number_is_refused():
    """Guideline (policy `contact.*`): at most 6 unanswered attempts per number a day: the 7th is refused."""
    assert check_contact(at(15, 0), RULES, unanswered_attempts_today=5).allowed
    verdict = check_contact(at(15, 0), RULES, unanswered_attempts_today=6)
    assert (verdict.allowed, verdict.rule, verdict.next_allowed_at) == (False, "unanswered_attempts", at(8, 0, day=3))


def test_the_caps_are_for_calls_and_a_stricter_policy_lowers_them():
    """Guideline (policy `contact.*`): an SMS is not a call; a bank allowing 2 connected calls refuses the 3rd."""
    assert check_contact(at(15, 0), RULES, channel="sms", connected_calls_today=3).allowed
    strict = parse_policy_toml("effective_from = 2026-01-01\n[contact]\nmax_connected_calls_per_day = 2\n").policy
    assert check_contact(at(15, 0), strict.contact, connected_calls_today=2).rule == "connected_calls"


def test_a_hold_stops_every_contact_until_it_ends():
    """A complaint under investigation until 5 December: nothing until 6 December 08:00; a legal
    hold without an end: nothing, and no date to give."""
    verdict = check_contact(at(10, 0), RULES, channel="sms", holds=[HoldInForce("complaint", date(2026, 12, 5))])
    assert (verdict.allowed, verdict.rule, verdict.next_allowed_at) == (False, "hold", at(8, 0, day=6))
    assert "complaint" in verdict.reason
    endless = check_contact(
        at(10, 0), RULES, holds=[HoldInForce("legal", None), HoldInForce("dispute", date(2026, 12, 9))]
    )
    assert (endless.allowed, endless.next_allowed_at) == (False, None)
    assert endless.reason == "a hold is in force (dispute, legal); no contact until it ends"


def test_bad_input_is_refused_with_what_to_do():
    with pytest.raises(ValueError, match="naive; pass an aware datetime"):
        check_contact(datetime(2026, 12, 2, 10, 0), RULES)  # noqa: DTZ001 - the naive value under test
    with pytest.raises(ValueError, match="unknown channel 'fax'"):
        check_contact(at(10, 0), RULES, channel="fax")
