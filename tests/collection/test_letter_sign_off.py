"""The formal overdue notice's sign-off (LTR-1): the bank's seal box and the handler's signature and date lines,
kept on one page with the contacts before them."""

from __future__ import annotations

import io
from dataclasses import replace

import pytest
from pypdf import PdfReader
from test_letters import TODAY, case  # noqa: F401 (the fixture)

from arrears.collection.letters import do_send_letter, letter_content, render_pdf
from arrears.rules.queries import policy_on
from factories import make_user

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("approved_templates")]

SIGN_OFF = ("联系方式", "客服热线：400-800-0000", "经办人签字：", "日期：", "银行盖章", "示例商业银行2026年9月30日")


def pages_of(pdf: bytes) -> list[str]:
    """Each page's text with whitespace removed (PDF text breaks lines where the layout does)."""
    return ["".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(pdf)).pages]


def test_the_issued_notice_has_the_banks_seal_box_and_the_handlers_signature(case):  # noqa: F811
    """Clause: LTR-1 — the notice as issued ends with a box for the bank's seal (银行盖章), a line for the handler's
    signature (经办人签字) and one for the date, after the bank's contacts."""
    letter = do_send_letter(case, channel="post", actor=make_user("junior_collector"), today=TODAY)
    text = "".join(pages_of(bytes(letter.pdf)))
    for words in SIGN_OFF:
        assert words in text, words
    assert text.index("联系方式") < text.index("经办人签字：") < text.index("银行盖章")


def test_the_seal_and_signature_stay_on_the_page_of_the_contacts_before_them(case):  # noqa: F811
    """Clause: LTR-1 — a note of growing length (as it is, then 150 characters longer at a time) pushes the end
    of the notice across a page break: whatever the length, the contacts, the seal box and the signature and date
    lines are on one page, never the seal or the signature alone at the top of a page."""
    content = letter_content(case, None, TODAY, policy_on(TODAY))
    two_pages = 0
    for length in range(0, 751, 150):
        pages = pages_of(render_pdf(replace(content, reference="LTR-TEST", addition="请尽快还款。" * (length // 6))))
        if len(pages) < 2:
            continue
        two_pages += 1
        last = [page for page in pages if "银行盖章" in page]
        assert len(last) == 1
        for words in SIGN_OFF:
            assert words in last[0], (length, words)
    assert two_pages  # the loop did reach a layout over two pages
