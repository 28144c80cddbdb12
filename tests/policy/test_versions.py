"""Policy versions with effective dates: `policy_on(date)`."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from arrears.policy import (
    SPEC_DEFAULTS,
    PolicyBook,
    PolicyError,
    book_from_files,
    default_book,
    load_policy_file,
    parse_policy_toml,
    policy_on,
)


@pytest.fixture
def two_versions(tmp_path):
    first = tmp_path / "2027.toml"
    first.write_text('effective_from = 2027-01-01\nname = "2027 revision"\n[penalty]\nmarkup = 0.40\n')
    second = tmp_path / "2027-07.toml"
    second.write_text("effective_from = 2027-07-01\n[plan]\nmax_instalments = 5\n")
    return [first, second]


def test_policy_on_picks_the_version_in_force(two_versions):
    """Before the first version the SPEC governs; each version governs from its date until the next."""
    book = book_from_files(two_versions)
    assert policy_on(date(2026, 12, 31), book).penalty.markup == Decimal("0.50")
    assert policy_on(date(2027, 1, 1), book).penalty.markup == Decimal("0.40")
    assert policy_on(date(2027, 6, 30), book).plan.max_instalments == 6
    # Each version is the SPEC plus its own overrides: the July file does not inherit January's markup.
    july = policy_on(date(2027, 7, 1), book)
    assert (july.plan.max_instalments, july.penalty.markup) == (5, Decimal("0.50"))
    assert book.version_on(date(2027, 3, 1)).name == "2027 revision"


def test_two_versions_on_the_same_date_are_refused(tmp_path, two_versions):
    """Only one version can take effect on a date."""
    clash = tmp_path / "clash.toml"
    clash.write_text("effective_from = 2027-01-01\n[penalty]\nmarkup = 0.35\n")
    with pytest.raises(PolicyError, match="effective_from 2027-01-01 is already taken by '2027 revision'"):
        book_from_files([*two_versions, clash])


def test_overrides_lists_only_what_differs(two_versions):
    """A version reports exactly the parameters it changes."""
    version = load_policy_file(two_versions[0])
    assert version.overrides() == {"penalty.markup": Decimal("0.40")}
    same = parse_policy_toml("effective_from = 2027-01-01\n[penalty]\nmarkup = 0.50\n")
    assert same.overrides() == {}


def test_missing_and_non_utf8_files(tmp_path):
    """A missing or mis-encoded file is named with what to do."""
    with pytest.raises(PolicyError, match=r"nope\.toml: no such file"):
        load_policy_file(tmp_path / "nope.toml")
    latin = tmp_path / "latin.toml"
    latin.write_bytes("effective_from = 2027-01-01\nname = '催收'\n".encode("gb18030"))
    with pytest.raises(PolicyError, match="not UTF-8 text; save the file as UTF-8"):
        load_policy_file(latin)


def test_default_book_reads_arrears_policy_files(monkeypatch, two_versions):
    """The default book lays the files of ARREARS_POLICY_FILES over the SPEC."""
    monkeypatch.setenv("ARREARS_POLICY_FILES", ",".join(str(p) for p in two_versions))
    default_book.cache_clear()
    try:
        assert policy_on(date(2027, 2, 1)).penalty.markup == Decimal("0.40")
    finally:
        default_book.cache_clear()
    monkeypatch.delenv("ARREARS_POLICY_FILES")
    assert policy_on(date(2027, 2, 1)) == SPEC_DEFAULTS


def test_empty_book_is_the_spec():
    """With no versions, every date gets the SPEC defaults."""
    assert PolicyBook().on(date(1990, 1, 1)) is SPEC_DEFAULTS
