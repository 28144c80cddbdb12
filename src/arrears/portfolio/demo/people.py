"""Synthetic borrowers and their contact persons, a chunk at a time, without a loop per person.

How this works: every attribute is drawn as a numpy array of indices into the word lists (`words`), then
gathered and concatenated column-wise by polars. Identifiers that must be unique (ID numbers, phones) are
keyed permutations of the borrower's running number (`ids`), so chunks never collide.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import polars as pl

from arrears.portfolio.demo import ids, words
from arrears.portfolio.demo.draw import choice, gather, keep

__all__ = ["PeopleKeys", "make_borrowers", "make_contacts"]

_EPOCH = date(1970, 1, 1)
_SURNAME_P = np.array([w for _, _, w in words.SURNAMES]) / sum(w for _, _, w in words.SURNAMES)
_REGION_P = np.array([r[3] for r in words.REGIONS]) / sum(r[3] for r in words.REGIONS)
_RISK_LEVELS = ("low", "medium", "high")
_RISK_P = (0.70, 0.22, 0.08)
_CONTACTS_P = (0.20, 0.50, 0.30)  # borrowers with 0, 1, 2 contact persons


@dataclass(frozen=True)
class PeopleKeys:
    """Permutation keys derived from the seed: the same seed numbers the same people the same way."""

    id_number: int
    mobile: int
    phone: int

    @classmethod
    def from_seed(cls, seed: int) -> PeopleKeys:
        a, b, c = (int(x) for x in np.random.SeedSequence([seed, 0x1D]).generate_state(3, dtype=np.uint32))
        return cls(id_number=a, mobile=b, phone=c)


def _digits(values: np.ndarray) -> pl.Series:
    return pl.Series(values, dtype=pl.Int64).cast(pl.String)


def _given_names(rng: np.random.Generator, n: int) -> tuple[pl.Series, pl.Series]:
    """Given names (one or two characters; two in three quarters) and their pinyin."""
    chars = [c for c, _ in words.GIVEN_CHARS] + [""]  # the last entry: no second character
    pinyin = [p for _, p in words.GIVEN_CHARS] + [""]
    first = rng.integers(0, len(chars) - 1, n)
    second = rng.integers(0, len(chars) - 1, n)
    second[rng.random(n) >= 0.75] = len(chars) - 1
    return gather(chars, first) + gather(chars, second), gather(pinyin, first) + gather(pinyin, second)


def _addresses(rng: np.random.Generator, region: np.ndarray) -> pl.Series:
    n = len(region)
    number = np.exp(rng.random(n) * np.log(600)).astype(np.int64) + 1
    in_estate = pl.Series(rng.random(n) < 0.7)
    building = _digits(rng.integers(1, 31, n))
    room = _digits(rng.integers(1, 34, n) * 100 + rng.integers(1, 7, n))
    estate = gather(words.ESTATES, rng.integers(0, len(words.ESTATES), n)) + building + "栋" + room + "室"
    street = gather([r[1] for r in words.REGIONS], region) + gather(
        words.STREETS, rng.integers(0, len(words.STREETS), n)
    )
    tail = pl.select(pl.when(in_estate).then(estate).otherwise(pl.lit(""))).to_series()
    return street + _digits(number) + "号" + tail


def _employers(rng: np.random.Generator, region: np.ndarray) -> pl.Series:
    n = len(region)
    brand = list(words.BRAND_CHARS)
    name = (
        gather([r[2] for r in words.REGIONS], region)
        + gather(brand, rng.integers(0, len(brand), n))
        + gather(brand, rng.integers(0, len(brand), n))
        + gather(words.INDUSTRIES, rng.integers(0, len(words.INDUSTRIES), n))
        + gather([f for f, _ in words.LEGAL_FORMS], choice(rng, n, tuple(p for _, p in words.LEGAL_FORMS)))
    )
    employed = rng.random(n) >= 0.08  # the rest self-employed or retired: no employer given
    return keep(employed, name)


def make_borrowers(rng: np.random.Generator, first_number: int, count: int, keys: PeopleKeys) -> pl.DataFrame:
    """`count` borrowers numbered from `first_number`; internal columns `borrower_no`, `surname_ix`."""
    numbers = np.arange(first_number, first_number + count, dtype=np.int64)
    if first_number + count > ids.MAX_BORROWERS:
        raise ValueError(f"at most {ids.MAX_BORROWERS:,} borrowers can be generated")
    surname = choice(rng, count, _SURNAME_P)
    given, given_pinyin = _given_names(rng, count)
    id_region = choice(rng, count, _REGION_P)
    moved = rng.random(count) >= 0.7  # three in ten live away from the region of their ID
    home_region = np.where(moved, choice(rng, count, _REGION_P), id_region)

    birth_day, sequence = ids.birth_and_sequence(numbers, keys.id_number)
    births = pl.Series(birth_day + (ids.BIRTH_FIRST - _EPOCH).days, dtype=pl.Int32).cast(pl.Date)
    year, month, day = (births.dt.year(), births.dt.month(), births.dt.day())
    yyyymmdd = year.cast(pl.Int64).to_numpy() * 10_000 + month.cast(pl.Int64).to_numpy() * 100 + day.to_numpy()
    region_codes = np.array([r[0] for r in words.REGIONS], dtype=np.int64)[id_region]
    body = region_codes * 100_000_000_000 + yyyymmdd.astype(np.int64) * 1_000 + sequence
    id_number = _digits(body) + gather(list(ids.ID_CHECK_CHARS), ids.id_check_indices(body))

    has_email = rng.random(count) < 0.65
    suffix_kind = rng.random(count)
    suffix = np.where(suffix_kind < 0.4, yyyymmdd // 10_000 % 100, rng.integers(1, 1000, count))
    local = gather([p for _, p, _ in words.SURNAMES], surname) + given_pinyin
    local = pl.select(
        pl.when(pl.Series(suffix_kind < 0.75)).then(local + _digits(suffix).str.zfill(2)).otherwise(local)
    ).to_series()
    domain = gather(["example.com", "example.cn"], rng.integers(0, 2, count))
    email = keep(has_email, local + "@" + domain)

    has_alt = rng.random(count) < 0.25
    alt = _digits(ids.phone_numbers(numbers, slot=2, key=keys.phone))
    income = np.rint(np.exp(rng.normal(np.log(8_000), 0.55, count))).clip(2_000, 300_000).astype(np.int64) * 100
    income_known = rng.random(count) >= 0.03
    prefers_email = has_email & (rng.random(count) < 0.3)

    return pl.DataFrame(
        {
            "borrower_no": numbers,
            "surname_ix": surname,
            "borrower_id": "C" + _digits(numbers + 1).str.zfill(10),
            "name": gather([s for s, _, _ in words.SURNAMES], surname) + given,
            "id_number": id_number,
            "mobile": _digits(ids.phone_numbers(numbers, slot=None, key=keys.mobile)),
            "phone_alt": keep(has_alt, alt),
            "email": email,
            "address": _addresses(rng, home_region),
            "employer": _employers(rng, home_region),
            "monthly_income_fen": keep(income_known, pl.Series(income)),
            "risk_level": gather(_RISK_LEVELS, choice(rng, count, _RISK_P)),
            "preferred_channel": pl.Series(np.where(prefers_email, "email", "sms")),
            "consent_sms": rng.random(count) < 0.96,
            "consent_email": has_email & (rng.random(count) < 0.9),
            "consent_phone": rng.random(count) < 0.97,
            # One borrower in twenty reads their notices in English (drawn without the generator, so adding it
            # changed none of the other columns).
            "language": pl.Series(np.where(numbers % 20 == 7, "en", "zh-hans")),
        }
    )


def make_contacts(rng: np.random.Generator, borrowers: pl.DataFrame, keys: PeopleKeys) -> pl.DataFrame:
    """0–2 contact persons per borrower (relation, name, a unique 171-number); kin often share the surname."""
    count = choice(rng, borrowers.height, _CONTACTS_P)
    rel_names = [r for r, _ in words.RELATIONS]
    rel_p = np.array([p for _, p in words.RELATIONS])
    not_spouse = rel_p * (np.array(rel_names) != "spouse")
    parts = []
    for slot, relation_p in ((0, rel_p), (1, not_spouse)):
        who = np.flatnonzero(count > slot)
        parts.append(
            pl.DataFrame(
                {
                    "borrower_no": borrowers["borrower_no"].gather(who),
                    "borrower_id": borrowers["borrower_id"].gather(who),
                    "surname_ix": borrowers["surname_ix"].gather(who),
                    "slot": np.full(len(who), slot, dtype=np.int8),
                    "relation": gather(rel_names, choice(rng, len(who), relation_p)),
                }
            )
        )
    contacts = pl.concat(parts).sort("borrower_no", "slot")
    n = contacts.height
    kin = contacts["relation"].is_in(list(words.KIN_RELATIONS)).to_numpy() & (rng.random(n) < 0.8)
    surname = np.where(kin, contacts["surname_ix"].to_numpy(), choice(rng, n, _SURNAME_P))
    given, _ = _given_names(rng, n)
    phone_slot0 = ids.phone_numbers(contacts["borrower_no"].to_numpy(), slot=0, key=keys.phone)
    phone_slot1 = ids.phone_numbers(contacts["borrower_no"].to_numpy(), slot=1, key=keys.phone)
    phone = np.where(contacts["slot"].to_numpy() == 0, phone_slot0, phone_slot1)
    return contacts.select("borrower_no", "borrower_id", "relation").with_columns(
        name=gather([s for s, _, _ in words.SURNAMES], surname) + given,
        phone=_digits(phone),
    )
