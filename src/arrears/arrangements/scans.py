"""Is an uploaded PDF really a PDF? The signed agreement's scan (Clause: PLAN-4) is evidence kept for years and
opened by people; a file that only starts with `%PDF-` could be a web page in disguise or a decompression bomb.

`check_pdf` refuses, each with a message saying what was wrong and what to do:
- an HTML/PDF polyglot: HTML markup (`<html`, `<script` …) in the first KB (where browsers sniff) or anywhere
  outside the PDF's binary streams — a scanner never writes markup into a PDF's structure;
- a file pypdf cannot open, or one that is encrypted (it cannot be checked or read by the reviewer);
- more than `MAX_SCAN_PAGES` pages;
- page contents that decompress to more than `MAX_DECODED_BYTES` in all (each stream is bounded too, through
  pypdf's own limits set to the same figure, so a bomb is stopped while it inflates, not after).

The byte size (at most 10 MB) is checked before, by the caller and by the request-size limit.
"""

from __future__ import annotations

import io
import re

from django.utils.translation import gettext as _
from pypdf import PdfReader, apply_configuration
from pypdf.errors import LimitReachedError

from arrears.arrangements.errors import ArrangementError

MAX_SCAN_PAGES = 50
MAX_DECODED_BYTES = 64 * 1024 * 1024
SNIFF_WINDOW = 1024
HTML_MARKERS = re.compile(
    rb"<\s*(?:!doctype\s+html|html|head|body|script|iframe|frame|object|embed|svg|meta|form|img|link|style)"
    rb"|javascript:",
    re.IGNORECASE,
)
# A PDF's binary payloads (images, compressed content): left out of the markup search, where random bytes could
# spell a tag by chance; everything else of a PDF is its structure, plain text a scanner writes.
STREAM_BODY = re.compile(rb">>\s*stream\r?\n.*?endstream", re.DOTALL)


def carries_html(content: bytes) -> bool:
    """HTML markup where a browser would sniff it or in the PDF's structure (Issue 14: HTML/PDF polyglots)."""
    if HTML_MARKERS.search(content[:SNIFF_WINDOW]):
        return True
    return bool(HTML_MARKERS.search(STREAM_BODY.sub(b"", content)))


def check_pdf(content: bytes, name: str) -> int:
    """The number of pages of a genuine PDF; refused with `ArrangementError` otherwise (module docstring)."""
    if carries_html(content):
        raise ArrangementError(
            _(
                "%(name)s is not a plain PDF: it contains web page code (HTML), which a scan never does. "
                "Scan the signed agreement again and upload the PDF the scanner makes."
            )
            % {"name": name}
        )
    limits = {
        key: MAX_DECODED_BYTES
        for key in (
            "zlib_maximum_output_length",
            "lzw_maximum_output_length",
            "run_length_maximum_output_length",
            "jbig2_maximum_output_length",
            "brotli_maximum_output_length",
            "array_based_stream_maximum_output_length",
            "maximum_declared_stream_length",
        )
    }
    try:
        with apply_configuration(**limits):
            reader = PdfReader(io.BytesIO(content), strict=False)
            if reader.is_encrypted:
                raise ArrangementError(
                    _("%(name)s is password-protected; save the scan without a password and upload it again.")
                    % {"name": name}
                )
            pages = len(reader.pages)
            if pages == 0:
                raise ArrangementError(
                    _("%(name)s has no pages; upload the scan of the signed agreement.") % {"name": name}
                )
            if pages > MAX_SCAN_PAGES:
                raise ArrangementError(
                    _("%(name)s has %(pages)s pages; a signed agreement's scan has at most %(max)s.")
                    % {"name": name, "pages": pages, "max": MAX_SCAN_PAGES}
                )
            decoded = 0
            for page in reader.pages:
                contents = page.get_contents()
                decoded += len(contents.get_data()) if contents is not None else 0
                if decoded > MAX_DECODED_BYTES:
                    raise LimitReachedError("page contents")
    except ArrangementError:
        raise
    except LimitReachedError:
        raise ArrangementError(
            _("%(name)s expands to more than %(max)s MB when opened; upload the scanner's own PDF.")
            % {"name": name, "max": MAX_DECODED_BYTES // 1024 // 1024}
        ) from None
    except Exception:  # untrusted bytes: any failure of the parser means "not a PDF we can open"
        raise ArrangementError(
            _("%(name)s could not be opened as a PDF; upload the scanner's PDF, or a JPEG or PNG of the pages.")
            % {"name": name}
        ) from None
    return pages
