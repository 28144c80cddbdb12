"""The signed agreement's scan: a PDF must be one pypdf opens, within bounds, and never a web page in disguise;
uploads are refused by size before they are read (Issue 14, item 14)."""

from __future__ import annotations

import io
from types import SimpleNamespace

import pytest
from desk import AS_OF, open_desk
from django.core.files.uploadedfile import SimpleUploadedFile
from pypdf import PdfWriter
from pypdf.generic import NameObject, StreamObject

from arrears.arrangements import scans
from arrears.arrangements.actions import SignedScan, do_decide_plan, do_propose_plan, do_sign_plan
from arrears.arrangements.errors import ArrangementError
from arrears.arrangements.models import Plan
from arrears.compliance.models import AuditEvent

pytestmark = pytest.mark.django_db

MEANS = {"income": "10000", "expenses": "3000", "debts": "500"}


def a_pdf(pages: int = 1, contents: bytes | None = None) -> bytes:
    """A genuine PDF written by pypdf: `pages` A4 pages, each with `contents` as its (Flate-compressed) stream."""
    writer = PdfWriter()
    for _ in range(pages):
        page = writer.add_blank_page(595, 842)
        if contents is not None:
            stream = StreamObject()
            stream.set_data(contents)
            page[NameObject("/Contents")] = writer._add_object(stream.flate_encode())
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.fixture
def approved():
    opened = open_desk([("P20", 20, "12000", "low")], {"senior_collector": 1, "supervisor": 1})
    users = opened["users"]
    senior, boss = users["senior_collector"][0], users["supervisor"][0]
    plan = do_propose_plan(opened["cases"]["P20"], **MEANS, instalments=4, actor=senior, today=AS_OF)
    do_decide_plan(plan, approve=True, actor=boss, today=AS_OF, reason="within the cap")
    plan.refresh_from_db()
    return SimpleNamespace(plan=plan, senior=senior)


def sign(approved, name: str, content: bytes) -> Plan:
    return do_sign_plan(
        approved.plan, signed_on=AS_OF, scan=SignedScan(name, content), actor=approved.senior, today=AS_OF
    )


def assert_unsigned(approved) -> None:
    plan = Plan.objects.get(pk=approved.plan.pk)
    assert (plan.status, bytes(plan.signed_scan), plan.signed_scan_sha256) == ("approved", b"", "")
    assert not AuditEvent.objects.filter(action="arrangements.sign_plan").exists()


def test_a_genuine_pdf_is_accepted(approved):
    """Clause: PLAN-4 — a one-page PDF written by pypdf is opened and kept as the signed scan."""
    content = a_pdf()
    plan = sign(approved, "签字页.pdf", content)
    assert (plan.status, plan.signed_scan_type, bytes(plan.signed_scan)) == ("active", "application/pdf", content)


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(a_pdf() + b"\n<html><body><script>alert(document.cookie)</script></body></html>\n", id="appended"),
        pytest.param(b"%PDF-1.7\n<!DOCTYPE html><html><script>alert(1)</script></html>", id="html-with-pdf-magic"),
        pytest.param(a_pdf().replace(b"%PDF-1.3\n", b"%PDF-1.3\n%<svg onload=alert(1)>\n", 1), id="in-a-comment"),
    ],
)
def test_an_html_pdf_polyglot_is_refused_and_nothing_changes(approved, content):
    """Clause: PLAN-4 — a file that starts with %PDF- but carries HTML (after the end, as the whole file, in a
    comment of an otherwise valid PDF) is refused in words; the plan stays approved, no scan kept."""
    with pytest.raises(ArrangementError, match=r"contains web page code \(HTML\)"):
        sign(approved, "scan.pdf", content)
    assert_unsigned(approved)


def test_html_with_a_pdf_header_further_down_is_not_a_pdf(approved):
    """Clause: PLAN-4 — the kind is read from the first bytes: a web page with a PDF inside is refused."""
    content = b"<html><body>signed</body></html>\n" + a_pdf()
    with pytest.raises(ArrangementError, match=r"scan\.pdf is not a PDF, JPEG or PNG file"):
        sign(approved, "scan.pdf", content)
    assert_unsigned(approved)


def test_a_file_that_pypdf_cannot_open_is_refused(approved):
    """Clause: PLAN-4 — the magic bytes alone are not enough."""
    with pytest.raises(ArrangementError, match=r"scan\.pdf could not be opened as a PDF"):
        sign(approved, "scan.pdf", b"%PDF-1.4\n" + b"\x00garbage" * 100)
    assert_unsigned(approved)


def test_too_many_pages_are_refused(approved):
    """Clause: PLAN-4 — 51 pages: at most 50."""
    with pytest.raises(ArrangementError, match=r"scan\.pdf has 51 pages; a signed agreement's scan has at most 50"):
        sign(approved, "scan.pdf", a_pdf(pages=51))
    assert_unsigned(approved)


def test_a_decompression_bomb_is_stopped(approved, monkeypatch):
    """Clause: PLAN-4 — 2 MiB of page content in a 2.6 KB file, with the bound lowered to 1 MiB for the test:
    refused while it inflates (the same code path as a 64 MiB bound and a gigabyte bomb)."""
    monkeypatch.setattr(scans, "MAX_DECODED_BYTES", 1024 * 1024)
    bomb = a_pdf(contents=b"0" * (2 * 1024 * 1024))
    assert len(bomb) < 5000
    with pytest.raises(ArrangementError, match=r"scan\.pdf expands to more than 1 MB when opened"):
        sign(approved, "scan.pdf", bomb)
    assert_unsigned(approved)


def test_the_sign_page_refuses_a_polyglot_with_its_message(client, approved):
    """Clause: PLAN-4 — the same refusal through the page, in the page's language (English asked for)."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    client.force_login(approved.senior)
    upload = SimpleUploadedFile("scan.pdf", a_pdf() + b"<html><script>x</script></html>", "application/pdf")
    answer = client.post(
        f"/plans/{approved.plan.pk}/sign/", {"signed_on": AS_OF.isoformat(), "scan": upload}, follow=True
    )
    assert "scan.pdf is not a plain PDF: it contains web page code (HTML)" in answer.content.decode()
    assert_unsigned(approved)


def test_a_request_above_the_size_limit_is_refused_with_413_before_it_is_read(client, approved, settings):
    """Issue 14 — with ARREARS_MAX_REQUEST_BYTES at 64 KiB, a 100 KB upload gets 413 and the plan is untouched;
    the same upload under the limit is checked as usual."""
    settings.ARREARS_MAX_REQUEST_BYTES = 64 * 1024
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    client.force_login(approved.senior)
    big = SimpleUploadedFile("scan.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 100_000, "image/png")
    answer = client.post(f"/plans/{approved.plan.pk}/sign/", {"signed_on": AS_OF.isoformat(), "scan": big})
    assert answer.status_code == 413
    assert "at most 0.1 MB can be sent at once" in answer.content.decode()
    assert_unsigned(approved)


def test_the_size_limit_never_reads_the_body():
    """The middleware answers from the declared Content-Length: a body that would fail if read is never read."""
    from django.core.handlers.wsgi import WSGIRequest
    from django.test import override_settings

    from arrears.home.request_size import RequestSizeLimitMiddleware

    class Unreadable(io.RawIOBase):
        def read(self, *args):
            raise AssertionError("the body was read")

    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": "/plans/1/sign/",
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "CONTENT_TYPE": "multipart/form-data; boundary=x",
        "CONTENT_LENGTH": str(13 * 1024 * 1024),
        "wsgi.input": Unreadable(),
        "wsgi.url_scheme": "http",
    }
    reached = []
    middleware = RequestSizeLimitMiddleware(lambda request: reached.append(request))
    with override_settings(ARREARS_MAX_REQUEST_BYTES=12 * 1024 * 1024):
        response = middleware(WSGIRequest(environ))
    assert (response.status_code, reached) == (413, [])
    assert "一次最多可发送 12 MB" in response.content.decode()  # no Accept-Language: the site's language
