"""The day's schedule: `arrears worker` runs the bank's jobs (feed, nightly run, dispatch, print batch)."""
