"""What a job's run says it did, in words: a list of (message code, parameters) kept with the run
(`JobRun.words`) and worded in the reader's language when a page shows it (`said`), in English for the logs and
the command line (`english`).

The parameters are data (dates, counts, a batch's number), or codes of a choice (`status`, `channel`,
`outcome`), worded by their choice's label. A message's code is stable: a run recorded years ago is read with
today's catalogue. A job that says something new adds its message here (and its zh_Hans translation).
"""

from __future__ import annotations

from typing import Any

from django.utils import translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

Said = tuple[str, dict[str, Any]]  # (message code, parameters)

MESSAGES = {
    "feed_loaded": _("feed of %(date)s loaded: %(rejected)s rows rejected"),
    "feed_already_loaded": _("feed of %(date)s already loaded: %(rejected)s rows rejected"),
    "nightly": _("nightly run of %(dates)s: %(status)s, %(loans)s loans, %(errors)s errors"),
    "calendar_sent": _("the working-day calendar warning was emailed to %(recipients)s administrators"),
    "calendar_already_sent": _("the working-day calendar warning was already emailed today"),
    "calendar_no_recipients": _(
        "the working-day calendar warning was not emailed: no active administrator has an email address"
    ),
    "calendar_failed": _("the working-day calendar warning could not be emailed; the next run tries again"),
    "purge": _("retention purge of %(date)s"),
    "purge_nothing": _("retention purge of %(date)s: nothing past its period"),
    "purged_borrowers_anonymised": _("borrowers anonymised: %(n)s"),
    "purged_contacts_anonymised": _("contact persons anonymised: %(n)s"),
    "purged_call_numbers_erased": _("call numbers erased: %(n)s"),
    "purged_notices_erased": _("notices' recipients and texts erased: %(n)s"),
    "purged_letter_pdfs_deleted": _("letter PDFs deleted: %(n)s"),
    "purged_print_batches_deleted": _("print batches deleted: %(n)s"),
    "purged_recording_days_deleted": _("days of call recordings deleted: %(n)s"),
    "purged_recording_files_deleted": _("call recording files deleted: %(n)s"),
    "purged_recordings_deleted": _("stored call recordings' audio deleted: %(n)s"),
    "purged_audit_events_past_period": _("audit events past their period: %(n)s"),
    "purged_change_records_past_period": _("sealed change records past their period: %(n)s"),
    "dispatched_nothing": _("no notice was due"),
    "dispatched": _("%(channel)s, %(outcome)s: %(n)s"),
    "no_letters": _("no letters to print"),
    "print_batch": _("print batch #%(number)s: %(letters)s letters, %(pages)s pages"),
    "pruned_tasks": _("finished task queue rows older than %(days)s days deleted: %(n)s"),
    "mail_read": _("complaint mailbox: %(read)s messages read, %(filed)s filed, %(already)s filed before"),
    "mail_failed": _("%(n)s messages could not be filed and are tried again at the next reading (see the log)"),
    "transcribed": _("call recordings: %(inspected)s heard and inspected, %(flagged)s for review"),
    "review_prepared": _("monthly review of %(month)s prepared: %(cases)s typical cases proposed"),
    "review_approved_already": _("monthly review of %(month)s: already approved, left as it is"),
    "transcribe_failed": _("%(n)s recordings could not be heard and are tried again next time (see the log)"),
    "whatif_done": _("policy what-if #%(report)s replayed: %(first)s to %(last)s"),
    "whatif_failed": _("policy what-if #%(report)s could not be replayed (the reason is on its page)"),
    "whatif_queued": _("policy what-if #%(report)s still waiting"),
}


def _labels() -> dict[str, dict[str, Any]]:
    """The parameters that are a choice's code, and their words."""
    from arrears.daily.models import RunStatus
    from arrears.notices.models import AttemptOutcome, NoticeChannel

    return {
        "status": dict(RunStatus.choices),
        "channel": dict(NoticeChannel.choices),
        "outcome": dict(AttemptOutcome.choices),
    }


def word(code: str, params: dict[str, Any]) -> str:
    """One message in the active language; a code this version does not know is shown as recorded."""
    if code not in MESSAGES:
        return code
    labels = _labels()
    shown = {k: labels[k].get(v, v) if k in labels else v for k, v in params.items()}
    return str(MESSAGES[code]) % shown


def said(words: list) -> str:
    """A run's words in the active language, one message after another."""
    return gettext("; ").join(word(code, params) for code, params in words)


def english(words: list) -> str:
    with translation.override("en"):
        return said(words)


def stored(words: list[Said]) -> list[list]:
    """As `JobRun.words` keeps them (JSON)."""
    return [[code, params] for code, params in words]
