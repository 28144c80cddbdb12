"""A feed imported in tiny chunks and buckets equals the same feed imported in one: every table, row for row,
and the rejection report line for line."""

from __future__ import annotations

import pytest
from feed_compare import bad_feed, import_and_roll_back

from arrears.accounts.roles import SYSTEM_USERNAME

pytestmark = pytest.mark.django_db

WHOLE = {"chunk_rows": 10_000_000, "bucket_bytes": 1 << 40}  # one chunk, one bucket: the whole file at once
TINY = {"chunk_rows": 7, "bucket_bytes": 400}


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_a_feed_imported_in_tiny_chunks_equals_the_feed_imported_whole(tmp_path, fmt):
    """Duplicate keys far apart (borrowers, loans, instalments, a payment id on two loans), unknown and rejected
    parents, a schedule out of order (loaded whole or not at all), payments before the loan and after the
    business date: chunks of 7 rows and buckets of 400 bytes give the same tables, counts and report."""
    from arrears.accounts.models import User

    actor = User.objects.get(username=SYSTEM_USERNAME)
    directory = bad_feed(tmp_path / "feed", fmt)
    whole = import_and_roll_back(directory, actor, WHOLE)
    tiny = import_and_roll_back(directory, actor, TINY)
    assert tiny[2] == whole[2]
    assert tiny[1] == whole[1]
    assert tiny[0] == whole[0]
    reasons = "\n".join(whole[1])
    for expected in (
        "duplicate key",
        "was rejected",
        "unknown borrower",
        "loads whole or not at all",
        "after the business date",
    ):
        assert expected in reasons
    assert whole[2]["rejected"] > 20
    assert len(whole[0]["Instalment"]) > 1_000
    assert whole[0]["PaymentAllocation"]
