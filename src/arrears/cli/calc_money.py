"""`arrears calc schedule|penalty|plan|waiver`: the money figures of `arrears.finance` from the command line.

    arrears calc schedule --principal 120000 --annual-rate 0.049 --months 12 --start 2026-01-10 --json
    arrears calc penalty --overdue-principal 10000 --overdue-interest 362.50 --annual-rate 0.0435 \\
        --due 2026-01-15 --as-of 2026-03-01 --markup 0.5 --json
    arrears calc plan --income 10000 --expenses 3000 --debts 500 --amount 12000 --json
    arrears calc waiver --penalty 1000 --dpd 12 --first-delinquency --self-initiated --json

How this works: options are parsed from their text into Decimal (never float) by the shared parameter
types, dates by a strict YYYY-MM-DD type; whatever an option leaves out comes from the policy in force
(`arrears.policy.policy_on`) on the command's business date (the start date, the as-of date, or `--on`,
which defaults to today — chosen here at the edge, never in the finance core). The policy and calendar
modules are imported inside the commands, so the fully explicit paths need neither. A `FinanceError`
becomes a `click.UsageError`, a policy error or a calendar gap a `click.ClickException`: one line on stderr,
a non-zero exit, no traceback. JSON money is a string with two decimals; the JSON shapes are a contract
other tools read.
"""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from typing import Any

import click

from arrears.cli.params import AMOUNT, DATE, POSITIVE_AMOUNT, RATE, ChineseCommand
from arrears.finance import (
    METHODS,
    FinanceError,
    build_schedule,
    format_money,
    format_plain,
    penalty_interest,
    plan_options,
    waiver_limit,
)
from arrears.finance.schedule import EQUAL_INSTALMENT, MAX_MONTHS

__all__ = ["penalty", "plan", "schedule", "waiver"]


def _policy(on: date) -> Any:
    """The policy in force on `on`; its errors become one-line ClickExceptions."""
    from arrears.policy import PolicyError, policy_on

    try:
        return policy_on(on)
    except PolicyError as exc:
        raise click.ClickException(str(exc)) from None


def _refused(exc: Exception) -> click.UsageError:
    """A FinanceError is bad input: a usage error naming the command, in one line."""
    return click.UsageError(str(exc), ctx=click.get_current_context(silent=True))


def _today() -> date:
    return date.today()  # noqa: DTZ011 - the user's "now" is chosen here, at the edge, never in finance logic


def _emit(payload: dict[str, Any], as_json: bool, text_lines: list[str]) -> None:
    if as_json:
        click.echo(json.dumps(payload, ensure_ascii=False))
    else:
        for line in text_lines:
            click.echo(line)


def _money(value: Decimal) -> str:
    return format_money(value)


def _grouped(value: Decimal) -> str:
    return format_money(value, grouping=True)


# --- schedule ----------------------------------------------------------------------------------------------


@click.command()
@click.option("--principal", type=POSITIVE_AMOUNT, required=True, help="Loan principal in 元, e.g. 120000.")
@click.option("--annual-rate", type=RATE, required=True, help="Contract annual rate as a fraction, e.g. 0.049.")
@click.option("--months", type=click.IntRange(1, MAX_MONTHS), required=True, help="Term in months (1–600).")
@click.option(
    "--method", type=click.Choice(METHODS), default=EQUAL_INSTALMENT, show_default=True, help="Repayment method."
)
@click.option("--start", type=DATE, required=True, help="Loan start date (YYYY-MM-DD); due dates follow its day.")
@click.option(
    "--roll-to-working-day/--no-roll",
    "roll",
    default=None,
    help="Move a due date on a non-working day to the next working day (default: as the policy says).",
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON for a machine to read.")
def schedule(
    principal: Decimal,
    annual_rate: Decimal,
    months: int,
    method: str,
    start: date,
    roll: bool | None,
    as_json: bool,
) -> None:
    """Repayment schedule: 等額本息, 等額本金, 先息後本 or 到期一次還本付息."""
    if roll is None:
        roll = bool(_policy(start).schedule.roll_non_working_due_date)
    is_working_day = None
    if roll:
        from arrears.workdays import is_working_day
    try:
        result = build_schedule(
            principal=principal,
            annual_rate=annual_rate,
            months=months,
            method=method,
            start=start,
            is_working_day=is_working_day,
        )
    except FinanceError as exc:
        raise _refused(exc) from None
    except LookupError as exc:  # a due date in a year the working-day calendar does not know yet
        raise click.ClickException(str(exc)) from None
    payload = {
        "instalments": [
            {
                "n": row.n,
                "due_date": row.due_date.isoformat(),
                "principal": _money(row.principal),
                "interest": _money(row.interest),
                "payment": _money(row.payment),
            }
            for row in result.instalments
        ],
        "total_interest": _money(result.total_interest),
    }
    widths = "{:>4}  {:<10}  {:>14}  {:>12}  {:>14}"
    lines = [widths.format("n", "due date", "principal", "interest", "payment")]
    lines += [
        widths.format(
            row.n, row.due_date.isoformat(), _grouped(row.principal), _grouped(row.interest), _grouped(row.payment)
        )
        for row in result.instalments
    ]
    lines.append(
        widths.format(
            "",
            "total",
            _grouped(result.total_principal),
            _grouped(result.total_interest),
            _grouped(result.total_payment),
        )
    )
    _emit(payload, as_json, lines)


# Help in Simplified Chinese where the command's output is Chinese (penalty, plan); option names stay ASCII.
_PENALTY_HELP = """计算单期逾期分期的罚息与复利，按通知书的写法逐行列出。Clause: LTR-1.

逾期天数自到期日次日起算至 --as-of（含）。未给出的加点比例、计息天数和复利规则取 --as-of 当日生效的政策。
到期日晚于 --as-of 时报错。"""

_PLAN_HELP = """还款计划的各期数方案，以及借款人每月是否负担得起。Clause: PLAN-1, PLAN-2, PLAN-3.

可负担月供上限 =（月收入 − 生活支出 − 其他债务月供）× 政策规定的收入占比。"""


# --- penalty -----------------------------------------------------------------------------------------------


@click.command(
    cls=ChineseCommand, help=_PENALTY_HELP, short_help="罚息与复利（逐行列出计算过程）", options_metavar="[选项]"
)
@click.option("--overdue-principal", type=AMOUNT, required=True, help="逾期本金，单位元，例如 10000。")
@click.option("--overdue-interest", type=AMOUNT, default="0", show_default=True, help="逾期利息，单位元。")
@click.option("--annual-rate", type=RATE, required=True, help="合同年利率（小数），例如 0.0435。")
@click.option("--due", "due_date", type=DATE, required=True, help="逾期分期的到期日（YYYY-MM-DD），不得晚于 --as-of。")
@click.option("--as-of", "as_of", type=DATE, required=True, help="计算截止日（YYYY-MM-DD，含当日）。")
@click.option("--markup", type=RATE, help="罚息上浮比例，例如 0.5 即上浮 50%（默认：按政策）。")
@click.option("--day-basis", type=click.Choice(["360", "365"]), help="年计息天数（默认：按政策）。")
@click.option(
    "--compound/--no-compound",
    "compound",
    default=None,
    help="是否对逾期利息计收复利（默认：按政策）。",
)
@click.option("--json", "as_json", is_flag=True, help="输出 JSON，供程序读取。")
@click.help_option("-h", "--help", help="显示本帮助并退出。")
def penalty(
    overdue_principal: Decimal,
    overdue_interest: Decimal,
    annual_rate: Decimal,
    due_date: date,
    as_of: date,
    markup: Decimal | None,
    day_basis: str | None,
    compound: bool | None,
    as_json: bool,
) -> None:
    """Penalty interest (罚息) and compound interest (复利) on one overdue instalment, as a notice prints it.

    Clause: LTR-1.
    """
    if due_date > as_of:  # the finance core counts such an instalment as 0 days overdue: here it is a typo
        raise click.UsageError(
            f"到期日 {due_date.isoformat()} 晚于计算截止日 {as_of.isoformat()}：--due 须不晚于 --as-of，"
            "请检查两个日期（尚未到期的分期没有罚息）",
            ctx=click.get_current_context(silent=True),
        )
    basis = int(day_basis) if day_basis is not None else None
    if markup is None or basis is None or compound is None:
        rules = _policy(as_of).penalty
        markup = rules.markup if markup is None else markup
        basis = int(rules.day_basis) if basis is None else basis
        compound = bool(rules.compound_on_interest) if compound is None else compound
    try:
        result = penalty_interest(
            overdue_principal=overdue_principal,
            overdue_interest=overdue_interest,
            annual_rate=annual_rate,
            due_date=due_date,
            as_of=as_of,
            markup=markup,
            day_basis=basis,
            compound_on_interest=compound,
        )
    except FinanceError as exc:
        raise _refused(exc) from None
    payload = {
        "dpd": result.dpd,
        "penalty_rate": format_plain(result.penalty_rate),
        "penalty_interest": _money(result.penalty_interest),
        "compound_interest": _money(result.compound_interest),
        "total": _money(result.total),
        "lines": list(result.lines),
    }
    header = f"逾期天数 {result.dpd} 天（{due_date.isoformat()} 次日起至 {as_of.isoformat()}）"
    _emit(payload, as_json, [header, *result.lines])


# --- plan --------------------------------------------------------------------------------------------------


@click.command(cls=ChineseCommand, help=_PLAN_HELP, short_help="还款计划方案及可负担性", options_metavar="[选项]")
@click.option("--income", type=AMOUNT, required=True, help="借款人月收入，单位元。")
@click.option("--expenses", type=AMOUNT, required=True, help="每月生活支出，单位元。")
@click.option("--debts", type=AMOUNT, required=True, help="每月其他债务还款，单位元。")
@click.option("--amount", type=POSITIVE_AMOUNT, required=True, help="还款计划须偿还的金额，单位元。")
@click.option(
    "--own-month",
    "own",
    type=AMOUNT,
    multiple=True,
    help="计划第 1、2……个月内贷款本身到期的分期金额，单位元；每月一次，按顺序重复"
    "（PLAN-2：每月计划还款加上这些须可负担）。",
)
@click.option("--on", "on", type=DATE, help="适用其政策的业务日期（YYYY-MM-DD）；默认：今天。")
@click.option("--json", "as_json", is_flag=True, help="输出 JSON，供程序读取。")
@click.help_option("-h", "--help", help="显示本帮助并退出。")
def plan(
    income: Decimal,
    expenses: Decimal,
    debts: Decimal,
    amount: Decimal,
    own: tuple[Decimal, ...],
    on: date | None,
    as_json: bool,
) -> None:
    """Instalment-plan options and whether the borrower can afford each. Clause: PLAN-1, PLAN-2, PLAN-3."""
    rules = _policy(on or _today()).plan
    try:
        result = plan_options(
            income=income,
            expenses=expenses,
            debts=debts,
            amount=amount,
            income_share=rules.income_share,
            min_instalments=int(rules.min_instalments),
            max_instalments=int(rules.max_instalments),
            own_instalments=own,
        )
    except FinanceError as exc:
        raise _refused(exc) from None
    payload = {
        "max_monthly_payment": _money(result.max_monthly_payment),
        "options": [
            {
                "instalments": option.instalments,
                "payment": _money(option.payment),
                "feasible": option.feasible,
                "reason": option.reason,
            }
            | (
                {
                    "months": [
                        {"month": m.month, "plan": _money(m.plan), "own": _money(m.own), "total": _money(m.total)}
                        for m in option.months
                    ]
                }
                if own
                else {}
            )
            for option in result.options
        ],
    }
    lines = [f"可负担月供上限 {_grouped(result.max_monthly_payment)} 元"]
    for option in result.options:
        terms = f"{option.instalments} 期 × {_grouped(option.payment)} 元"
        if option.payments and option.payments[-1] != option.payment:
            terms += f"（末期 {_grouped(option.payments[-1])} 元）"
        verdict = "可行" if option.feasible else f"不可行：{option.reason}"
        lines.append(f"{terms}  {verdict}")
    _emit(payload, as_json, lines)


# --- waiver ------------------------------------------------------------------------------------------------


@click.command()
@click.option("--penalty", "penalty_total", type=AMOUNT, required=True, help="Total penalty interest in 元.")
@click.option("--dpd", type=click.IntRange(min=0), required=True, help="Days past due.")
@click.option(
    "--first-delinquency/--not-first-delinquency",
    default=False,
    show_default=True,
    help="Whether this is the borrower's first delinquency.",
)
@click.option(
    "--self-initiated/--bank-initiated",
    default=False,
    show_default=True,
    help="Whether the borrower contacted the bank on their own initiative.",
)
@click.option("--on", "on", type=DATE, help="Business date whose policy applies (YYYY-MM-DD); default: today.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON for a machine to read.")
def waiver(
    penalty_total: Decimal,
    dpd: int,
    first_delinquency: bool,
    self_initiated: bool,
    on: date | None,
    as_json: bool,
) -> None:
    """The largest penalty waiver allowed, or why none is. Clause: WVR-1, WVR-2."""
    rules = _policy(on or _today()).waiver
    try:
        result = waiver_limit(
            penalty=penalty_total,
            dpd=dpd,
            first_delinquency=first_delinquency,
            self_initiated=self_initiated,
            max_share=rules.max_share,
            max_dpd=int(rules.max_dpd),
        )
    except FinanceError as exc:
        raise _refused(exc) from None
    payload = {"eligible": result.eligible, "max_waiver": _money(result.max_waiver), "reasons": list(result.reasons)}
    if result.eligible:
        lines = [f"eligible: a waiver of at most {_grouped(result.max_waiver)} 元"]
    else:
        lines = ["not eligible for a waiver (max 0.00 元):", *(f"  {reason}" for reason in result.reasons)]
    _emit(payload, as_json, lines)
