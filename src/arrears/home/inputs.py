"""What a request may carry, checked where it is read: ids and numbers in ASCII digits only, within range.

Python's `int()` and `Decimal()` — and so Django's IntegerField, DecimalField and DateField — accept any Unicode
decimal digit: `int("３")` is 3 and `int("٣")` is 3, while `"²".isdigit()` is True and `int("²")` fails. A number
typed with a full-width or Arabic-Indic digit is therefore refused with the form's message, never read as some
other number, and an id that is not plain ASCII digits is no id at all (the page answers 404 or the form says
what is wrong). NUL characters never get this far (`arrears.home.middleware.RefuseNul`).
"""

from __future__ import annotations

import re

from django import forms
from django.db import models
from django.utils.translation import gettext_lazy

ASCII_UNSIGNED = re.compile(r"[0-9]{1,19}")
# The largest id the database's 64-bit keys hold (BigAutoField).
MAX_ID = 2**63 - 1
ASCII_ONLY = gettext_lazy("Use the digits 0–9 only (not full-width or other digits).")


def parse_id(raw: object) -> int | None:
    """An object id from a query or form value: ASCII digits within the database's range, else None."""
    if not isinstance(raw, str) or not ASCII_UNSIGNED.fullmatch(raw.strip()):
        return None
    value = int(raw.strip())
    return value if 0 < value <= MAX_ID else None


def only_ascii(value: str) -> bool:
    """True when a number as typed uses ASCII characters only (digits, sign, point, exponent, separators)."""
    return value.isascii()


class _AsciiOnly:
    """A form field that refuses a value typed with non-ASCII digits before Django's parsing (which takes them)."""

    def to_python(self, value):
        if isinstance(value, str) and not only_ascii(value):
            raise forms.ValidationError(ASCII_ONLY, code="invalid")
        return super().to_python(value)


class IntegerField(_AsciiOnly, forms.IntegerField):
    """`forms.IntegerField` in ASCII digits only; without an explicit `max_value`, at most what a 32-bit
    column holds (so a 10^30 is the form's message, not a database error)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_value", 2**31 - 1)
        super().__init__(*args, **kwargs)


class DecimalField(_AsciiOnly, forms.DecimalField):
    """`forms.DecimalField` in ASCII digits only."""


class DateField(_AsciiOnly, forms.DateField):
    """`forms.DateField` in ASCII digits only (`strptime` takes full-width digits)."""


# The model fields whose admin form fields parse digits: numbers, dates and times, and choices by id.
NUMBER_COLUMNS = (
    models.IntegerField,
    models.DecimalField,
    models.FloatField,
    models.DateField,  # and DateTimeField
    models.TimeField,
    models.DurationField,
    models.ForeignKey,
    models.ManyToManyField,
)


def ascii_only(field: forms.Field) -> forms.Field:
    """`field`, refusing a value (or any part of a split or multiple value) typed with non-ASCII characters."""
    clean = field.clean

    def checked(value):
        parts = value if isinstance(value, list | tuple) else [value]
        if any(isinstance(part, str) and not only_ascii(part) for part in parts):
            raise forms.ValidationError(ASCII_ONLY, code="invalid")
        return clean(value)

    field.clean = checked
    return field


class AsciiNumbersAdmin:
    """A ModelAdmin mixin: the admin's number, date and by-id choice fields take ASCII digits only (Django's own
    read `２０２７-01-01` as a date and `３` as the object with id 3)."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        return ascii_only(field) if field is not None and isinstance(db_field, NUMBER_COLUMNS) else field
