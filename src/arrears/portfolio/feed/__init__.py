"""The core-banking feed: read, validate, load (`docs/feed-format.md` is the contract).

`read` turns a feed directory into raw-text polars frames, `validate` checks every row with polars
expressions and lists each fault, `load` upserts the valid rows in set-based SQL, `report` writes the masked
rejection report. The action that ties them together under one permission, one transaction and one audit
event is `arrears.portfolio.actions_import.do_import_feed`.
"""
