"""The complaint mailbox (CMP-1, issue 17 item 2(b)): parsing worked examples, and reading a real IMAP server.

The server is Debian's dovecot started on loopback by tests/imap_server.py (no mock): two messages in two
encodings and one attachment, fetched byte-exact, and a second read that finds the same and changes nothing.
"""

from __future__ import annotations

import base64
import hashlib
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta, timezone

import pytest

from arrears.complaints.mailbox import fetch_new, html_to_text, id_number_valid, parse_message
from imap_server import imap_server  # noqa: F401 (the fixture)

PDF = b"%PDF-1.4 complaint evidence\n"
PDF_SHA256 = "04c564c0cb7767c5f42997312f45cc337d6d9f27b0eaa8df6b205a7d6535a999"
ID_NUMBER = "11010519491231002X"  # GB 11643's own example


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def crlf(text: str) -> bytes:
    return text.replace("\n", "\r\n").encode("ascii")


UTF8_MAIL = crlf(
    f"""From: =?UTF-8?B?{b64("张三".encode())}?= <zhangsan@example.com>
To: complaints@bank.example.com
Subject: =?UTF-8?B?{b64("催收投诉：电话骚扰".encode())}?=
Date: Sun, 01 Mar 2026 09:30:00 +0800
Message-ID: <utf8-001@example.com>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="b1"

--b1
Content-Type: text/plain; charset=UTF-8
Content-Transfer-Encoding: base64

{b64(f"我的手机13812345678每天接到催收电话。身份证{ID_NUMBER}，合同号：LN0000012345。".encode())}
--b1
Content-Type: application/pdf
Content-Disposition: attachment; filename*=UTF-8''%E6%8A%95%E8%AF%89%E6%9D%90%E6%96%99.pdf
Content-Transfer-Encoding: base64

{b64(PDF)}
--b1--
"""
)

# Declared GB2312 but holding 镕, which only GBK/GB18030 has; the attachment's name RFC 2047 in GBK, as Foxmail
# and Outlook write it.
GBK_MAIL = crlf(
    f"""From: =?GB2312?B?{b64("李四".encode("gbk"))}?= <lisi@example.cn>
Subject: =?GB2312?B?{b64("投诉催收员态度恶劣".encode("gbk"))}?=
Date: Mon, 02 Mar 2026 14:05:00 +0800
Message-ID: <gbk-002@example.cn>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="b2"

--b2
Content-Type: text/plain; charset="gb2312"
Content-Transfer-Encoding: base64

{b64("王镕先生，您的催收员在晚上十点后致电我单位。手机：15900001111".encode("gbk"))}
--b2
Content-Type: application/octet-stream; name="=?GBK?B?{b64("通话记录.pdf".encode("gbk"))}?="
Content-Disposition: attachment; filename="=?GBK?B?{b64("通话记录.pdf".encode("gbk"))}?="
Content-Transfer-Encoding: base64

{b64(PDF)}
--b2--
"""
)

QP_MAIL = crlf(
    """From: wang@example.com
Subject: =?UTF-8?Q?=E6=8A=95=E8=AF=89?=
Date: Tue, 03 Mar 2026 08:00:00 +0000
Message-ID: <qp-003@example.com>
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: quoted-printable

=E5=90=88=E5=90=8C=E7=BC=96=E5=8F=B7 HT-2027-0001 =E7=9A=84=E5=82=AC=E6=94=B6=
=E7=9F=AD=E4=BF=A1=E5=A4=AA=E5=A4=9A=E3=80=82
"""
)

HTML_MAIL = crlf(
    """From: "Zhao Liu" <zhao@example.com>
Subject: complaint
Message-ID: <html-004@example.com>
MIME-Version: 1.0
Content-Type: text/html; charset=utf-8
Content-Transfer-Encoding: base64

"""
    + b64(
        "<html><head><style>p{color:red}</style></head><body><p>催收员&nbsp;威胁我。</p>"
        "<div>Contract no. LN0000099999 &amp; mobile 17012345678</div></body></html>".encode()
    )
    + "\n"
)


def test_utf8_message_with_an_rfc2231_attachment_name():
    """Clause: CMP-1"""
    mail = parse_message(UTF8_MAIL)
    assert mail.message_id == "<utf8-001@example.com>"
    assert mail.received_at == datetime(2026, 3, 1, 1, 30, tzinfo=UTC)
    assert (mail.sender, mail.sender_name, mail.subject) == ("zhangsan@example.com", "张三", "催收投诉：电话骚扰")
    assert mail.text == f"我的手机13812345678每天接到催收电话。身份证{ID_NUMBER}，合同号：LN0000012345。"
    assert mail.attachments == [("投诉材料.pdf", "application/pdf", PDF)]
    assert mail.digests() == [("投诉材料.pdf", PDF_SHA256)]
    assert hashlib.sha256(mail.attachments[0][2]).hexdigest() == PDF_SHA256
    assert (mail.mobile, mail.id_number, mail.contract_no) == ("13812345678", ID_NUMBER, "LN0000012345")


def test_gbk_message_declared_gb2312_with_a_gbk_attachment_name():
    """Clause: CMP-1"""
    mail = parse_message(GBK_MAIL)
    assert (mail.sender, mail.sender_name) == ("lisi@example.cn", "李四")
    assert mail.subject == "投诉催收员态度恶劣"
    assert mail.text == "王镕先生，您的催收员在晚上十点后致电我单位。手机：15900001111"
    assert mail.attachments == [("通话记录.pdf", "application/octet-stream", PDF)]
    assert mail.digests() == [("通话记录.pdf", PDF_SHA256)]
    assert mail.received_at == datetime(2026, 3, 2, 14, 5, tzinfo=timezone(timedelta(hours=8)))
    assert (mail.mobile, mail.id_number, mail.contract_no) == ("15900001111", "", "")


def test_quoted_printable_and_a_labelled_contract_number():
    mail = parse_message(QP_MAIL)
    assert mail.subject == "投诉"
    assert mail.text == "合同编号 HT-2027-0001 的催收短信太多。"
    assert mail.contract_no == "HT-2027-0001"
    assert mail.attachments == []


def test_html_only_message_is_read_as_text_and_falls_back_to_internaldate():
    arrived = datetime(2026, 3, 4, 2, 0, tzinfo=UTC)
    mail = parse_message(HTML_MAIL, arrived)
    assert mail.text == "催收员 威胁我。\n\nContract no. LN0000099999 & mobile 17012345678"
    assert (mail.sender, mail.sender_name) == ("zhao@example.com", "Zhao Liu")
    assert mail.received_at == arrived  # no Date header
    assert (mail.mobile, mail.contract_no) == ("17012345678", "LN0000099999")
    assert html_to_text("<p>a</p><script>x()</script><p>b &lt; c</p>") == "a\n\nb < c"


def test_unknown_charset_and_raw_8bit_headers_are_read_not_refused():
    raw = (
        b"Subject: \xcd\xb6\xcb\xdf\r\nMessage-ID: <odd@example.com>\r\n"
        b"Content-Type: text/plain; charset=x-no-such-charset\r\n\r\nhello \xff world\r\n"
    )
    mail = parse_message(raw)
    assert mail.subject == "投诉"  # raw GBK bytes in a header
    assert mail.text == "hello \ufffd world"


def test_message_without_message_id_gets_one_from_its_bytes():
    raw = b"Subject: x\r\n\r\nbody\r\n"
    mail = parse_message(raw)
    assert mail.message_id == f"<sha256-{hashlib.sha256(raw).hexdigest()}@mailbox.invalid>"
    assert parse_message(raw).message_id == mail.message_id


def test_id_numbers_need_their_check_character():
    assert id_number_valid(ID_NUMBER)
    assert id_number_valid(ID_NUMBER.lower())
    assert not id_number_valid("110105194912310021")
    assert parse_message(crlf("Subject: x\n\nID 110105194912310021 here\n")).id_number == ""


def _flags(server) -> list[bytes]:
    conn = server.connect()
    try:
        conn.select("INBOX", readonly=True)
        _typ, data = conn.uid("FETCH", "1:*", "(FLAGS)")
        return sorted(item for item in data if item)
    finally:
        conn.logout()


def test_fetch_new_reads_two_encodings_and_an_attachment_byte_exact_and_changes_nothing(imap_server):  # noqa: F811
    """Clause: CMP-1"""
    # INTERNALDATEs in the past: dovecot takes a future one (the real clock's future) as the time of delivery.
    imap_server.append(UTF8_MAIL, internaldate='"01-Mar-2025 09:31:00 +0800"')
    imap_server.append(GBK_MAIL, internaldate='"02-Mar-2025 14:06:00 +0800"')
    server = (imap_server.host, imap_server.port, imap_server.user, imap_server.password)
    flags_before = _flags(imap_server)

    first = fetch_new(*server, security="none")
    assert [(uid, raw) for uid, raw, _when in first] == [(1, UTF8_MAIL), (2, GBK_MAIL)]
    assert [when for _uid, _raw, when in first] == [
        datetime(2025, 3, 1, 1, 31, tzinfo=UTC),
        datetime(2025, 3, 2, 6, 6, tzinfo=UTC),
    ]
    mails = [parse_message(raw, when) for _uid, raw, when in first]
    assert [m.message_id for m in mails] == ["<utf8-001@example.com>", "<gbk-002@example.cn>"]
    assert [m.text[:6] for m in mails] == ["我的手机13", "王镕先生，您"]
    assert [m.digests() for m in mails] == [[("投诉材料.pdf", PDF_SHA256)], [("通话记录.pdf", PDF_SHA256)]]

    second = fetch_new(*server, security="none")
    assert second == first
    assert _flags(imap_server) == flags_before  # read-only: no \Seen set
    assert all(b"\\Seen" not in item for item in flags_before)
    assert fetch_new(*server, security="none", since_uid=2) == []
    validity: list[int] = []
    assert [uid for uid, _r, _w in fetch_new(*server, security="none", since_uid=1, uidvalidity=validity)] == [2]
    assert len(validity) == 1
    assert validity[0] > 0


@pytest.mark.django_db
def test_ingest_mailbox_files_each_message_once(imap_server, settings, tmp_path):  # noqa: F811
    """Clause: CMP-1 — runs once the complaints app (do_file_complaint) is merged."""
    from arrears.complaints.mailbox import ingest_mailbox
    from arrears.complaints.models import Complaint, ComplaintAttachment
    from arrears.compliance.actions import system_actor

    settings.VAR_DIR = tmp_path
    settings.ARREARS_COMPLAINT_IMAP_HOST, settings.ARREARS_COMPLAINT_IMAP_PORT = imap_server.host, imap_server.port
    settings.ARREARS_COMPLAINT_IMAP_USER = imap_server.user
    settings.ARREARS_COMPLAINT_IMAP_PASSWORD = imap_server.password
    settings.ARREARS_COMPLAINT_IMAP_FOLDER, settings.ARREARS_COMPLAINT_IMAP_SSL = "INBOX", "none"
    imap_server.append(UTF8_MAIL)
    imap_server.append(GBK_MAIL)
    before = Complaint.objects.count()

    report = ingest_mailbox(actor=system_actor())
    assert (report.read, report.filed, report.already_filed, report.failed) == (2, 2, 0, [])
    assert Complaint.objects.count() == before + 2
    complaint = Complaint.objects.get(message_id="<gbk-002@example.cn>")
    assert (complaint.channel, complaint.subject, complaint.mobile) == ("email", "投诉催收员态度恶劣", "15900001111")
    assert complaint.text == "王镕先生，您的催收员在晚上十点后致电我单位。手机：15900001111"
    assert (complaint.complainant, complaint.email) == ("李四", "lisi@example.cn")
    assert complaint.received_at == datetime(2026, 3, 2, 6, 5, tzinfo=UTC)
    kept = ComplaintAttachment.objects.filter(complaint=complaint).values_list("filename", "sha256", "data")
    assert [(name, digest, bytes(data)) for name, digest, data in kept] == [("通话记录.pdf", PDF_SHA256, PDF)]

    again = ingest_mailbox(actor=system_actor())  # the remembered UID: nothing new to read
    assert (again.read, again.filed, again.already_filed) == (0, 0, 0)
    (tmp_path / "complaint-mailbox.json").unlink()  # a lost state file: all re-read, nothing filed twice
    third = ingest_mailbox(actor=system_actor())
    assert (third.read, third.filed, third.already_filed, third.failed) == (2, 0, 2, [])
    assert Complaint.objects.count() == before + 2


def _settings_in_a_subprocess(tmp_path, **env: str) -> subprocess.CompletedProcess:
    code = (
        "from arrears import settings as s; "
        "print(s.ARREARS_COMPLAINT_IMAP_PORT, s.ARREARS_COMPLAINT_IMAP_SSL, s.ARREARS_COMPLAINT_IMAP_PASSWORD)"
    )
    base = {k: v for k, v in os.environ.items() if not k.startswith("ARREARS_COMPLAINT_IMAP")}
    return subprocess.run(
        [sys.executable, "-c", code],
        env={**base, "ARREARS_VAR": str(tmp_path), **env},
        capture_output=True,
        text=True,
        check=False,
    )


def test_imap_settings_are_validated(tmp_path):
    password_file = tmp_path / "imap-password"
    password_file.write_text("s3cret\n", encoding="utf-8")
    good = _settings_in_a_subprocess(
        tmp_path,
        ARREARS_COMPLAINT_IMAP_HOST="imap.bank.example",
        ARREARS_COMPLAINT_IMAP_USER="complaints",
        ARREARS_COMPLAINT_IMAP_PASSWORD_FILE=str(password_file),
        ARREARS_COMPLAINT_IMAP_SSL="starttls",
    )
    assert good.stdout.split() == ["143", "starttls", "s3cret"], good.stderr
    no_login = _settings_in_a_subprocess(tmp_path, ARREARS_COMPLAINT_IMAP_HOST="imap.bank.example")
    assert "set ARREARS_COMPLAINT_IMAP_USER and ARREARS_COMPLAINT_IMAP_PASSWORD" in no_login.stderr
    bad_ssl = _settings_in_a_subprocess(tmp_path, ARREARS_COMPLAINT_IMAP_SSL="maybe")
    assert "ARREARS_COMPLAINT_IMAP_SSL='maybe' is not one of ssl, starttls or none" in bad_ssl.stderr
    bad_port = _settings_in_a_subprocess(tmp_path, ARREARS_COMPLAINT_IMAP_PORT="0")
    assert "ARREARS_COMPLAINT_IMAP_PORT='0' is not a whole number from 1 to 65535" in bad_port.stderr
    missing = _settings_in_a_subprocess(
        tmp_path, ARREARS_COMPLAINT_IMAP_PASSWORD_FILE=str(tmp_path / "absent"), ARREARS_COMPLAINT_IMAP_USER="u"
    )
    assert "ARREARS_COMPLAINT_IMAP_PASSWORD_FILE=" in missing.stderr
    assert "cannot be read" in missing.stderr


def test_the_worker_reads_the_mailbox_only_when_one_is_configured(settings):
    from arrears.operations.jobs import JOBS

    job = JOBS["complaint_mail"]
    at = datetime(2027, 3, 1, 1, 7, tzinfo=UTC)  # 09:07 in Beijing
    settings.ARREARS_COMPLAINT_IMAP_HOST = ""
    assert job.due(at) == []
    settings.ARREARS_COMPLAINT_IMAP_HOST, settings.ARREARS_COMPLAINT_IMAP_MINUTES = "imap.bank.example", 5
    assert job.due(at) == [("2027-03-01T09:05", {})]
    settings.ARREARS_COMPLAINT_IMAP_MINUTES = 15
    assert job.due(at) == [("2027-03-01T09:00", {})]
