"""A leak scan: every page, PDF and CSV each role may open on a demo-like site, searched for the borrowers' and
their contacts' personal data in full.

Clause: PRV-1 — personal data is masked by default: no full name, ID number, mobile or phone, address, employer or
email on any page or download, except the documents that must carry some of it by design, named here one by one
(`ALLOWED`), each opened only by the roles the matrix allows and each opening an audited read.
"""

from __future__ import annotations

import io
import re
import zipfile

import pytest
from django.utils.http import urlencode
from pypdf import PdfReader

from arrears.accounts.roles import RoleCode
from arrears.collection import views as desk_views
from arrears.compliance.models import AuditEvent
from arrears.notices.models import NoticeStatus
from demo_site import CONTACT, PEOPLE, ROLES, WORKING_HOURS, add_reminder_and_hit, build_site, object_pages
from site_urls import PAGES

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("approved_templates")]

FIELDS = ("name", "id_number", "mobile", "address", "employer", "email")

# The documents that carry personal data by design (PRV-1's exceptions), with what they carry and whether each
# opening is written to the ledger. Everything else carries none of FIELDS.
ALLOWED = {
    # LTR-1: the formal overdue notice is addressed to the borrower by name, at their address.
    "letters/<int:letter_id>.pdf": {"fields": ("name", "address"), "audited": "collection.view_letter"},
    # PLAN-4: the agreement the borrower signs names them and carries their ID number in full (the signed
    # document identifies who signs; every screen keeps the ID number masked), and nothing more of FIELDS.
    "plans/<int:plan_id>/agreement.pdf": {
        "fields": ("name", "id_number"),
        "audited": "arrangements.view_agreement",
    },
    # LTR-2: the print batch (PDF and CSV manifest) goes to the print house, which needs name and address.
    "notices/print-batches/<int:pk>.<str:kind>": {
        "fields": ("name", "address"),
        "audited": "notices.download_print_batch",
    },
    # LIT-1: the litigation file goes to the court, which needs the defendant's full name, ID number and address;
    # only supervisors and legal officers open it (PDF, ZIP, the API's PDF).
    "legal/litigations/<int:litigation_id>/file/v<int:version>.<str:kind>": {
        "fields": ("name", "id_number", "address"),
        "audited": "legal.view_litigation_file",
    },
    "api/v1/cases/<case_id>/litigation/file": {
        "fields": ("name", "id_number", "address"),
        "audited": "legal.view_litigation_file",
    },
    # QA-1: a call's recording is the call itself (no text to scan); only the listeners play it, each play read.
    "quality/calls/<int:call_id>/recording": {"fields": (), "audited": "quality.play_recording"},
}


def extra_views(site) -> list[tuple[str, str]]:
    """(route of the matrix line whose roles apply, URL): detail pages of every object and the lists' variants."""
    views = object_pages(site)
    views += [
        ("notices/borrowers/<int:borrower_id>/", f"/notices/borrowers/{case.borrower.pk}/?format=csv")
        for case in site.cases.values()
    ]
    contact = site.cases["S01"].borrower.contacts.get()
    views += [
        ("cases/<int:case_id>/call/", f"/cases/{site.ids['case_id']}/call/?party=contact&contact={contact.pk}"),
        ("borrowers/", "/borrowers/?" + urlencode({"q": "S0"})),
        ("cases/", "/cases/?owner=all"),
        ("plans/<int:plan_id>/", f"/plans/{site.ids['proposed_plan_id']}/"),
        ("letters/<int:letter_id>.pdf", f"/letters/{site.ids['emailed_letter_id']}.pdf"),
        ("notices/print-batches/<int:pk>.<str:kind>", f"/notices/print-batches/{site.ids['batch_id']}.csv"),
        (
            "legal/litigations/<int:litigation_id>/file/v<int:version>.<str:kind>",
            f"/legal/litigations/{site.ids['litigation_id']}/file/v1.zip",
        ),
    ]
    views += [("notices/", f"/notices/?status={status}") for status in NoticeStatus.values]
    # Every list's CSV export (`?format=csv`), masked as its page; the queue as a supervisor sees all of it.
    views += [(p.route, site.fill(p.url) + "?format=csv") for p in PAGES if "format" in p.query]
    views += [("cases/", "/cases/?owner=all&format=csv")]
    return views


def text_of(response) -> str:
    """What a reader sees: the page, the PDF's text or the CSV, every file in a ZIP; whitespace removed (PDF text
    breaks lines)."""
    kind = response.get("Content-Type", "")
    content = b"".join(response.streaming_content) if response.streaming else response.content
    if kind.startswith("application/zip"):
        archive = zipfile.ZipFile(io.BytesIO(content))
        return "".join(_text(name, archive.read(name)) for name in archive.namelist())
    media = kind.startswith(("image/", "audio/"))
    return _text("page.pdf" if kind.startswith("application/pdf") else "", content, image=media)


def _text(name: str, content: bytes, *, image: bool = False) -> str:
    if name.endswith(".pdf"):
        text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    elif image:
        text = ""
    else:
        text = content.decode("utf-8-sig")
    return re.sub(r"\s+", "", text)


def personal_data() -> dict[str, list[tuple[str, str]]]:
    """field → [(whose, value)] for every borrower and their contact person."""
    values = {field: [(ext, person[field]) for ext, person in PEOPLE.items()] for field in FIELDS}
    values["name"].append(("contact of S01", CONTACT["name"]))
    values["mobile"].append(("contact of S01", CONTACT["phone"]))
    return values


def scan(client, site, role) -> list[str]:
    """Open, as `role`, every view it may; the leaks found, as 'url: field of whom'. Checks the exceptions."""
    client.force_login(site.users[role])
    lines = {p.route: p for p in PAGES}
    views = [(p.route, site.fill(p.url)) for p in PAGES if p.method == "GET" and p.json is None]
    views += extra_views(site)
    data = personal_data()
    leaks, opened, carried = [], 0, set()
    for route, url in views:
        if role not in lines[route].roles:
            continue
        events = AuditEvent.objects.count()
        response = client.get(url)
        assert response.status_code in (200, 302, 404, 409), f"{role} {url}: {response.status_code}"
        if response.status_code not in (200, 409):  # 409: the call form, refused by a contact rule, still shown
            continue
        opened += 1
        text = text_of(response)
        allowed = ALLOWED.get(route, {"fields": (), "audited": None})
        for field, values in data.items():
            for whose, value in values:
                if re.sub(r"\s+", "", value) in text:
                    if field in allowed["fields"]:
                        carried.add((route, field))
                    else:
                        leaks.append(f"{role} {url}: {field} of {whose}")
        if allowed["audited"]:
            event = AuditEvent.objects.order_by("-id").first()
            assert AuditEvent.objects.count() == events + 1, f"{role} {url}: opened without an audit event"
            assert (event.action, event.actor_id) == (allowed["audited"], site.users[role].pk)
    assert opened >= 3, role  # every role opens some pages (at least the start page, the API's schema and docs)
    for route, rule in ALLOWED.items():
        if role in lines[route].roles:
            assert {(route, f) for f in rule["fields"]} <= carried, f"{route} no longer carries what it must"
    return leaks


@pytest.mark.parametrize("role", ROLES)
def test_no_page_or_download_shows_personal_data_in_full(client, monkeypatch, role):
    """Clause: PRV-1 — for every role: every GET page of the matrix it may open, every case, borrower, loan and
    delivery-history page, every outbox status, every list's CSV export, every letter, agreement and print batch
    (PDF text via pypdf, the CSV manifest), the litigation file's PDF and ZIP: no full personal data, except the
    documents of ALLOWED, which carry exactly what they must (found there, so the scan can see it) and whose every
    opening is an audited read. (One test per role, each on its own site, so that the roles share the test
    processes.)"""
    monkeypatch.setattr(desk_views, "now", lambda: WORKING_HOURS)
    site = build_site()
    add_reminder_and_hit(site)  # a row in the lists of reminder calls and of language hits (and their CSVs)
    assert scan(client, site, role) == []


def test_the_scan_sees_personal_data_where_it_is(client, monkeypatch):
    """Clause: PRV-1 — the scanner sees personal data in a page when it is there: the unmask answer (PRV-1's
    one-field, audited exception, a POST with a reason) shows the mobile in full."""
    monkeypatch.setattr(desk_views, "now", lambda: WORKING_HOURS)
    site = build_site()
    client.force_login(site.users[RoleCode.SUPERVISOR])
    events = AuditEvent.objects.count()
    shown = client.post("/borrowers/S01/unmask/", {"field": "mobile", "reason": "核实来电"})
    assert PEOPLE["S01"]["mobile"] in text_of(shown)
    assert AuditEvent.objects.count() == events + 1
