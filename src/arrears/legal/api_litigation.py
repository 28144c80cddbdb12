"""The late stage's API endpoints (see arrears.api.site for the conventions)."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["late stage"])
