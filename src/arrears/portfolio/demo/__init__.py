"""A deterministic synthetic bank for demonstrations and benchmarks: `arrears demo` and `bench/demo_feed.py`.

    from arrears.portfolio.demo import generate_feed, write_feed
    feed = generate_feed(3_000, seed=2026, business_date=date(2026, 11, 27))   # polars frames, fen amounts
    write_feed("var/demo-feed/2026-11-27", 3_000, seed=2026, business_date=date(2026, 11, 27), fmt="parquet")

Pure (numpy, polars, `arrears.finance`): nothing imported here touches Django. The Django half — whether
the feed may be imported, and the demo users (one per role, two junior collectors) — is `arrears.portfolio.demo.install`, used by the
`arrears demo` command (`arrears.cli.demo`) after it has set Django up.
"""

from arrears.portfolio.demo.generate import CHUNK_LOANS, FEED_TABLES, MAX_LOANS, DemoFeed, generate_feed, iter_feed
from arrears.portfolio.demo.write import DPD_BUCKETS, FORMATS, FeedSummary, feed_frame, write_feed

__all__ = [
    "CHUNK_LOANS",
    "DPD_BUCKETS",
    "FEED_TABLES",
    "FORMATS",
    "MAX_LOANS",
    "DemoFeed",
    "FeedSummary",
    "feed_frame",
    "generate_feed",
    "iter_feed",
    "write_feed",
]
