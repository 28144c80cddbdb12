"""Identifiers for the synthetic bank: national ID numbers and phone numbers, unique by construction.

How this works
--------------
Uniqueness must hold across the whole feed, which is generated in chunks, without remembering what earlier
chunks drew. So every such identifier is a keyed *permutation* of the person's running number: a small
Feistel network on 2h bits (a bijection for any round function), cycle-walked into the wanted range. Distinct
running numbers give distinct identifiers, and the output still looks random.

* National ID (GB 11643): region code (6) + birth date (8) + sequence (3) + check character. The birth date
  and sequence come from the permutation of the borrower's number over (days from 1960 to 2004) × 999, so no
  two borrowers share them; the region is drawn freely. The check character is computed from the 17 digits
  (weights 7,9,10,5,8,4,2,1,6,3,7,9,10,5,8,4,2; sum mod 11 indexes "10X98765432").
* Phones: all numbers are in the 170 and 171 segments (virtual operators), a documented synthetic choice so
  that demo data never looks like a customer's real number from the main networks. Borrowers' mobiles are
  170 + permutation(borrower number); contact persons' and alternative numbers are 171 + permutation(3 ×
  borrower number + slot), slots 0 and 1 for contact persons and 2 for the alternative number.
"""

from __future__ import annotations

from datetime import date

import numpy as np

__all__ = [
    "BIRTH_FIRST",
    "BIRTH_LAST",
    "ID_CHECK_CHARS",
    "ID_WEIGHTS",
    "MAX_BORROWERS",
    "birth_and_sequence",
    "id_check_char",
    "id_check_indices",
    "permute",
    "phone_numbers",
]

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK_CHARS = "10X98765432"
BIRTH_FIRST = date(1960, 1, 1)
BIRTH_LAST = date(2004, 12, 31)
_BIRTH_DAYS = (BIRTH_LAST - BIRTH_FIRST).days + 1
_SEQUENCES = 999  # sequence codes 001..999
MOBILE_PREFIX = 17_000_000_000  # 170 + 8 digits
CONTACT_PREFIX = 17_100_000_000  # 171 + 8 digits
_PHONE_SPACE = 100_000_000
_CONTACT_SLOTS = 3
# Limits of the permutation ranges: (birth day, sequence) pairs and 171-numbers for three slots per borrower.
MAX_BORROWERS = min(_BIRTH_DAYS * _SEQUENCES, _PHONE_SPACE // _CONTACT_SLOTS)

_M64 = np.uint64(0xFFFFFFFFFFFFFFFF)


def _mix(z: np.ndarray) -> np.ndarray:
    """A 64-bit integer mixer (the splitmix64 finaliser); wrapping uint64 arithmetic is intended."""
    z = z + np.uint64(0x9E3779B97F4A7C15)
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


def _round_keys(key: int, rounds: int = 4) -> list[np.uint64]:
    words = np.random.SeedSequence(key).generate_state(rounds, dtype=np.uint64)
    return [np.uint64(w) for w in words]


def _feistel(x: np.ndarray, half_bits: int, keys: list[np.uint64]) -> np.ndarray:
    mask = np.uint64((1 << half_bits) - 1)
    shift = np.uint64(half_bits)
    left, right = x >> shift, x & mask
    for k in keys:
        left, right = right, left ^ (_mix(right ^ k) & mask)
    return (left << shift) | right


def permute(values: np.ndarray, domain: int, key: int) -> np.ndarray:
    """A keyed bijection of range(domain) applied to `values` (each in range(domain)); int64 out."""
    values = np.asarray(values, dtype=np.int64)
    if values.size and (values.min() < 0 or values.max() >= domain):
        raise ValueError(f"values must lie in range({domain})")
    bits = max(2, (domain - 1).bit_length())
    bits += bits % 2
    keys = _round_keys(key)
    out = _feistel(values.astype(np.uint64), bits // 2, keys)
    # Cycle-walking: a value that lands outside the domain is permuted again until it lands inside; this
    # keeps the map a bijection of range(domain). At most a few passes, since the domain fills over a quarter.
    outside = np.flatnonzero(out >= np.uint64(domain))
    while outside.size:
        out[outside] = _feistel(out[outside], bits // 2, keys)
        outside = outside[out[outside] >= np.uint64(domain)]
    return out.astype(np.int64)


def birth_and_sequence(borrower_numbers: np.ndarray, key: int) -> tuple[np.ndarray, np.ndarray]:
    """Days after BIRTH_FIRST and sequence code (1..999), distinct pairs for distinct borrower numbers."""
    p = permute(borrower_numbers, _BIRTH_DAYS * _SEQUENCES, key)
    return p // _SEQUENCES, p % _SEQUENCES + 1


def id_check_indices(bodies: np.ndarray) -> np.ndarray:
    """GB 11643 check-character index (into ID_CHECK_CHARS) of each 17-digit body given as an int64."""
    bodies = np.asarray(bodies, dtype=np.int64)
    total = np.zeros(bodies.shape, dtype=np.int64)
    rest = bodies.copy()
    for weight in reversed(ID_WEIGHTS):  # the last digit first
        total += (rest % 10) * weight
        rest //= 10
    return total % 11


def id_check_char(body: str) -> str:
    """The check character of a 17-digit body, one at a time (for tests and validation)."""
    if len(body) != 17 or not body.isdigit():
        raise ValueError(f"an ID body is 17 digits, got {body!r}")
    return ID_CHECK_CHARS[sum(int(d) * w for d, w in zip(body, ID_WEIGHTS, strict=True)) % 11]


def phone_numbers(borrower_numbers: np.ndarray, *, slot: int | None, key: int) -> np.ndarray:
    """11-digit numbers as int64: the borrower's 170-mobile (slot None) or a 171-number of slot 0, 1 or 2."""
    numbers = np.asarray(borrower_numbers, dtype=np.int64)
    if slot is None:
        return MOBILE_PREFIX + permute(numbers, _PHONE_SPACE, key)
    if not 0 <= slot < _CONTACT_SLOTS:
        raise ValueError(f"slot must be 0, 1 or 2, got {slot}")
    return CONTACT_PREFIX + permute(numbers * _CONTACT_SLOTS + slot, _PHONE_SPACE, key + 1)
