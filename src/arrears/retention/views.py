"""What a page answers for a file the retention purge deleted (the purge itself is `actions.py`)."""

from __future__ import annotations

from datetime import date

from django.http import HttpResponse
from django.utils.translation import gettext


def purged_pdf(day: date, sha256: str) -> HttpResponse:
    """410 Gone for a PDF deleted past its retention period (LTR-1): when, and the checksum a copy kept elsewhere
    can be compared with."""
    text = gettext(
        "This PDF was deleted on %(day)s: it was past its retention period. Its SHA-256 was %(sha)s; a copy kept "
        "elsewhere can be checked against it."
    ) % {"day": f"{day:%Y-%m-%d}", "sha": sha256}
    return HttpResponse(text, status=410, content_type="text/plain; charset=utf-8")
