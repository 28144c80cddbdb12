"""The sealed change records' text and digests are those the format defines with the standard library's json,
whichever encoder wrote them (`arrears.compliance.seals`: orjson, with the standard library where it refuses)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from hashlib import sha256
from uuid import UUID

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from arrears.compliance.seals import _plain, change_digest, changes_text

# Every kind of value a change records: text of any code point (controls, quotes, CJK, astral), integers inside
# and beyond 64 bits, None, booleans, dates, aware instants, Decimal, UUID, sets, and lists and mappings of them.
TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=12)
SCALARS = (
    TEXT
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.none()
    | st.booleans()
    | st.dates()
    | st.datetimes(timezones=st.sampled_from([UTC, timezone(timedelta(hours=8))]))
    | st.decimals(allow_nan=False, allow_infinity=False, places=2)
    | st.uuids()
    | st.frozensets(st.integers(), max_size=3)
)
VALUES = st.recursive(
    SCALARS, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(TEXT, inner, max_size=3), max_leaves=8
)
CHANGES = st.dictionaries(TEXT, st.tuples(VALUES, VALUES), max_size=4)


def reference_text(changes) -> str:
    """The format as the module doc defines it."""
    return json.dumps(changes, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=_plain)


def reference_digest(batch, seq, action, subject_type, subject_id, clause, changes, reason) -> str:
    head = json.dumps(
        [batch, seq, action, subject_type, subject_id, clause, reason], ensure_ascii=False, separators=(",", ":")
    )
    return sha256(f"{head}\n{changes}".encode()).hexdigest()


@settings(max_examples=400)
@given(changes=CHANGES)
def test_the_stored_text_is_the_standard_librarys_canonical_json(changes):
    """Clause: AUTH-4"""
    assert changes_text(changes) == reference_text(changes)


@settings(max_examples=400)
@given(head=st.tuples(TEXT, st.integers(min_value=1, max_value=2**70), TEXT, TEXT, TEXT, TEXT, TEXT), changes=CHANGES)
def test_the_digest_is_the_formats_whatever_the_text(head, changes):
    """Clause: AUTH-4"""
    batch, seq, action, subject_type, subject_id, clause, reason = head
    text = changes_text(changes)
    assert change_digest(batch, seq, action, subject_type, subject_id, clause, text, reason) == reference_digest(
        batch, seq, action, subject_type, subject_id, clause, text, reason
    )


def test_a_worked_change_record():
    """Clause: AUTH-4 — one record written out: keys sorted, pairs as lists, a date in ISO 8601, Chinese as itself."""
    changes = {"pool": (None, "junior"), "due_date": (None, date(2026, 11, 30)), "note": ("", "已还款\n")}
    text = changes_text(changes)
    assert text == '{"due_date":[null,"2026-11-30"],"note":["","已还款\\n"],"pool":[null,"junior"]}'
    head = '["daily:2026-11-27",7,"engine.open_case","collection.collectioncase","42","CLS-1",""]'
    expected = sha256(f"{head}\n{text}".encode()).hexdigest()
    assert (
        change_digest("daily:2026-11-27", 7, "engine.open_case", "collection.collectioncase", "42", "CLS-1", text, "")
        == expected
    )


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (datetime(2026, 11, 27, 9, 30), "naive datetime"),  # noqa: DTZ001 - the naive instant refused
        (UUID(int=1).hex.encode(), "bytes"),
        (object(), "object"),
    ],
)
def test_what_cannot_be_recorded_is_refused_with_the_reason(value, message):
    """Clause: AUTH-4"""
    with pytest.raises(TypeError, match=message):
        changes_text({"field": (None, [value])})


def test_floats_are_refused():
    """Clause: AUTH-4"""
    with pytest.raises(TypeError, match="no floats"):
        changes_text({"amount": (None, 1.5)})
    assert changes_text({"amount": (None, Decimal("1.50"))}) == '{"amount":[null,"1.50"]}'
