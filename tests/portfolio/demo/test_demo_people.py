"""Synthetic borrowers and contact persons look real in form and are obviously fake in substance."""

from __future__ import annotations

import re
from datetime import date

import polars as pl

from arrears.portfolio.demo import words

# GB 11643, written out here rather than imported from the generator, so the test checks it independently.
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK = "10X98765432"


def gb11643_valid(number: str) -> bool:
    body, check = number[:17], number[17]
    return body.isdigit() and CHECK[sum(int(d) * w for d, w in zip(body, WEIGHTS, strict=True)) % 11] == check


def test_check_digit_rule_on_the_standards_worked_example():
    assert gb11643_valid("11010519491231002X")
    assert not gb11643_valid("110105194912310021")


def test_id_numbers_are_valid_unique_and_born_1960_to_2004(bank, chunked_bank):
    """Every ID has a valid check character, a listed region code and a real birth date; none repeats."""
    regions = {str(r[0]) for r in words.REGIONS}
    for feed in (bank, chunked_bank):
        ids = feed.borrowers["id_number"].to_list()
        assert len(set(ids)) == len(ids)
        assert all(len(n) == 18 and gb11643_valid(n) for n in ids)
        assert {n[:6] for n in ids} <= regions
        births = [date(int(n[6:10]), int(n[10:12]), int(n[12:14])) for n in ids]
        assert min(births) >= date(1960, 1, 1)
        assert max(births) <= date(2004, 12, 31)
        assert {n[14:17] for n in ids} - {"000"} == {n[14:17] for n in ids}


def test_phone_numbers_are_synthetic_and_unique(bank, chunked_bank):
    """Mobiles are 170-numbers, one per borrower; contact and other numbers are 171-numbers; none shared."""
    for feed in (bank, chunked_bank):
        mobiles = feed.borrowers["mobile"].to_list()
        assert all(re.fullmatch(r"1[3-9]\d{9}", m) and m.startswith("170") for m in mobiles)
        assert len(set(mobiles)) == len(mobiles)
        others = feed.borrowers["phone_alt"].drop_nulls().to_list() + feed.contacts["phone"].to_list()
        assert all(re.fullmatch(r"171\d{8}", p) for p in others)
        assert len(set(others)) == len(others)
        assert not set(others) & set(mobiles)


def test_names_emails_addresses_and_employers(bank):
    surnames = {s for s, _, _ in words.SURNAMES}
    names = bank.borrowers["name"].to_list() + bank.contacts["name"].to_list()
    for name in names:
        surname = name[:2] if name[:2] in surnames else name[0]
        assert surname in surnames
        assert 1 <= len(name) - len(surname) <= 2
    emails = bank.borrowers["email"].drop_nulls()
    assert 0.55 < emails.len() / bank.borrowers.height < 0.75
    assert emails.str.contains(r"^[a-z]+\d*@example\.(com|cn)$").all()
    prefixes = tuple(r[1] for r in words.REGIONS)
    assert all(a.startswith(prefixes) and "号" in a for a in bank.borrowers["address"].to_list())
    employers = bank.borrowers["employer"].drop_nulls()
    assert employers.str.ends_with("公司").all()
    assert 0.85 < employers.len() / bank.borrowers.height < 0.97


def test_risk_channel_consent_and_income(bank):
    b = bank.borrowers
    share = dict(b["risk_level"].value_counts(normalize=True).iter_rows())
    assert abs(share["low"] - 0.70) < 0.02
    assert abs(share["medium"] - 0.22) < 0.02
    assert abs(share["high"] - 0.08) < 0.015
    assert 0.76 < (b["preferred_channel"] == "sms").mean() < 0.84
    assert b.filter(pl.col("preferred_channel") == "email")["email"].null_count() == 0
    assert b.filter(pl.col("email").is_null())["consent_email"].sum() == 0
    income = b["monthly_income_fen"].drop_nulls()
    assert (income % 100 == 0).all()  # whole yuan
    assert 500_000 < income.median() < 2_000_000


def test_about_one_borrower_per_1_3_loans_and_up_to_two_contacts(bank, chunked_bank):
    for feed in (bank, chunked_bank):
        per_borrower = feed.loans.group_by("borrower_id").len()["len"]
        assert 1.25 < feed.loans.height / feed.borrowers.height < 1.35
        assert set(per_borrower.unique().to_list()) == {1, 2, 3}
        assert set(feed.loans["borrower_id"].unique().to_list()) == set(feed.borrowers["borrower_id"].to_list())
        contacts = feed.contacts.group_by("borrower_id").len()["len"]
        assert contacts.max() == 2
        assert set(feed.contacts["borrower_id"].to_list()) <= set(feed.borrowers["borrower_id"].to_list())
    spouses = bank.contacts.filter(pl.col("relation") == "spouse").group_by("borrower_id").len()["len"]
    assert spouses.max() == 1
