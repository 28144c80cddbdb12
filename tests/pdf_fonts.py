"""What a PDF the suite reads back says of its fonts."""

from __future__ import annotations

import io
import re

from pypdf import PdfReader


def pdf_text(content: bytes) -> str:
    """The PDF's text, pages joined, runs of white space as one space."""
    return re.sub(r"\s+", " ", " ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages))


def embedded_fonts(content: bytes) -> list[tuple[str, list[str]]]:
    """(base font name, the font file keys of its descriptor) for every font of every page."""
    fonts = []
    for page in PdfReader(io.BytesIO(content)).pages:
        for font in (f.get_object() for f in page["/Resources"]["/Font"].values()):
            for descendant in font.get("/DescendantFonts", [font]):
                descriptor = descendant.get_object()["/FontDescriptor"].get_object()
                fonts.append((str(font["/BaseFont"]), [k for k in descriptor if k.startswith("/FontFile")]))
    return fonts


def only_the_documents_font(content: bytes) -> bool:
    """Every font is the documents' CJK font (ArrearsLetter), subset (the "ABCDEF+" prefix) and embedded."""
    fonts = embedded_fonts(content)
    return bool(fonts) and all("+ArrearsLetter" in name and files for name, files in fonts)
