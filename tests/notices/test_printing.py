"""The day's print batch (LTR-2): every letter by post in one PDF, with a CSV manifest for the print house."""

from __future__ import annotations

import csv
import hashlib
import io

import pytest
from pypdf import PdfReader
from test_letters import AT, TODAY, late_loan, open_case

from arrears.collection.letters import do_send_letter
from arrears.collection.models import Letter
from arrears.compliance.actions import ActionDenied
from arrears.compliance.models import AuditEvent
from arrears.notices.models import Notice, PrintBatch
from arrears.notices.printing import MANIFEST_COLUMNS, do_make_print_batch, postcode_of
from arrears.portfolio.models import Hold
from arrears.portfolio.posting import allocate_payments
from book import nightly_run
from factories import make_user

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("approved_templates")]


def post_letter(external_id: str, contract: str, name: str, **borrower_fields):
    loan = late_loan(external_id=external_id, name=name, **borrower_fields)
    loan.external_id = contract
    loan.save(update_fields=["external_id"])
    allocate_payments([loan.pk], business_date=TODAY)
    case = open_case(loan.borrower)
    return do_send_letter(case, channel="post", actor=make_user("junior_collector"), today=TODAY, at=AT)


def test_a_print_batch_holds_every_letter_by_post_once():
    """Clause: LTR-2 — two letters by post, one borrower under a hold placed since: the batch's PDF holds the
    two letters' pages in order, the manifest one row each (reference, name, address, pages, first page, the
    SHA-256 of the letter as issued); the held one is cancelled, not printed; a second batch finds nothing."""
    first = post_letter("C-ONE", "HT-ONE", "王一")
    second = post_letter("C-TWO", "HT-TWO", "王二")
    held = post_letter("C-HELD", "HT-HELD", "王三")
    Hold.objects.create(
        borrower=held.borrower, kind="dispute", reason="disputes the amount", starts_on=TODAY, placed_by=nightly_run()
    )

    batch = do_make_print_batch(TODAY, actor=nightly_run(), at=AT)

    pages = [len(PdfReader(io.BytesIO(bytes(letter.pdf))).pages) for letter in (first, second)]
    assert (batch.business_date, batch.number, batch.letters, batch.pages) == (TODAY, 1, 2, sum(pages))
    merged = PdfReader(io.BytesIO(bytes(batch.pdf)))
    assert len(merged.pages) == sum(pages)
    assert f"LTR-20260930-{first.pk:06d}" in merged.pages[0].extract_text()
    assert f"LTR-20260930-{second.pk:06d}" in merged.pages[pages[0]].extract_text()
    assert batch.pdf_sha256 == hashlib.sha256(bytes(batch.pdf)).hexdigest()

    rows = list(csv.DictReader(io.StringIO(batch.manifest)))
    assert tuple(rows[0]) == MANIFEST_COLUMNS
    assert [(r["seq"], r["reference"], r["name"], r["contracts"], r["first_page"]) for r in rows] == [
        ("1", f"LTR-20260930-{first.pk:06d}", "王一", "HT-ONE", "1"),
        ("2", f"LTR-20260930-{second.pk:06d}", "王二", "HT-TWO", str(pages[0] + 1)),
    ]
    assert rows[0]["address"] == "北京市海淀区中关村大街27号"
    assert rows[0]["sha256"] == Letter.objects.get(pk=first.pk).pdf_sha256

    statuses = {n.letter_id: (n.status, n.reason, n.print_batch_id) for n in Notice.objects.all()}
    assert statuses == {
        first.pk: ("sent", "", batch.pk),
        second.pk: ("sent", "", batch.pk),
        held.pk: ("cancelled", "hold", None),
    }
    assert dict(Letter.objects.values_list("pk", "status")) == {
        first.pk: "printed",
        second.pk: "printed",
        held.pk: "cancelled",
    }
    event = AuditEvent.objects.get(action="notices.make_print_batch")
    assert event.changes["letters"] == [None, 2]
    assert do_make_print_batch(TODAY, actor=nightly_run(), at=AT) is None
    assert PrintBatch.objects.count() == 1


def test_a_supervisor_makes_and_downloads_a_batch_a_collector_may_not(client):
    """Clause: LTR-2, AUTH-1 — the supervisor's page makes the batch and serves its PDF and manifest; a junior
    collector is refused and nothing is printed."""
    letter = post_letter("C-ONE", "HT-ONE", "王一")
    junior = make_user("junior_collector")
    with pytest.raises(ActionDenied):
        do_make_print_batch(TODAY, actor=junior, at=AT)
    assert (PrintBatch.objects.count(), Notice.objects.get().status) == (0, "queued")
    client.force_login(junior)
    assert client.post("/notices/print-batches/").status_code == 403
    assert PrintBatch.objects.count() == 0

    client.force_login(make_user("supervisor"))
    assert client.post("/notices/print-batches/").status_code == 302
    batch = PrintBatch.objects.get()
    pdf = client.get(f"/notices/print-batches/{batch.pk}.pdf")
    assert (pdf.status_code, pdf["Content-Type"], bytes(pdf.content)[:4]) == (200, "application/pdf", b"%PDF")
    manifest = client.get(f"/notices/print-batches/{batch.pk}.csv").content.decode("utf-8-sig")
    assert f"LTR-20260930-{letter.pk:06d}" in manifest
    assert client.get(f"/notices/print-batches/{batch.pk}.exe").status_code == 404


@pytest.mark.parametrize("kind", ["pdf", "csv"])
def test_downloading_a_batch_is_an_audited_read_never_cached(client, kind):
    """Clause: PRV-1, LTR-2 — the batch's PDF and manifest carry full names and addresses: each download writes
    an audit event naming the batch and the file, and the response may not be cached. A junior collector
    (no outbox permission) gets 403 and leaves no event."""
    post_letter("C-ONE", "HT-ONE", "王一")
    batch = do_make_print_batch(TODAY, actor=nightly_run(), at=AT)
    downloads = AuditEvent.objects.filter(action="notices.download_print_batch")

    client.force_login(make_user("junior_collector"))
    refused = client.get(f"/notices/print-batches/{batch.pk}.{kind}")
    assert (refused.status_code, downloads.count()) == (403, 0)
    assert b"\xe7\x8e\x8b\xe4\xb8\x80" not in refused.content  # 王一

    supervisor = make_user("supervisor")
    client.force_login(supervisor)
    for _ in range(2):
        response = client.get(f"/notices/print-batches/{batch.pk}.{kind}")
        assert response.status_code == 200
        assert response["Cache-Control"] == "private, no-store"
    assert (
        list(downloads.values_list("subject_type", "subject_id", "actor_username"))
        == [("notices.printbatch", str(batch.pk), supervisor.username)] * 2
    )
    assert downloads.first().changes == {"download": [None, kind], "letters": [None, 1]}
    assert downloads.first().basis["clause"] == "PRV-1"


def test_the_manifest_gives_each_letters_postcode_from_its_address():
    """Clause: LTR-2 — the manifest's header has a postcode column after the address; the borrower record has no
    postcode of its own, so it is the six digits written in the address (100080 here), empty when there are none
    (the default address, 北京市海淀区中关村大街27号)."""
    with_code = post_letter("C-ONE", "HT-ONE", "王一", address="北京市海淀区中关村大街27号 100080")
    without = post_letter("C-TWO", "HT-TWO", "王二")

    batch = do_make_print_batch(TODAY, actor=nightly_run(), at=AT)

    header = batch.manifest.splitlines()[0]
    assert header == "seq,reference,customer_number,name,address,postcode,contracts,pages,first_page,sha256"
    rows = {row["reference"]: row for row in csv.DictReader(io.StringIO(batch.manifest))}
    first = rows[f"LTR-20260930-{with_code.pk:06d}"]
    assert (first["address"], first["postcode"]) == ("北京市海淀区中关村大街27号 100080", "100080")
    second = rows[f"LTR-20260930-{without.pk:06d}"]
    assert (second["address"], second["postcode"]) == ("北京市海淀区中关村大街27号", "")


@pytest.mark.parametrize(
    ("address", "postcode"),
    [
        ("100080 北京市海淀区中关村大街27号", "100080"),
        ("（200120）上海市浦东新区世纪大道100号", "200120"),
        ("上海市浦东新区世纪大道100号，200120", "200120"),
        ("广州市天河区体育西路191号 邮编：510620 转财务部", "510620"),
        ("上海市浦东新区世纪大道100号", ""),  # a house number is not a postcode
        ("北京市朝阳区建国路88号 13901234567", ""),  # nor are six digits of a phone number
        ("", ""),
    ],
)
def test_a_postcode_is_six_digits_at_either_end_of_the_address_or_labelled(address, postcode):
    """Clause: LTR-2 — six digits before or after the address (in brackets or not) or after 邮编 anywhere; a
    house number or a longer run of digits is not a postcode."""
    assert postcode_of(address) == postcode
