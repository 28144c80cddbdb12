"""The feed's files and columns as data: what `docs/feed-format.md` says, in the form the reader, the validator
and the loader share. Pure Python, no Django."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Kind(StrEnum):
    TEXT = "text"
    AMOUNT = "amount"  # yuan, at most two decimals, stored as Int64 fen
    RATE = "rate"  # decimal fraction, at most 8 decimals
    INT = "int"
    DATE = "date"
    BOOL = "bool"
    CHOICE = "choice"
    ID_NUMBER = "id_number"  # GB 11643 resident ID, check digit verified
    MOBILE = "mobile"
    PHONE = "phone"
    EMAIL = "email"


@dataclass(frozen=True)
class Column:
    name: str
    kind: Kind
    required: bool
    max_len: int | None = None
    choices: tuple[str, ...] = ()
    # INT: inclusive bounds. AMOUNT: positive=True refuses 0. RATE: inclusive lower, exclusive/inclusive upper
    # written as 8-decimal integers (0.30 → 30_000_000).
    low: int | None = None
    high: int | None = None
    positive: bool = False
    decimals: int = 8  # RATE: most decimals kept (the database column's scale)
    default: str | bool | None = None


@dataclass(frozen=True)
class FileSpec:
    name: str
    key: tuple[str, ...]
    columns: tuple[Column, ...]
    parent: str | None = None  # the file whose rows this file's rows refer to
    ref: str | None = None  # the column holding the parent's key

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.required)


RATE_ONE = 100_000_000  # 1.0 as an 8-decimal integer
_TEXT32 = {"kind": Kind.TEXT, "max_len": 32}

BORROWERS = FileSpec(
    "borrowers",
    key=("borrower_id",),
    columns=(
        Column("borrower_id", required=True, **_TEXT32),
        Column("name", Kind.TEXT, required=True, max_len=100),
        Column("id_number", Kind.ID_NUMBER, required=True),
        Column("mobile", Kind.MOBILE, required=True),
        Column("phone_alt", Kind.PHONE, required=False, max_len=20, default=""),
        Column("email", Kind.EMAIL, required=False, max_len=254, default=""),
        Column("address", Kind.TEXT, required=False, max_len=255, default=""),
        Column("employer", Kind.TEXT, required=False, max_len=200, default=""),
        Column("monthly_income", Kind.AMOUNT, required=False),
        Column("risk_level", Kind.CHOICE, required=True, choices=("low", "medium", "high")),
        Column("preferred_channel", Kind.CHOICE, required=False, choices=("sms", "email"), default="sms"),
        Column("consent_sms", Kind.BOOL, required=False, default=False),
        Column("consent_email", Kind.BOOL, required=False, default=False),
        Column("consent_phone", Kind.BOOL, required=False, default=False),
        Column("language", Kind.CHOICE, required=False, choices=("zh-hans", "en"), default="zh-hans"),
    ),
)

CONTACTS = FileSpec(
    "contacts",
    key=("borrower_id", "phone"),
    parent="borrowers",
    ref="borrower_id",
    columns=(
        Column("borrower_id", required=True, **_TEXT32),
        Column("name", Kind.TEXT, required=True, max_len=100),
        Column(
            "relation",
            Kind.CHOICE,
            required=True,
            choices=("spouse", "parent", "child", "sibling", "relative", "friend", "colleague", "other"),
        ),
        Column("phone", Kind.PHONE, required=True, max_len=20),
    ),
)

LOANS = FileSpec(
    "loans",
    key=("loan_id",),
    parent="borrowers",
    ref="borrower_id",
    columns=(
        Column("loan_id", required=True, **_TEXT32),
        Column("borrower_id", required=True, **_TEXT32),
        Column("product", Kind.TEXT, required=True, max_len=50),
        Column("principal", Kind.AMOUNT, required=True, positive=True),
        Column("annual_rate", Kind.RATE, required=True, low=0, high=RATE_ONE - 1),
        Column("penalty_markup", Kind.RATE, required=False, low=30_000_000, high=50_000_000, decimals=4),
        Column("term_months", Kind.INT, required=True, low=1, high=600),
        Column(
            "method",
            Kind.CHOICE,
            required=True,
            choices=("equal-instalment", "equal-principal", "interest-only", "bullet"),
        ),
        Column("start_date", Kind.DATE, required=True),
        Column("status", Kind.CHOICE, required=True, choices=("active", "closed", "written_off")),
    ),
)

SCHEDULES = FileSpec(
    "schedules",
    key=("loan_id", "n"),
    parent="loans",
    ref="loan_id",
    columns=(
        Column("loan_id", required=True, **_TEXT32),
        Column("n", Kind.INT, required=True, low=1, high=600),
        Column("due_date", Kind.DATE, required=True),
        Column("principal", Kind.AMOUNT, required=True),
        Column("interest", Kind.AMOUNT, required=True),
    ),
)

PAYMENTS = FileSpec(
    "payments",
    key=("payment_id",),
    parent="loans",
    ref="loan_id",
    columns=(
        Column("payment_id", Kind.TEXT, required=True, max_len=40),
        Column("loan_id", required=True, **_TEXT32),
        Column("paid_on", Kind.DATE, required=True),
        Column("amount", Kind.AMOUNT, required=True, positive=True),
    ),
)

# The loans' delinquency history as the core system knows it, from before arrears went live (WVR-1 reads it
# with the nightly run's own records): a loan's class from `effective_on` on, one row per change.
DELINQUENCY_HISTORY = FileSpec(
    "delinquency_history",
    key=("loan_id", "effective_on"),
    parent="loans",
    ref="loan_id",
    columns=(
        Column("loan_id", required=True, **_TEXT32),
        Column("effective_on", Kind.DATE, required=True),
        Column("dpd", Kind.INT, required=True, low=0, high=36_500),
        Column("delinquency_class", Kind.CHOICE, required=True, choices=("current", "mild", "moderate", "severe")),
    ),
)

# Holds placed in the core system (a dispute, a complaint, a legal matter): while one is in force arrears sends
# no reminder and makes no collection contact for the borrower, or for the one loan it names.
HOLDS = FileSpec(
    "holds",
    key=("hold_id",),
    parent="borrowers",
    ref="borrower_id",
    columns=(
        Column("hold_id", Kind.TEXT, required=True, max_len=40),
        Column("borrower_id", required=True, **_TEXT32),
        Column("loan_id", required=False, **_TEXT32),
        Column(
            "kind",
            Kind.CHOICE,
            required=True,
            choices=("dispute", "complaint", "legal", "deceased", "fraud_claim", "bankruptcy"),
        ),
        Column("reason", Kind.TEXT, required=True, max_len=500),
        Column("starts_on", Kind.DATE, required=True),
        Column("ends_on", Kind.DATE, required=False),
        Column("released_on", Kind.DATE, required=False),
    ),
)

# In load order: a file comes after the file it refers to.
FILES: tuple[FileSpec, ...] = (BORROWERS, CONTACTS, LOANS, SCHEDULES, PAYMENTS, DELINQUENCY_HISTORY, HOLDS)
SPECS: dict[str, FileSpec] = {spec.name: spec for spec in FILES}
REQUIRED_FILES = ("borrowers", "loans")
SUFFIXES = (".csv", ".parquet")
