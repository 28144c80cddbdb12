"""Click parameter types shared by the commands: ISO dates, Decimal amounts (never float)."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

import click


class IsoDate(click.ParamType):
    """Exactly YYYY-MM-DD. `date.fromisoformat` alone also takes '20260115', '2026-W03-4' and even
    '20260115.0' on Python 3.11, which nobody means as a business date."""

    name = "date"
    _shape = re.compile(r"\d{4}-\d{2}-\d{2}")

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> date:
        if isinstance(value, date):
            return value
        text = str(value).strip()
        try:
            if not self._shape.fullmatch(text):
                raise ValueError(text)
            return date.fromisoformat(text)
        except ValueError:
            self.fail(f"{value!r} is not a date; write YYYY-MM-DD, e.g. 2026-03-01", param, ctx)


class DecimalAmount(click.ParamType):
    """A decimal number read from its text, so that 0.1 stays exactly 0.1."""

    name = "decimal"

    def __init__(self, minimum: Decimal | None = None, *, strict_minimum: bool = False):
        self.minimum = minimum
        self.strict_minimum = strict_minimum

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Decimal:
        if isinstance(value, Decimal):
            number = value
        else:
            try:
                number = Decimal(str(value).strip().replace(",", ""))
            except InvalidOperation:
                self.fail(f"{value!r} is not a number; write digits with an optional decimal point", param, ctx)
        if not number.is_finite():
            self.fail(f"{value!r} is not a finite number", param, ctx)
        if self.minimum is not None:
            too_small = number <= self.minimum if self.strict_minimum else number < self.minimum
            if too_small:
                relation = "greater than" if self.strict_minimum else "at least"
                self.fail(f"{value} must be {relation} {self.minimum}", param, ctx)
        return number


DATE = IsoDate()
AMOUNT = DecimalAmount(Decimal(0))
POSITIVE_AMOUNT = DecimalAmount(Decimal(0), strict_minimum=True)
RATE = DecimalAmount(Decimal(0))


class ChineseCommand(click.Command):
    """A command whose help is in Simplified Chinese (its output is): click's own words in the help page —
    the options heading, "required", "default" — in Chinese too; option names stay ASCII."""

    _WORDS = (("[required]", "[必填]"), ("[default: ", "[默认："))

    def format_options(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = []
        for param in self.get_params(ctx):
            if (row := param.get_help_record(ctx)) is not None:
                name, text = row
                for english, chinese in self._WORDS:
                    text = text.replace(english, chinese)
                rows.append((name, text))
        if rows:
            with formatter.section("选项"):
                formatter.write_dl(rows)

    def format_usage(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        formatter.write_usage(ctx.command_path, " ".join(self.collect_usage_pieces(ctx)), prefix="用法：")


class YearMonth(click.ParamType):
    """A calendar month, exactly YYYY-MM with ASCII digits and a month from 01 to 12, as
    `arrears.agencies.commissions.Month` (Django is set up on first use: the month type lives with the models)."""

    name = "month"
    _shape = re.compile(r"([0-9]{4})-([0-9]{2})")

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        found = self._shape.fullmatch(str(value).strip())
        if found is None or not 1 <= int(found[2]) <= 12 or int(found[1]) < 1:
            self.fail(f"{value!r}: write the month as YYYY-MM with a month from 01 to 12, e.g. 2026-03", param, ctx)
        from arrears.cli.web import setup_django

        setup_django()
        from arrears.agencies.commissions import Month

        return Month(int(found[1]), int(found[2]))


MONTH = YearMonth()
