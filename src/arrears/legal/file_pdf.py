"""The litigation file as documents (Clause: LIT-1): one PDF with an index, and a ZIP of its parts with a SHA-256
manifest.

How this works
--------------
* `render_file(content)` renders `legal/file_document.html` once with WeasyPrint and the CJK font the formal
  notices embed (`collection.letters.letter_fonts`: `ARREARS_LETTER_FONT`, else Noto Sans CJK found with
  fontconfig; subset-embedded). The first page is the index: the parties, the amount claimed and a table of
  contents whose page numbers WeasyPrint fills in (`target-counter`); each part starts on a new page and is a
  PDF bookmark. Pages are numbered through the whole file ("第 x 页，共 n 页") with the file's reference.
* Each part's own PDF is the whole file's PDF cut at the parts' first pages (pypdf copies the pages with their
  embedded font), so a part in the ZIP is page for page what the whole file shows, with the same page numbers as
  the index.
* `zip_file(...)` packs the parts' PDFs and the CSVs of the statement of account and the collection record
  (`file_csv`), and `MANIFEST.sha256`: one line per part, `<sha256>  <name>`, as `sha256sum` writes it (so
  `sha256sum -c MANIFEST.sha256` checks an unpacked copy). The ZIP's entries carry the build's local time.
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone
from pypdf import PdfReader, PdfWriter

from arrears.collection.letters import letter_fonts
from arrears.legal.file_content import NO_COURT, FileContent
from arrears.notices.content import format_date
from arrears.notices.models import Language

__all__ = ["MANIFEST", "PARTS", "RenderedFile", "manifest_of", "render_file", "sha256", "zip_file"]

TEMPLATE = "legal/file_document.html"
MANIFEST = "MANIFEST.sha256"
# The parts, in order: (anchor key, file name in the ZIP without extension, title in the index).
PARTS = (
    ("complaint", "01-complaint", "民事起诉状"),
    ("contracts", "02-loan-contracts", "借款合同条款及还款计划"),
    ("statement", "03-statement-of-account", "对账单（逾期欠款证明）"),
    ("record", "04-collection-record", "催收记录"),
)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass(frozen=True)
class RenderedFile:
    pdf: bytes
    pages: int
    starts: dict[str, int]  # part key → its first page, from 1 (what the index prints)
    parts: tuple[tuple[str, bytes], ...]  # (file name, the part's pages as a PDF)


def render_file(content: FileContent) -> RenderedFile:
    """The whole file as one A4 PDF with its index, and each part's pages as a PDF of their own."""
    from weasyprint import HTML  # loads Pango and fontconfig, which only documents need

    fonts = letter_fonts(getattr(settings, "ARREARS_LETTER_FONT", "") or "")
    html = render_to_string(
        TEMPLATE,
        {
            "c": content,
            "parts": PARTS,
            "court": content.court or NO_COURT,
            "as_of": format_date(content.as_of, Language.ZH_HANS),
            "font_regular": fonts.regular.resolve().as_uri(),
            "font_bold": fonts.bold.resolve().as_uri() if fonts.bold else "",
        },
    )
    document = HTML(string=html).render()
    starts: dict[str, int] = {}
    for number, page in enumerate(document.pages):
        for key, _name, _title in PARTS:
            if f"part-{key}" in page.anchors:
                starts.setdefault(key, number)
    pdf = document.write_pdf()
    bounds = [starts[key] for key, _name, _title in PARTS] + [len(document.pages)]
    parts = tuple(
        (f"{name}.pdf", _pages(pdf, first, end))
        for (_key, name, _title), first, end in zip(PARTS, bounds[:-1], bounds[1:], strict=True)
    )
    return RenderedFile(
        pdf=pdf, pages=len(document.pages), starts={key: first + 1 for key, first in starts.items()}, parts=parts
    )


def _pages(pdf: bytes, first: int, end: int) -> bytes:
    """Pages `first` up to `end` (from 0, end excluded) of `pdf` as a PDF of their own."""
    reader = PdfReader(io.BytesIO(pdf))
    writer = PdfWriter()
    for page in reader.pages[first:end]:
        writer.add_page(page)
    if reader.metadata is not None and reader.metadata.title:
        writer.add_metadata({"/Title": reader.metadata.title})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def manifest_of(members: list[tuple[str, bytes]]) -> str:
    """`sha256sum`'s text format: `<sha256>  <name>` per member, in order, each line ended by a newline."""
    return "".join(f"{sha256(data)}  {name}\n" for name, data in members)


def zip_file(members: list[tuple[str, bytes]], at: datetime) -> tuple[bytes, str]:
    """The ZIP of `members` (name, bytes) plus `MANIFEST.sha256` listing them, and the manifest's text."""
    manifest = manifest_of(members)
    stamp = timezone.localtime(at).timetuple()[:6]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in [*members, (MANIFEST, manifest.encode("ascii"))]:
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, data)
    return out.getvalue(), manifest
