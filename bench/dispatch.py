"""Benchmark of the notices outbox: notices per second through `arrears dispatch` to a local SMTP server and the
loopback SMS gateway, against a one-at-a-time baseline in the same process.

    .venv/bin/python bench/dispatch.py --notices 5000
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/arrears_dispatch SECRET_KEY=x \\
        .venv/bin/python bench/dispatch.py --notices 5000 --workers 2

Steps: a scratch database (SQLite `var/bench-dispatch.sqlite3`, made anew, unless DATABASE_URL names one; it
must hold no borrowers), migrated; `--notices` borrowers each with a loan whose first instalment falls due in
three days and a queued reminder — by SMS, or by email for every `--email-every`-th; the seeded templates
approved by a legal reviewer; a real SMTP server (aiosmtpd) and the loopback SMS gateway
(`arrears.notices.gateway_sim`, HTTP over loopback) started in this process. Then, timed:

- the dispatcher as it runs (`Dispatcher.run_once`, batches of `--batch`: claim, re-check, render, send over
  one SMTP session / HTTP keep-alive connection per batch, one transaction + audit event per outcome), with
  `--workers` workers in threads (several only on PostgreSQL: SKIP LOCKED);
- the baseline: the same work one notice at a time (batch 1: a claim, a connection and a session per notice),
  on `--baseline` further notices.

Printed: notices/s per channel and overall, what arrived (gateway messages, SMTP envelopes: every notice exactly
once), the process's peak resident memory, and the ratio to the baseline. Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import os
import resource
import socket
import sys
import threading
import time
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
SHANGHAI = ZoneInfo("Asia/Shanghai")
AT = datetime(2026, 3, 17, 10, 0, tzinfo=SHANGHAI)  # three days before the due date, in working hours
DUE = date(2026, 3, 20)
TOKEN = "bench-token"  # noqa: S105 - the loopback gateway's, not a secret


def _args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notices", type=int, default=5_000)
    parser.add_argument("--baseline", type=int, default=1_000)
    parser.add_argument("--email-every", type=int, default=4, help="every n-th borrower prefers email")
    parser.add_argument("--batch", type=int, default=50)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--profile", action="store_true", help="print where the dispatcher's time goes")
    return parser.parse_args()


def _setup() -> None:
    if not os.environ.get("DATABASE_URL"):
        scratch = ROOT / "var" / "bench-dispatch.sqlite3"
        scratch.parent.mkdir(exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{scratch}{suffix}").unlink(missing_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{scratch}"
        os.environ.setdefault("SECRET_KEY", "bench-only")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "arrears.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _book(first: int, count: int, email_every: int) -> list[int]:
    """`count` borrowers with one loan each and a queued reminder; returns the notices' ids."""
    from arrears.notices.models import Notice, reminder_key
    from arrears.portfolio.models import Borrower, Instalment, Loan

    borrowers = Borrower.objects.bulk_create(
        Borrower(
            external_id=f"B{first + i:09d}",
            name="王五",
            id_number="11010119900307123X",
            mobile=f"139{first + i:08d}",
            email=f"b{first + i}@example.com",
            address="上海市浦东新区世纪大道100号",
            risk_level="low",
            preferred_channel="email" if (first + i) % email_every == 0 else "sms",
            consent_sms=True,
            consent_email=True,
            feed_date=AT.date(),
        )
        for i in range(count)
    )
    loans = Loan.objects.bulk_create(
        Loan(
            external_id=f"L{b.external_id}",
            borrower=b,
            product="consumer",
            principal_fen=1_200_000,
            annual_rate="0.0435",
            term_months=12,
            method="equal-instalment",
            start_date=date(2026, 2, 20),
            status="active",
            feed_date=AT.date(),
        )
        for b in borrowers
    )
    Instalment.objects.bulk_create(
        Instalment(loan=loan, n=1, due_date=DUE, principal_fen=98322, interest_fen=4050) for loan in loans
    )
    notices = Notice.objects.bulk_create(
        Notice(
            key=reminder_key(loan.pk, DUE),
            loan=loan,
            borrower=b,
            kind="reminder",
            channel=b.preferred_channel,
            due_date=DUE,
            instalment_n=1,
            amount_fen=102372,
            queued_on=AT.date(),
            clause="REM-1",
        )
        for b, loan in zip(borrowers, loans, strict=True)
    )
    return [n.pk for n in notices]


def _approve_templates() -> None:
    from arrears.accounts.models import Role, User
    from arrears.notices.models import Template
    from arrears.notices.template_actions import do_review_template

    legal = User.objects.create_user("bench-legal", password=None, role=Role.objects.get(code="legal_officer"))
    for template in Template.objects.filter(status="in_review"):
        do_review_template(template, approve=True, note="bench", actor=legal)


def _smtp():
    from aiosmtpd.controller import Controller

    class Inbox:
        def __init__(self):
            self.count = 0

        async def handle_DATA(self, server, session, envelope):
            self.count += 1
            return "250 Message accepted"

    inbox = Inbox()
    with socket.socket() as probe:  # aiosmtpd needs a port number to check its own start
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    return controller, inbox


def _dispatch(workers: int, batch: int, gateway_url: str) -> tuple[float, dict]:
    """Run `workers` dispatchers until nothing is due; seconds and the merged tally."""
    from django.db import connection

    from arrears.accounts.models import User
    from arrears.notices.channels import SmsChannel
    from arrears.notices.dispatch import Dispatcher, DispatchSettings
    from arrears.notices.sms import SmsGateway

    system = User.objects.get(username="nightly-run")
    config = DispatchSettings(batch=batch)
    tallies = []

    def work(n: int) -> None:
        try:
            sms = SmsChannel(SmsGateway(gateway_url, TOKEN))
            dispatcher = Dispatcher(system, sms=sms, clock=lambda: AT, config=config, worker=f"bench-{batch}-{n}")
            tallies.append(dispatcher.run_once())
        finally:
            connection.close()

    started = time.perf_counter()
    if workers == 1:
        sms = SmsChannel(SmsGateway(gateway_url, TOKEN))
        dispatcher = Dispatcher(system, sms=sms, clock=lambda: AT, config=config)
        for channel in ("sms", "email"):  # one channel after the other, to time each
            began = time.perf_counter()
            tally = dispatcher.run_once(channels=(channel,))
            sent = sum(n for (c, o, _r), n in tally.items() if c == channel and o == "sent")
            if batch > 1 and sent:
                print(
                    f"  {channel:<5} {sent:>7,} sent in {time.perf_counter() - began:7.2f} s = "
                    f"{sent / (time.perf_counter() - began):8,.0f} notices/s"
                )
        tallies.append(dispatcher.tally)
    else:
        threads = [threading.Thread(target=work, args=(n,)) for n in range(workers)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    seconds = time.perf_counter() - started
    merged: dict = {}
    for tally in tallies:
        for key, n in tally.items():
            merged[key] = merged.get(key, 0) + n
    return seconds, merged


def _line(label: str, seconds: float, tally: dict) -> float:
    sent: dict[str, int] = {}
    for (channel, outcome, _reason), n in tally.items():
        if outcome == "sent":
            sent[channel] = sent.get(channel, 0) + n
    total = sum(n for (_c, outcome, _r), n in tally.items() if outcome == "sent")
    others = {f"{c}/{o}/{r}": n for (c, o, r), n in tally.items() if o != "sent"}
    rate = total / seconds if seconds else 0.0
    print(
        f"{label:<34} {total:>7,} sent in {seconds:7.2f} s = {rate:8,.0f} notices/s"
        f"  (sms {sent.get('sms', 0):,}, email {sent.get('email', 0):,})" + (f"  other {others}" if others else "")
    )
    return rate


def main() -> None:
    args = _args()
    _setup()
    from django.conf import settings
    from django.db import connection

    from arrears.notices.gateway_sim import LoopbackGateway
    from arrears.portfolio.models import Borrower

    if Borrower.objects.exists():
        sys.exit("bench/dispatch.py: the database already holds borrowers; use a scratch database")
    if args.workers > 1 and connection.vendor != "postgresql":
        sys.exit("bench/dispatch.py: several workers need PostgreSQL (SQLite has one writer at a time)")
    print(
        f"database: {connection.vendor}; notices {args.notices:,} (every {args.email_every}th by email); "
        f"batch {args.batch}; workers {args.workers}"
    )

    controller, inbox = _smtp()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
    settings.EMAIL_USE_TLS, settings.EMAIL_HOST_USER, settings.EMAIL_HOST_PASSWORD = False, "", ""
    _approve_templates()
    with LoopbackGateway(TOKEN, deliver_receipts=False) as gateway:
        started = time.perf_counter()
        _book(0, args.notices, args.email_every)
        print(f"queued {args.notices:,} reminders in {time.perf_counter() - started:.1f} s")
        if args.profile:
            import cProfile
            import pstats

            profiler = cProfile.Profile()
            profiler.enable()
        seconds, tally = _dispatch(args.workers, args.batch, gateway.url)
        if args.profile:
            profiler.disable()
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(35)
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
        rate = _line(f"dispatcher (batch {args.batch}, {args.workers} worker(s))", seconds, tally)
        print(
            f"  arrived: gateway {len(gateway.messages):,} SMS ({len({m.reference for m in gateway.messages}):,} "
            f"distinct), SMTP {inbox.count:,} emails; peak RSS of the process {peak / 2**20:.0f} MiB"
        )

        sms_before, mail_before = len(gateway.messages), inbox.count
        _book(args.notices, args.baseline, args.email_every)
        seconds, tally = _dispatch(1, 1, gateway.url)
        base = _line("baseline (one notice at a time)", seconds, tally)
        print(
            f"  arrived: gateway {len(gateway.messages) - sms_before:,} SMS, SMTP {inbox.count - mail_before:,} emails"
        )
        if base:
            print(f"ratio: {rate / base:.1f}x the baseline")
    controller.stop()


if __name__ == "__main__":
    main()
