"""`arrears calc schedule|penalty|plan|waiver`: JSON shapes, literal figures, text output and one-line errors."""

from __future__ import annotations

import json

import pytest

from arrears.cli import main

SCHEDULE = ["calc", "schedule", "--principal", "120000", "--annual-rate", "0.049", "--months", "12"]
SCHEDULE += ["--method", "equal-instalment", "--start", "2026-01-10"]
PENALTY = ["calc", "penalty", "--overdue-principal", "10000", "--overdue-interest", "362.50"]
PENALTY += ["--annual-rate", "0.0435", "--due", "2026-01-15", "--as-of", "2026-03-01"]
PLAN = ["calc", "plan", "--income", "10000", "--expenses", "3000", "--debts", "500", "--amount", "12000"]
WAIVER = ["calc", "waiver", "--penalty", "1000", "--dpd", "12", "--first-delinquency", "--self-initiated"]


def with_option(argv, option, value):
    """`argv` with `option`'s value replaced by `value`."""
    k = argv.index(option)
    return [*argv[: k + 1], value, *argv[k + 2 :]]


def run_json(capsys, argv):
    """Run the command with --json; it must succeed and print one JSON document."""
    assert main([*argv, "--json"]) == 0
    captured = capsys.readouterr()
    assert captured.err == ""
    return json.loads(captured.out)


def test_schedule_json_shape_and_figures(capsys):
    """The 120,000 / 4.9% / 12-month 等額本息 schedule: level 10,267.40, total interest 3,208.80."""
    out = run_json(capsys, [*SCHEDULE, "--no-roll"])
    assert set(out) == {"instalments", "total_interest"}
    assert len(out["instalments"]) == 12
    assert out["instalments"][0] == {
        "n": 1,
        "due_date": "2026-02-10",
        "principal": "9777.40",
        "interest": "490.00",
        "payment": "10267.40",
    }
    assert out["instalments"][-1] == {
        "n": 12,
        "due_date": "2027-01-10",
        "principal": "10225.65",
        "interest": "41.75",
        "payment": "10267.40",
    }
    assert out["total_interest"] == "3208.80"


@pytest.mark.parametrize(
    ("method", "first", "total_interest"),
    [
        ("equal-principal", {"principal": "10000.00", "interest": "490.00", "payment": "10490.00"}, "3185.00"),
        ("interest-only", {"principal": "0.00", "interest": "490.00", "payment": "490.00"}, "5880.00"),
        ("bullet", {"principal": "120000.00", "interest": "5880.00", "payment": "125880.00"}, "5880.00"),
    ],
)
def test_schedule_other_methods(capsys, method, first, total_interest):
    """Each method by name, with its first instalment and total interest."""
    argv = [*SCHEDULE[:-4], "--method", method, "--start", "2026-01-10", "--no-roll"]
    out = run_json(capsys, argv)
    assert {k: out["instalments"][0][k] for k in first} == first
    assert out["total_interest"] == total_interest


def test_schedule_month_end_start(capsys):
    """A loan from 2026-01-31 falls due on 02-28, 03-31, 04-30."""
    argv = ["calc", "schedule", "--principal", "3000", "--annual-rate", "0.05", "--months", "3"]
    out = run_json(capsys, [*argv, "--start", "2026-01-31", "--no-roll"])
    assert [i["due_date"] for i in out["instalments"]] == ["2026-02-28", "2026-03-31", "2026-04-30"]


def test_schedule_rolls_to_the_next_working_day_when_asked(capsys):
    """From 2026-01-01 the first due date, Sunday 2026-02-01, rolls to Monday 02-02 with --roll-to-working-day."""
    argv = ["calc", "schedule", "--principal", "1000", "--annual-rate", "0.05", "--months", "1"]
    argv += ["--start", "2026-01-01"]
    assert run_json(capsys, [*argv, "--no-roll"])["instalments"][0]["due_date"] == "2026-02-01"
    assert run_json(capsys, [*argv, "--roll-to-working-day"])["instalments"][0]["due_date"] == "2026-02-02"


def test_schedule_default_roll_follows_the_policy(capsys):
    """Without --roll/--no-roll the policy decides; the SPEC default does not roll (2026-02-01 stays)."""
    argv = ["calc", "schedule", "--principal", "1000", "--annual-rate", "0.05", "--months", "1"]
    out = run_json(capsys, [*argv, "--start", "2026-01-01"])
    assert out["instalments"][0]["due_date"] == "2026-02-01"


def test_schedule_text_table(capsys):
    """Without --json a readable table with a total line is printed."""
    assert main([*SCHEDULE, "--no-roll"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["n", "due", "date", "principal", "interest", "payment"]
    assert lines[1].split() == ["1", "2026-02-10", "9,777.40", "490.00", "10,267.40"]
    assert lines[-1].split() == ["total", "120,000.00", "3,208.80", "123,208.80"]


def test_penalty_json_worked_example(capsys):
    """Clause: LTR-1 — 10,000 + 362.50 overdue 45 days at 4.35% + 50%: 81.56 + 2.96 = 84.52, with the lines."""
    out = run_json(capsys, [*PENALTY, "--markup", "0.5", "--day-basis", "360", "--compound"])
    assert out == {
        "dpd": 45,
        "penalty_rate": "0.06525",
        "penalty_interest": "81.56",
        "compound_interest": "2.96",
        "total": "84.52",
        "lines": [
            "罚息年利率 = 合同年利率 0.0435 × (1 + 0.5) = 0.06525",
            "逾期本金 10,000.00 元 × 罚息日利率 0.06525/360 × 45 天 = 81.56 元",
            "逾期利息 362.50 元 × 罚息日利率 0.06525/360 × 45 天 = 2.96 元",
            "罚息 81.56 元 + 复利 2.96 元 = 合计 84.52 元",
        ],
    }


def test_penalty_defaults_come_from_the_policy(capsys):
    """Without --markup the policy's markup (0.50) and day basis (360) apply: the same 84.52."""
    out = run_json(capsys, PENALTY)
    assert (out["penalty_rate"], out["total"]) == ("0.06525", "84.52")


def test_penalty_markup_30_percent(capsys):
    """--markup 0.3: penalty rate 0.05655; 10,000 × 0.05655 / 360 × 45 = 70.6875 → 70.69."""
    out = run_json(capsys, [*PENALTY, "--markup", "0.3", "--day-basis", "360", "--compound"])
    assert (out["penalty_rate"], out["penalty_interest"]) == ("0.05655", "70.69")


def test_penalty_text_prints_the_notice_lines(capsys):
    """Clause: LTR-1 — the text output is the DPD line and the calculation lines."""
    assert main([*PENALTY, "--markup", "0.5", "--day-basis", "360", "--compound"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "逾期天数 45 天（2026-01-15 次日起至 2026-03-01）"
    assert "逾期本金 10,000.00 元 × 罚息日利率 0.06525/360 × 45 天 = 81.56 元" in lines


def test_plan_json_worked_example(capsys):
    """Clause: PLAN-2, PLAN-3 — income 10,000, expenses 3,000, debts 500, amount 12,000."""
    out = run_json(capsys, [*PLAN, "--on", "2026-03-01"])
    assert out["max_monthly_payment"] == "3000.00"
    assert [(o["instalments"], o["payment"], o["feasible"]) for o in out["options"]] == [
        (3, "4000.00", False),
        (4, "3000.00", True),
        (5, "2400.00", True),
        (6, "2000.00", True),
    ]
    assert out["options"][0]["reason"] == "月供 4000.00 超过可负担上限 3000.00（月收入 30%）"
    assert out["options"][1]["reason"] is None
    assert set(out["options"][0]) == {"instalments", "payment", "feasible", "reason"}


def test_plan_text(capsys):
    """Without --json the cap and one line per option are printed."""
    assert main([*PLAN, "--on", "2026-03-01"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "可负担月供上限 3,000.00 元"
    assert lines[2] == "4 期 × 3,000.00 元  可行"


def test_waiver_json_worked_example(capsys):
    """Clause: WVR-1, WVR-2 — penalty 1,000, DPD 12, first delinquency, borrower-initiated: at most 200.00."""
    out = run_json(capsys, [*WAIVER, "--on", "2026-03-01"])
    assert out == {"eligible": True, "max_waiver": "200.00", "reasons": []}


def test_waiver_flags_default_to_not_eligible(capsys):
    """Clause: WVR-1 — without the flags the borrower is neither first-time nor self-initiated: no waiver."""
    out = run_json(capsys, ["calc", "waiver", "--penalty", "1000", "--dpd", "45", "--on", "2026-03-01"])
    assert out == {
        "eligible": False,
        "max_waiver": "0.00",
        "reasons": [
            "WVR-1: not the borrower's first delinquency",
            "WVR-1: the borrower did not contact the bank on their own initiative",
            "WVR-1: DPD 45 exceeds 30",
        ],
    }


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        (with_option(SCHEDULE, "--principal", "abc"), "'abc' is not a number"),
        (with_option(SCHEDULE, "--principal", "-5"), "must be greater than 0"),
        (with_option(SCHEDULE, "--principal", "1.005"), "whole number of fen"),
        (with_option(SCHEDULE, "--annual-rate", "4.9"), "annual_rate must be a fraction"),
        (with_option(SCHEDULE, "--months", "0"), "--months"),
        (with_option(SCHEDULE, "--months", "601"), "--months"),
        (with_option(SCHEDULE, "--method", "foo"), "--method"),
        (with_option(SCHEDULE, "--start", "2026.01.10"), "is not a date"),
        (with_option(SCHEDULE, "--start", "2026-02-30"), "is not a date"),
        (["calc", "schedule", "--principal", "1000"], "Missing option"),
        (with_option(PENALTY, "--overdue-principal", "1e400x"), "is not a number"),
        (with_option(PENALTY, "--due", "20260115.0"), "is not a date"),
        ([*PENALTY, "--markup", "-0.1"], "--markup"),
        ([*PENALTY, "--day-basis", "0"], "--day-basis"),
        (with_option(PLAN, "--income", "-1"), "--income"),
        ([*PLAN, "--on", "tomorrow"], "is not a date"),
        (["calc", "waiver", "--penalty", "1000", "--dpd", "-3"], "--dpd"),
    ],
)
def test_bad_input_is_one_line_on_stderr(capsys, argv, fragment):
    """Bad arguments exit non-zero with one line on stderr naming the problem, and no traceback."""
    assert main(argv) != 0
    captured = capsys.readouterr()
    assert captured.out == ""
    err_lines = captured.err.strip().splitlines()
    assert len(err_lines) == 1
    assert fragment in err_lines[0]
    assert err_lines[0].startswith("arrears")
    assert "Traceback" not in captured.err


def test_a_due_date_outside_the_calendar_is_one_line(capsys):
    """Rolling a due date in a year the working-day calendar lacks is a one-line error, not a traceback."""
    argv = ["calc", "schedule", "--principal", "1000", "--annual-rate", "0.05", "--months", "1"]
    assert main([*argv, "--start", "2099-01-01", "--roll-to-working-day"]) != 0
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert "2099" in err[0]


def test_plan_with_the_loans_own_instalments_per_month(capsys):
    """Clause: PLAN-2 — amount 8,000 with the loans' own 1,023.72 falling due in plan months 2 and 3: 4 × 2,000.00
    costs 3,023.72 in month 2, above the 3,000.00 cap; 5 and 6 instalments fit."""
    argv = [*with_option(PLAN, "--amount", "8000"), "--own-month", "0", "--own-month", "1023.72"]
    out = run_json(capsys, [*argv, "--own-month", "1023.72", "--on", "2026-03-01"])
    assert [(o["instalments"], o["feasible"]) for o in out["options"]] == [(3, False), (4, False), (5, True), (6, True)]
    four = out["options"][1]
    assert (
        four["reason"] == "第 2 月：分期 2000.00 + 原贷款月供 1023.72 = 3023.72，超过可负担上限 3000.00（月收入 30%）"
    )
    assert four["months"][1] == {"month": 2, "plan": "2000.00", "own": "1023.72", "total": "3023.72"}
    assert main([*argv, "--own-month", "-1", "--on", "2026-03-01"]) != 0


def test_penalty_with_the_due_date_after_the_as_of_date_is_refused(capsys):
    """Clause: LTR-1 — a due date after the as-of date is a mistake, not 0 days overdue: exit 2, one line on
    stderr naming both dates and what to do, nothing on stdout."""
    argv = with_option(with_option(PENALTY, "--due", "2026-03-15"), "--as-of", "2026-03-01")
    assert main(argv) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.splitlines() == [
        "arrears calc penalty: error: 到期日 2026-03-15 晚于计算截止日 2026-03-01：--due 须不晚于 --as-of，"
        "请检查两个日期（尚未到期的分期没有罚息）"
    ]


def test_penalty_on_its_due_date_is_zero_days(capsys):
    """Clause: LTR-1 — on the due date itself nothing is overdue yet: 0 days, 0.00 元 (not an error)."""
    out = run_json(capsys, with_option(with_option(PENALTY, "--due", "2026-03-01"), "--as-of", "2026-03-01"))
    assert (out["dpd"], out["total"]) == (0, "0.00")


@pytest.mark.parametrize(
    ("command", "lines"),
    [
        (
            "penalty",
            [
                "用法：arrears calc penalty [选项]",
                "  --due DATE                   逾期分期的到期日（YYYY-MM-DD），不得晚于 --as-of。  [必填]",
                "  --overdue-interest DECIMAL   逾期利息，单位元。  [默认：0]",
            ],
        ),
        ("plan", ["用法：arrears calc plan [选项]", "  --income DECIMAL     借款人月收入，单位元。  [必填]"]),
    ],
)
def test_help_is_chinese_where_the_output_is(command, lines, capsys):
    """Clause: practice — `calc penalty` and `calc plan` print Chinese lines, so their help is Chinese too
    (option names stay ASCII); nothing of click's English is left."""
    assert main(["calc", command, "--help"]) == 0
    out = capsys.readouterr().out
    for line in lines:
        assert line in out.splitlines()
    for english in ("Usage:", "Options:", "[required]", "default:", "Show this message"):
        assert english not in out
