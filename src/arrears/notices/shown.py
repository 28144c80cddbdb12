"""A notice as the outbox pages (and their CSV exports) show it: the recipient masked (PRV-1), the status in
words — a letter by post waits for, or is in, a print batch."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from arrears.compliance.masking import masked
from arrears.notices.models import Notice, NoticeChannel, NoticeStatus


def shown_recipient(notice: Notice) -> str:
    """The recipient as staff without an unmask see it (PRV-1)."""
    if not notice.recipient:
        return ""
    field = {NoticeChannel.SMS: "mobile", NoticeChannel.EMAIL: "email", NoticeChannel.POST: "address"}[notice.channel]
    return masked(field, notice.recipient)


def shown_status(notice: Notice, now) -> str:
    """The notice's status as the outbox words it: a letter by post waits for, or is in, a print batch (stored
    `queued` / `sent`, but nobody has it yet); a queued notice deferred or backed off says until when."""
    if notice.channel == NoticeChannel.POST:
        if notice.status == NoticeStatus.SENT and notice.print_batch_id:
            batch = notice.print_batch
            return _("in print batch %(day)s no. %(n)s") % {"day": f"{batch.business_date:%Y-%m-%d}", "n": batch.number}
        if notice.status == NoticeStatus.QUEUED:
            return _("waiting for the print batch")
    if notice.status == NoticeStatus.QUEUED and notice.not_before and notice.not_before > now:
        return _("queued, not before %(at)s") % {"at": f"{timezone.localtime(notice.not_before):%Y-%m-%d %H:%M}"}
    return notice.get_status_display()
