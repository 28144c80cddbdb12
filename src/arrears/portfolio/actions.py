"""The only writers of portfolio state outside the feed import, and the audited reads of personal data."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from arrears.accounts.permissions import Perm
from arrears.compliance.actions import audited, require
from arrears.compliance.codes import ActionCode
from arrears.compliance.masking import SENSITIVE_FIELDS
from arrears.portfolio.models import Borrower, Hold, HoldKind, Loan
from arrears.portfolio.queries import business_date


class PortfolioError(ValueError):
    """Refused input; the message says what was wrong and what to do."""


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if len(reason) < 4:
        raise PortfolioError(_("give a reason (at least 4 characters): it is recorded with the action"))
    return reason


def do_unmask_field(borrower: Borrower, field: str, *, actor, reason: str) -> str:
    """Reveal one sensitive field of one borrower to a permitted user, recording why (Clause: PRV-1, AUTH-4)."""
    require(actor, Perm.UNMASK)
    if field not in SENSITIVE_FIELDS or not hasattr(borrower, field):
        raise PortfolioError(_("'%(field)s' is not a personal-data field of a borrower") % {"field": field})
    with audited(
        actor, ActionCode.UNMASK_FIELD, permission=Perm.UNMASK, subject=borrower, reason=_reason(reason), clause="PRV-1"
    ) as record:
        record.change(field, "masked", "shown")
    return getattr(borrower, field)


def search_term(number: str) -> str:
    """A number as the exact search compares it: without surrounding spaces, upper case (an ID's final x)."""
    return (number or "").strip().upper()


def searched_number_hash(number: str) -> str:
    """The keyed hash the exact-search event records instead of the number (Clause: PRV-1): HMAC-SHA256 of
    `search_term(number)` with the key SHA-256(settings.ARREARS_SEARCH_HASH_SALT + SECRET_KEY), lower-case hex.
    Anyone holding the number and the key computes it again to ask whether it was searched; the ledger alone
    does not give the number away."""
    return salted_hmac(settings.ARREARS_SEARCH_HASH_SALT, search_term(number), algorithm="sha256").hexdigest()


def do_search_exact(term: str, *, actor, within: QuerySet[Borrower] | None = None) -> list[Borrower]:
    """Find borrowers by a full mobile/phone or national ID number (exact match). The results stay masked; the
    search itself is recorded, because it proves the searcher knew the number — as its keyed hash
    (`searched_number_hash`), never the number itself (Clause: PRV-1, AUTH-4). `within`: the borrowers the
    actor may see (a collector's pools); others are neither shown nor recorded as found."""
    require(actor, Perm.SEARCH_EXACT)
    term = search_term(term)
    if not term:
        raise PortfolioError("enter a full mobile number or national ID number")
    with audited(
        actor, ActionCode.SEARCH_EXACT, permission=Perm.SEARCH_EXACT, subject=("search", "borrower"), clause="PRV-1"
    ) as record:
        record.change("number_hmac", None, searched_number_hash(term))
        scope = Borrower.objects.all() if within is None else within
        found = list(scope.filter(Q(id_number=term) | Q(mobile=term) | Q(phone_alt=term)).order_by("external_id"))
        record.change("matches", None, [b.external_id for b in found])
    return found


# A name search needs this many characters (a surname alone is usually one: too broad to be a lookup) and
# shows at most NAME_MATCHES_SHOWN borrowers; past that, the page asks for more of the name.
NAME_MIN_LENGTH = 2
NAME_MAX_LENGTH = 50
NAME_MATCHES_SHOWN = 50


def name_term(name: str) -> str:
    """A name as the name search compares it: NFKC (full-width letters as ASCII ones), without spaces."""
    return "".join(unicodedata.normalize("NFKC", name or "").split())


def searched_name_hash(name: str) -> str:
    """The keyed hash the name-search event records instead of the name (Clause: PRV-1): HMAC-SHA256 of
    `name_term(name)` with the exact search's key (`searched_number_hash`)."""
    return salted_hmac(settings.ARREARS_SEARCH_HASH_SALT, name_term(name), algorithm="sha256").hexdigest()


@dataclass(frozen=True)
class NameMatches:
    """What a name search found: the borrowers shown (at most NAME_MATCHES_SHOWN) and whether more matched."""

    borrowers: list[Borrower]
    more: bool


def do_search_name(name: str, *, actor, within: QuerySet[Borrower]) -> NameMatches:
    """Find borrowers whose full name starts with `name` ("欧阳" finds 欧阳明远; "明远" does not), among `within`
    — the borrowers the actor may see (a collector's pools), which may carry the list's figures
    (`portfolio.queries.listed`). Needs `portfolio.view`, as the list that shows the masked names does. A name is
    personal data (Clause: PRV-1, AUTH-4): it is POSTed (never in a URL), the results stay masked, and the
    search is recorded with the keyed hash of the name (`searched_name_hash`), never the name, and the customer
    numbers shown. One query for the matches whatever their number: NAME_MATCHES_SHOWN and one more, to know
    whether there were more."""
    require(actor, Perm.VIEW_PORTFOLIO)
    term = name_term(name)
    if len(term) < NAME_MIN_LENGTH:
        raise PortfolioError(
            _("Enter at least %(n)s characters of the name (a surname alone finds too many).") % {"n": NAME_MIN_LENGTH}
        )
    if len(term) > NAME_MAX_LENGTH:
        raise PortfolioError(_("A name has at most %(n)s characters.") % {"n": NAME_MAX_LENGTH})
    with audited(
        actor, ActionCode.SEARCH_NAME, permission=Perm.VIEW_PORTFOLIO, subject=("search", "borrower"), clause="PRV-1"
    ) as record:
        record.change("name_hmac", None, searched_name_hash(term))
        found = list(within.filter(name__startswith=term).order_by("external_id")[: NAME_MATCHES_SHOWN + 1])
        shown, more = found[:NAME_MATCHES_SHOWN], len(found) > NAME_MATCHES_SHOWN
        record.change("matches", None, [b.external_id for b in shown])
        if more:
            record.change("more_matched", None, True)
    return NameMatches(shown, more)


def do_place_hold(
    borrower: Borrower,
    kind: str,
    *,
    starts_on: date,
    ends_on: date | None,
    actor,
    reason: str,
    loan: Loan | None = None,
) -> Hold:
    """Stop reminders and collection contact for a borrower (or one loan) while a dispute, a complaint, a legal
    matter, the borrower's death, a fraud claim or a bankruptcy is open (`kind`: a `HoldKind`), from `starts_on`
    through `ends_on` (open-ended: until lifted). Needs `portfolio.manage_holds`; the reason is required and
    recorded. The nightly run, the dispatcher and the contact rules honour it (REM-1, CALL-*). The pages, the
    API and the complaints app place holds through this one action."""
    require(actor, Perm.MANAGE_HOLDS)
    if kind not in HoldKind.values:
        raise PortfolioError(
            _("Unknown hold kind %(kind)s; use one of %(kinds)s.") % {"kind": kind, "kinds": ", ".join(HoldKind.values)}
        )
    if ends_on is not None and ends_on < starts_on:
        raise PortfolioError(
            _("the hold ends (%(end)s) before it starts (%(start)s)")
            % {"end": ends_on.isoformat(), "start": starts_on.isoformat()}
        )
    if loan is not None and loan.borrower_id != borrower.pk:
        raise PortfolioError(
            _("Loan %(loan)s is not one of borrower %(borrower)s's loans.")
            % {"loan": loan.external_id, "borrower": borrower.external_id}
        )
    reason = _reason(reason)
    with audited(actor, ActionCode.PLACE_HOLD, permission=Perm.MANAGE_HOLDS, subject=None, reason=reason) as record:
        hold = Hold.objects.create(
            borrower=borrower,
            loan=loan,
            kind=kind,
            reason=reason,
            starts_on=starts_on,
            ends_on=ends_on,
            placed_by=actor,
        )
        record.set_subject(hold)
        record.change("borrower", None, borrower.external_id)
        if loan is not None:
            record.change("loan", None, loan.external_id)
        record.change("kind", None, kind)
        record.change("period", None, [starts_on.isoformat(), ends_on.isoformat() if ends_on else None])
    return hold


def do_lift_hold(hold: Hold, *, on: date, actor, reason: str) -> Hold:
    """Lift a hold on business date `on` (it holds through that day, as the nightly run reads it). Needs
    `portfolio.manage_holds`; the reason is required and recorded; a hold is lifted once (a conditional update,
    so two people lifting at once cannot both succeed)."""
    require(actor, Perm.MANAGE_HOLDS)
    reason = _reason(reason)
    if on < hold.starts_on:
        raise PortfolioError(
            _("a hold cannot be released (%(on)s) before it starts (%(start)s)")
            % {"on": on.isoformat(), "start": hold.starts_on.isoformat()}
        )
    with audited(actor, ActionCode.RELEASE_HOLD, permission=Perm.MANAGE_HOLDS, subject=hold, reason=reason) as record:
        updated = Hold.objects.filter(pk=hold.pk, released_on__isnull=True).update(released_on=on, released_by=actor)
        if not updated:
            raise PortfolioError(_("this hold was already released"))
        record.change("released_on", None, on.isoformat())
    hold.refresh_from_db()
    return hold


def do_extend_hold(hold: Hold, *, until: date, actor, reason: str, on: date | None = None) -> Hold:
    """Move a hold's end later, to `until` (it holds through that day). Needs `portfolio.manage_holds`; the
    reason is required and recorded with the old and the new end. Refused with a message: a lifted hold, an
    end before the business date `on` (a past day), or one not later than the current end (an open-ended hold
    already holds until lifted). `on`: the business date (default: the newest feed's). A conditional update,
    so a hold lifted or extended meanwhile is not overwritten."""
    require(actor, Perm.MANAGE_HOLDS)
    reason = _reason(reason)
    if on is None:
        on = business_date()
    if hold.released_on is not None:
        raise PortfolioError(
            _("this hold was lifted on %(day)s; place a new hold instead") % {"day": hold.released_on.isoformat()}
        )
    if hold.ends_on is None:
        raise PortfolioError(_("this hold has no end: it holds until it is lifted, so there is nothing to extend"))
    if on is not None and until < on:
        raise PortfolioError(
            _("the new end (%(until)s) is in the past (the business date is %(on)s); choose a later day")
            % {"until": until.isoformat(), "on": on.isoformat()}
        )
    if until <= hold.ends_on:
        raise PortfolioError(
            _("the new end (%(until)s) must be later than the current end (%(end)s)")
            % {"until": until.isoformat(), "end": hold.ends_on.isoformat()}
        )
    old = hold.ends_on
    with audited(actor, ActionCode.EXTEND_HOLD, permission=Perm.MANAGE_HOLDS, subject=hold, reason=reason) as record:
        updated = Hold.objects.filter(pk=hold.pk, released_on__isnull=True, ends_on=old).update(ends_on=until)
        if not updated:
            raise PortfolioError(_("this hold was changed meanwhile; open it again and retry"))
        record.change("ends_on", old.isoformat(), until.isoformat())
    hold.refresh_from_db()
    return hold
