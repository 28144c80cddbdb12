"""Load test of the collector's desk: concurrent signed-in users on the production server, a large book.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/arrears_desk SECRET_KEY=x \\
        .venv/bin/python bench/desk_load.py --users 50 --duration 120

On a book loaded and run by `bench/desk.py` (its collectors: `bench-junior_collector-N`,
`bench-senior_collector-N`, `bench-supervisor-N`): gives those accounts one password (the bench's, never a
real one), picks for each up to `--cases` of the open cases they may work (a supervisor any open case), starts
the production server (`arrears serve`: gunicorn, `--workers`, `--threads`; plain HTTP on loopback, so the
cookies are not marked secure) unless `--url` names one already running, and runs locust headless with
`bench/desk_locust.py` (`--users` simulated users, 30 junior collectors : 12 senior : 8 supervisors, think time
`--wait` seconds) for `--duration` seconds after a `--warm-up` (the start and the sign-ins, not counted). Prints per page
the requests, failures, p50 / p95 / p99 and mean in ms, the requests/s, the totals, the load average (`uptime`)
before and after, and the failures' messages. Server and load generator share the machine: locust's own CPU is
part of the figure.

Figures are printed, never asserted. It writes: the accounts' passwords and, through the call records, calls,
promises, tasks and audit events — use a scratch copy of the book.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

HERE = Path(__file__).parent
PASSWORD = "bench-desk-load-only"  # noqa: S105 - the benchmark's scratch accounts, never a real password
ROLES = ("junior_collector", "senior_collector", "supervisor")


def _args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--spawn-rate", type=float, default=10)
    parser.add_argument("--duration", type=int, default=120, help="seconds measured after the warm-up")
    parser.add_argument("--warm-up", type=int, default=60, help="seconds after the start not counted (sign-ins)")
    parser.add_argument("--wait", default="1 3", help="think time between a user's requests: 'MIN MAX' seconds")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--url", default="", help="a server already running (then none is started)")
    parser.add_argument("--cases", type=int, default=40, help="cases per account")
    parser.add_argument("--seed", type=int, default=22)
    return parser.parse_args()


def _targets(args) -> dict:
    """The accounts (password set, no change required) with their cases and borrowers."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "arrears.settings")
    import django

    django.setup()
    from django.contrib.auth.hashers import make_password

    from arrears.accounts.models import User
    from arrears.collection.models import CaseStatus, CollectionCase
    from arrears.collection.queries import today, urgency_current
    from arrears.collection.urgency import refresh_urgency

    rng = random.Random(args.seed)
    on = today()
    if not urgency_current(on):  # a book run before the stored urgency existed: what the next run would store
        started = time.perf_counter()
        written = refresh_urgency(on)
        print(f"stored urgency of {on} written for {written:,} open cases in {time.perf_counter() - started:.1f} s")
    User.objects.filter(username__startswith="bench-").update(
        password=make_password(PASSWORD), must_change_password=False, is_active=True
    )
    open_cases = CollectionCase.objects.filter(status=CaseStatus.OPEN)
    everyone = list(open_cases.values_list("pk", "borrower__external_id")[:20_000])
    accounts: dict[str, list] = {role: [] for role in ROLES}
    for user in User.objects.filter(username__startswith="bench-", role_id__in=ROLES).order_by("pk"):
        if user.role_id == "supervisor":
            rows = rng.sample(everyone, min(args.cases, len(everyone)))
        else:
            rows = list(open_cases.filter(owner=user).values_list("pk", "borrower__external_id")[: args.cases])
        if rows:
            cases = [{"id": pk, "borrower": ext} for pk, ext in rows]
            accounts[user.role_id].append({"username": user.username, "cases": cases})
    missing = [role for role, found in accounts.items() if not found]
    if missing:
        sys.exit(f"no bench account with open cases for {', '.join(missing)}: load the book with bench/desk.py")
    return {"on": on.isoformat(), "password": PASSWORD, "accounts": accounts}


def _serve(args, log: Path) -> subprocess.Popen:
    env = {**os.environ, "SESSION_COOKIE_SECURE": "0", "CSRF_COOKIE_SECURE": "0", "ARREARS_LOG_LEVEL": "WARNING"}
    command = [sys.executable, "-c", "from arrears.cli import main; main()", "serve", "--no-migrate"]
    command += ["--port", str(args.port), "--workers", str(args.workers), "--threads", str(args.threads)]
    server = subprocess.Popen(command, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT)  # noqa: S603
    url = f"http://127.0.0.1:{args.port}/healthz"
    for _ in range(120):
        time.sleep(0.5)
        if server.poll() is not None:
            sys.exit(f"the server stopped (exit {server.returncode}); see {log}")
        try:
            with urllib.request.urlopen(url, timeout=2) as answer:
                if answer.status == 200:
                    return server
        except OSError:
            continue
    server.terminate()
    sys.exit(f"the server did not answer {url} within a minute; see {log}")


def _uptime() -> str:
    env = {**os.environ, "TZ": "UTC"}  # Django set TZ to the desk's zone in this process
    return subprocess.run(["uptime"], capture_output=True, text=True, check=False, env=env).stdout.strip()  # noqa: S607


def _report(prefix: str) -> None:
    rows = list(csv.DictReader(Path(f"{prefix}_stats.csv").read_text(encoding="utf-8").splitlines()))
    print(f"{'page':48} {'requests':>8} {'fail':>5} {'p50':>6} {'p95':>6} {'p99':>6} {'mean':>6} {'req/s':>6}")
    for row in sorted(rows, key=lambda r: (r["Name"] == "Aggregated", r["Name"])):
        name = "all requests" if row["Name"] == "Aggregated" else f"{row['Type']} {row['Name']}"
        print(
            f"{name[:48]:48} {int(row['Request Count']):>8,} {int(row['Failure Count']):>5,} {row['50%']:>6} "
            f"{row['95%']:>6} {row['99%']:>6} {float(row['Average Response Time']):>6.0f} "
            f"{float(row['Requests/s']):>6.1f}"
        )
    failures = list(csv.DictReader(Path(f"{prefix}_failures.csv").read_text(encoding="utf-8").splitlines()))
    for row in failures[:10]:
        print(f"failure: {row['Occurrences']}x {row['Method']} {row['Name']}: {row['Error'][:300]}")


def main() -> int:
    args = _args()
    sys.path.insert(0, str(HERE.parent / "src"))
    targets = _targets(args)
    from django.conf import settings

    work = Path(tempfile.mkdtemp(prefix="desk-load-"))
    (work / "targets.json").write_text(json.dumps(targets))
    counts = ", ".join(f"{len(v)} {k}" for k, v in targets["accounts"].items())
    print(f"database: {settings.DATABASES['default'].get('NAME')}; business date {targets['on']}; accounts: {counts}")
    server = None
    url = args.url
    if not url:
        server = _serve(args, work / "server.log")
        url = f"http://127.0.0.1:{args.port}"
        print(f"server: arrears serve, gunicorn, {args.workers} workers x {args.threads} threads, {url}")
    print(f"before: {_uptime()}")
    env = {**os.environ, "DESK_LOAD_TARGETS": str(work / "targets.json"), "DESK_LOAD_WAIT": args.wait}
    env["DESK_LOAD_WARM_UP"] = str(args.warm_up)
    command = [sys.executable, "-m", "locust", "-f", str(HERE / "desk_locust.py"), "--headless", "--only-summary"]
    command += ["-u", str(args.users), "-r", str(args.spawn_rate), "-t", f"{args.duration + args.warm_up}s"]
    command += ["--host", url, "--csv", str(work / "load"), "--loglevel", "WARNING"]
    print(f"load: {args.users} users, think time {args.wait} s, {args.duration} s after a {args.warm_up} s warm-up")
    started = time.perf_counter()
    try:
        with (work / "locust.log").open("w") as log:
            subprocess.run(command, env=env, check=False, stdout=log, stderr=subprocess.STDOUT)  # noqa: S603
    finally:
        if server is not None:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=60)
    print(f"after ({time.perf_counter() - started:.0f} s): {_uptime()}")
    _report(str(work / "load"))
    print(f"(locust's CSV files and log, the server's log: {work})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
