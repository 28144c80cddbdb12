"""For the benchmarks that write to a scratch database: its audit ledger is anchored apart from the project's own
(var/ledger-anchors), whose anchors, made by another database, would be refused as a rewritten chain."""

from __future__ import annotations

import os
import tempfile


def anchor_apart(name: str) -> None:
    """Send the ledger's anchors to a new temporary directory, unless ARREARS_LEDGER_ANCHOR_DIR names one. Call
    before `django.setup()`."""
    os.environ.setdefault("ARREARS_LEDGER_ANCHOR_DIR", tempfile.mkdtemp(prefix=f"{name}-anchors-"))
