"""The litigation file on the web and in the API (LIT-1): the file's page with its versions and the build form, the
downloads as audited reads, and `GET /api/v1/cases/{id}/litigation/file`."""

from __future__ import annotations

import io
import zipfile
from datetime import date

import pytest
from apicalls import bearer
from django.test import Client
from file_book import FILING_DATE, PERSON, debtor_case, decide_litigation

from arrears.accounts.tokens import do_create_token
from arrears.collection.models import CollectionCase
from arrears.compliance.models import AuditEvent
from arrears.legal.litigation_file import do_build_litigation_file
from arrears.legal.models import Litigation, LitigationFile
from factories import make_borrower, make_user

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("approved_templates")]


@pytest.fixture
def litigation() -> Litigation:
    return decide_litigation(debtor_case())


@pytest.fixture
def officer():
    return make_user("legal_officer")


def signed_in(user) -> Client:
    client = Client(headers={"accept-language": "en"})
    client.force_login(user)
    return client


def written() -> dict[str, int]:
    return {"files": LitigationFile.objects.count(), "events": AuditEvent.objects.count()}


def test_the_page_lists_the_versions_and_offers_the_build_to_legal_officers_only(litigation, officer):
    """Clause: LIT-1, PRV-1 — legal officers and supervisors see each version with its filing date and SHA-256 and
    its downloads; only legal officers get the build form, today's date (Beijing) filled in. The page shows no
    personal data in full. Collectors and compliance officers are refused."""
    built = do_build_litigation_file(litigation, as_of=FILING_DATE, actor=officer)
    url = f"/legal/litigations/{litigation.pk}/file/"
    page = signed_in(officer).get(url)
    assert page.status_code == 200
    text = page.content.decode()
    for expected in (built.pdf_sha256, built.zip_sha256, "v1", "2026-10-20", 'id="build-file"', 'name="as_of"'):
        assert expected in text, expected
    assert f"/legal/litigations/{litigation.pk}/file/v1.pdf" in text
    assert f"/legal/litigations/{litigation.pk}/file/v1.zip" in text
    assert all(PERSON[field] not in text for field in ("name", "id_number", "address"))
    seen = signed_in(make_user("supervisor")).get(url).content.decode()
    assert built.pdf_sha256 in seen
    assert 'id="build-file"' not in seen
    for role in ("junior_collector", "senior_collector", "compliance_officer", "analyst"):
        assert signed_in(make_user(role)).get(url).status_code == 403, role


def test_a_legal_officer_builds_a_version_on_the_page_and_bad_dates_are_refused(litigation, officer):
    """Clause: LIT-1 — the form builds version 1 as of the date given; a date that is not one, or one before the
    decision, is answered with what to do and builds nothing; a supervisor's post is refused (403)."""
    client = signed_in(officer)
    url = f"/legal/litigations/{litigation.pk}/file/build/"
    before = written()
    for bad in ("2026-02-30", "２０２６-10-20", "", "10" * 20):
        answer = client.post(url, {"as_of": bad}, follow=True)
        assert "Give the filing date as a date, e.g. 2026-10-20" in answer.content.decode(), bad
    early = client.post(url, {"as_of": "2026-10-01"}, follow=True).content.decode()
    assert "The filing date 2026-10-01 is before litigation was decided (2026-10-12)" in early
    assert signed_in(make_user("supervisor")).post(url, {"as_of": "2026-10-20"}).status_code == 403
    assert written() == before
    done = client.post(url, {"as_of": "2026-10-20"})
    assert (done.status_code, done["Location"]) == (302, f"/legal/litigations/{litigation.pk}/file/")
    built = LitigationFile.objects.get(litigation=litigation)
    assert (built.version, built.as_of, built.built_by_id) == (1, FILING_DATE, officer.pk)
    shown = client.get(done["Location"]).content.decode()
    assert "Version 1 of the litigation file is built, as of 2026-10-20." in shown


def test_each_download_is_an_audited_read_never_cached(litigation, officer):
    """Clause: PRV-1, LIT-1 — the PDF and the ZIP exactly as built, as attachments not to be cached, each an
    audited read by whoever opened it; an unknown version or kind is 404; a collector is refused, nothing
    written."""
    built = do_build_litigation_file(litigation, as_of=FILING_DATE, actor=officer)
    supervisor = make_user("supervisor")
    client = signed_in(supervisor)
    base = f"/legal/litigations/{litigation.pk}/file/v1"
    events = AuditEvent.objects.count()
    pdf = client.get(f"{base}.pdf")
    assert (pdf.status_code, pdf["Content-Type"], pdf["Cache-Control"]) == (200, "application/pdf", "private, no-store")
    assert pdf["Content-Disposition"] == f'attachment; filename="litigation-file-{litigation.pk:06d}-v1.pdf"'
    assert pdf.content == bytes(built.pdf)
    archive = client.get(f"{base}.zip")
    assert archive["Content-Type"] == "application/zip"
    assert "MANIFEST.sha256" in zipfile.ZipFile(io.BytesIO(archive.content)).namelist()
    opened = AuditEvent.objects.filter(pk__gt=0).order_by("pk")[events:]
    assert [(e.action, e.actor_id, e.changes["download"][1]) for e in opened] == [
        ("legal.view_litigation_file", supervisor.pk, "pdf"),
        ("legal.view_litigation_file", supervisor.pk, "zip"),
    ]
    assert client.get(f"/legal/litigations/{litigation.pk}/file/v2.pdf").status_code == 404
    assert client.get(f"{base}.txt").status_code == 404
    before = written()
    assert signed_in(make_user("senior_collector")).get(f"{base}.pdf").status_code == 403
    assert written() == before


def test_the_api_answers_the_newest_version_as_a_pdf_to_supervisors_and_legal_officers(litigation, officer):
    """Clause: LIT-1, PRV-1, AUTH-3 — GET /api/v1/cases/{id}/litigation/file: the newest version's PDF
    (application/pdf) to a supervisor (session) and to a legal officer's service token, each an audited read."""
    do_build_litigation_file(litigation, as_of=FILING_DATE, actor=officer)
    newest = do_build_litigation_file(litigation, as_of=date(2026, 10, 21), actor=officer)
    url = f"/api/v1/cases/{litigation.case_id}/litigation/file"
    supervisor = make_user("supervisor")
    answer = signed_in(supervisor).get(url)
    assert (answer.status_code, answer["Content-Type"]) == (200, "application/pdf")
    assert answer.content == bytes(newest.pdf)
    event = AuditEvent.objects.order_by("-pk").first()
    assert (event.action, event.actor_id, event.changes["version"][1]) == (
        "legal.view_litigation_file",
        supervisor.pk,
        2,
    )
    admin = make_user("administrator")
    _row, token = do_create_token("court-filing", "legal_officer", actor=admin)
    by_token = bearer(token).get(url)
    assert (by_token.status_code, by_token.content) == (200, bytes(newest.pdf))
    last = list(AuditEvent.objects.order_by("-pk").values_list("action", flat=True)[:2])
    assert sorted(last) == ["api.call", "legal.view_litigation_file"]


def test_the_api_refuses_roles_without_the_file_and_finds_nothing_where_there_is_nothing(litigation, officer):
    """Clause: LIT-1, AUTH-3 — a compliance officer, who may read the case, is refused (403); a junior collector,
    who may not see this case, gets 404; so does a case without litigation, a litigation without a file yet, and
    a case that does not exist. Nothing is written by any of them."""
    url = f"/api/v1/cases/{litigation.case_id}/litigation/file"
    supervisor = signed_in(make_user("supervisor"))
    not_built = supervisor.get(url)
    assert (not_built.status_code, not_built.json()["error"]["code"]) == (404, "not_found")
    assert "No litigation file has been built for this case yet" in not_built.json()["error"]["message"]
    do_build_litigation_file(litigation, as_of=FILING_DATE, actor=officer)
    before = written()
    refused = signed_in(make_user("compliance_officer")).get(url)
    assert (refused.status_code, refused.json()["error"]["code"]) == (403, "forbidden")
    assert signed_in(make_user("junior_collector")).get(url).status_code == 404
    other = CollectionCase.objects.create(
        borrower=make_borrower(),
        status="open",
        delinquency_class="severe",
        pool="supervisor",
        opened_on=FILING_DATE,
        updated_on=FILING_DATE,
    )
    undecided = supervisor.get(f"/api/v1/cases/{other.pk}/litigation/file")
    assert undecided.status_code == 404
    assert undecided.json()["error"]["message"] == "Litigation has not been decided on this case."
    assert supervisor.get("/api/v1/cases/999999/litigation/file").status_code == 404
    assert supervisor.get("/api/v1/cases/abc/litigation/file").status_code == 422
    assert written() == before


def test_the_openapi_document_describes_the_pdf_and_its_refusals(litigation):
    """The endpoint appears in OpenAPI 3.1 with its PDF answer and its 403 and 404."""
    document = signed_in(make_user("supervisor")).get("/api/v1/openapi.json").json()
    operation = document["paths"]["/api/v1/cases/{case_id}/litigation/file"]["get"]
    assert "application/pdf" in operation["responses"]["200"]["content"]
    assert {"403", "404"} <= set(operation["responses"])


def test_the_litigation_pages_block_links_the_file(litigation, officer):
    """Clause: LIT-1 — the block the litigation's page includes names the newest version and links its downloads
    and the file's page."""
    from django.template import Context, Template

    block = Template("{% load litigation_file %}{% litigation_file_block litigation %}")
    assert "/file/v1.pdf" not in block.render(Context({"litigation": litigation}))
    do_build_litigation_file(litigation, as_of=FILING_DATE, actor=officer)
    shown = block.render(Context({"litigation": litigation}))
    assert f"/legal/litigations/{litigation.pk}/file/v1.pdf" in shown
    assert f'href="/legal/litigations/{litigation.pk}/file/"' in shown
