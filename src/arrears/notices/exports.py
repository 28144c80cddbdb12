"""The outbox's lists as CSV (`?format=csv`, `arrears.home.export`): the outbox with its status and dates, a
borrower's delivery history, the print batches, the templates. Recipients masked as on the pages (PRV-1);
statuses, kinds and reasons in words."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from arrears.accounts.permissions import Perm, has_perm
from arrears.home.export import Column, export_csv, text, yuan
from arrears.notices import queries
from arrears.notices.models import Notice, PrintBatch
from arrears.notices.shown import shown_recipient, shown_status
from arrears.notices.template_queries import template_groups


def _reason(code: str) -> str:
    return str(queries.REASON_LABELS.get(code, code)) if code else ""


def _sent_at(notice: Notice):
    """As the pages show it: a letter in a print batch has not reached anyone yet (its status says where)."""
    return None if notice.print_batch_id else notice.sent_at


def _status(now) -> Callable[[Notice], str]:
    return lambda notice: shown_status(notice, now)


def outbox(request: HttpRequest, notices: QuerySet, status: str, since: date | None, until: date | None):
    """The outbox as filtered on the page (status, queued from, to), newest first, every page of it."""
    columns = [
        Column("notice", gettext_lazy("Notice"), lambda n: n.key),
        Column("channel", gettext_lazy("Channel"), lambda n: n.get_channel_display()),
        Column("borrower", gettext_lazy("Borrower"), lambda n: n.borrower.external_id if n.borrower_id else ""),
        Column("recipient", gettext_lazy("Recipient"), lambda n: shown_recipient(n) or "—"),
        Column("queued_on", gettext_lazy("Queued on"), lambda n: n.queued_on),
        Column("status", gettext_lazy("Status"), _status(timezone.now())),
        Column("sent_at", gettext_lazy("Sent at"), _sent_at),
        Column("attempts", gettext_lazy("Attempts"), lambda n: n.attempts),
        Column("reason", gettext_lazy("Reason"), lambda n: _reason(n.reason)),
        Column("last_error", gettext_lazy("Last error"), lambda n: n.last_error),
    ]
    filters = {"status": status, "from": since, "to": until}
    return export_csv(request, "notices", Perm.MANAGE_OUTBOX, columns, notices, filters)


def _loan(notice: Notice) -> str:
    if notice.loan:
        return f"{notice.loan.external_id} #{notice.instalment_n}" if notice.instalment_n else notice.loan.external_id
    if notice.plan_id:
        return f"{_('Plan')} #{notice.plan_id} #{notice.instalment_n}"
    return "—"


def _template(notice: Notice) -> str:
    template = notice.template
    if template is None:
        return "—"
    return f"{template.get_purpose_display()} v{template.version} ({template.language})"


def _attempts(notice: Notice) -> str:
    lines = []
    for attempt in notice.attempts_made.all():
        line = f"{text(attempt.at)} {attempt.get_outcome_display()}"
        if attempt.reason:
            line += f" · {_reason(attempt.reason)}"
        if attempt.detail:
            line += f" {attempt.detail}"
        lines.append(line)
    return "; ".join(lines)


def history(request: HttpRequest, borrower) -> HttpResponse:
    """Every notice to one borrower (the page shows the newest 200), newest first, with each attempt."""
    now = timezone.now()
    columns = [
        Column("queued_on", gettext_lazy("Queued on"), lambda n: n.queued_on),
        Column("kind", gettext_lazy("Kind"), lambda n: n.get_kind_display()),
        Column("channel", gettext_lazy("Channel"), lambda n: n.get_channel_display()),
        Column("loan", gettext_lazy("Loan"), _loan),
        Column("amount", gettext_lazy("Amount (yuan)"), lambda n: yuan(n.amount_fen)),
        Column("status", gettext_lazy("Status"), _status(now)),
        Column("sent_at", gettext_lazy("Sent at"), _sent_at),
        Column("recipient", gettext_lazy("Recipient"), lambda n: shown_recipient(n) or "—"),
        Column("template", gettext_lazy("Template"), _template),
        Column("attempts", gettext_lazy("Attempts"), _attempts),
    ]
    name = f"notices-{borrower.external_id}"
    rows = queries.delivery_history(borrower.pk)
    return export_csv(request, name, Perm.VIEW_PORTFOLIO, columns, rows, {"borrower": borrower.external_id})


BATCH_COLUMNS = [
    Column("business_date", gettext_lazy("Business date"), lambda b: b.business_date),
    Column("batch", gettext_lazy("Batch"), lambda b: b.number),
    Column("letters", gettext_lazy("Letters"), lambda b: b.letters),
    Column("pages", gettext_lazy("Pages"), lambda b: b.pages),
    Column("made_at", gettext_lazy("Made at"), lambda b: b.created_at),
    Column("sha256", "SHA-256", lambda b: b.pdf_sha256),
]


def print_batches(request: HttpRequest) -> HttpResponse:
    """Every print batch (the page shows the newest 100), newest first; the files themselves are downloaded one
    by one (each an audited read: they carry names and addresses)."""
    rows = PrintBatch.objects.defer("pdf", "manifest").order_by("-business_date", "-number")
    return export_csv(request, "print-batches", Perm.MANAGE_OUTBOX, BATCH_COLUMNS, rows, {})


def _by(user) -> str:
    return user.get_username() if user else _("system")


TEMPLATE_COLUMNS = [
    Column("purpose", gettext_lazy("Kind"), lambda gt: gt[0].purpose_label),
    Column("language", gettext_lazy("Language"), lambda gt: gt[0].language_label),
    Column("version", gettext_lazy("Version"), lambda gt: f"v{gt[1].version}"),
    Column("status", gettext_lazy("Status"), lambda gt: gt[1].get_status_display()),
    Column(
        "beginning",
        gettext_lazy("Subject or beginning"),
        lambda gt: Truncator(gt[1].subject or gt[1].body).chars(60),
    ),
    Column("written", gettext_lazy("Written"), lambda gt: gt[1].created_at),
    Column("written_by", gettext_lazy("Written by"), lambda gt: _by(gt[1].author)),
    Column("submitted", gettext_lazy("Submitted"), lambda gt: gt[1].submitted_at),
    Column("reviewed", gettext_lazy("Reviewed"), lambda gt: gt[1].reviewed_at),
    Column(
        "reviewed_by", gettext_lazy("Reviewed by"), lambda gt: gt[1].reviewer.get_username() if gt[1].reviewer else ""
    ),
    Column("retired", gettext_lazy("Retired"), lambda gt: gt[1].retired_at),
    Column("review_note", gettext_lazy("Review note"), lambda gt: gt[1].review_note),
]


def templates(request: HttpRequest) -> HttpResponse:
    """Every version of every template, grouped by kind and language as on the page, newest version first."""
    permission = Perm.REVIEW_TEMPLATES if has_perm(request.user, Perm.REVIEW_TEMPLATES) else Perm.WRITE_TEMPLATES
    rows = lambda: [(group, t) for group in template_groups() for t in group.versions]  # noqa: E731
    return export_csv(request, "templates", permission, TEMPLATE_COLUMNS, rows, {})
