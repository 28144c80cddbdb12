"""`arrears demo`: writes the feed, imports it as the nightly run, and creates one user per role with passwords
drawn at run time; a second run duplicates nothing and draws new passwords."""

from __future__ import annotations

import stat

import pytest

from arrears.cli import main
from arrears.portfolio.demo import generate_feed

pytestmark = pytest.mark.django_db

ROLES = {
    "demo-junior": "junior_collector",
    "demo-junior-2": "junior_collector",
    "demo-senior": "senior_collector",
    "demo-supervisor": "supervisor",
    "demo-legal": "legal_officer",
    "demo-compliance": "compliance_officer",
    "demo-agency": "agency_user",
    "demo-analyst": "analyst",
    "demo-admin": "administrator",
}


@pytest.fixture
def var_dir(settings, tmp_path):
    settings.VAR_DIR = tmp_path / "var"
    return settings.VAR_DIR


def run_demo(capsys, out, *, loans=200, seed=1, day="2026-11-27") -> tuple[int, str, str]:
    args = ["demo", "--loans", str(loans), "--seed", str(seed), "--business-date", day, "--out", str(out)]
    code = main(args)
    stdout, stderr = capsys.readouterr()
    return code, stdout, stderr


def logins(var_dir) -> dict[str, str]:
    lines = (var_dir / "demo-logins.txt").read_text(encoding="utf-8").splitlines()
    return {line.split("\t")[0]: line.split("\t")[1] for line in lines if not line.startswith("#")}


def counts() -> dict[str, int]:
    from arrears.accounts.models import Agency, User
    from arrears.portfolio.models import Borrower, ContactPerson, FeedLoad, Instalment, Loan, Payment

    models = (Borrower, ContactPerson, Loan, Instalment, Payment, FeedLoad, User, Agency)
    return {m.__name__: m.objects.count() for m in models}


def test_demo_imports_the_feed_and_creates_one_user_per_role(capsys, tmp_path, var_dir, business_date):
    from arrears.accounts.models import User
    from arrears.accounts.roles import SYSTEM_USERNAME
    from arrears.compliance.models import AuditEvent
    from arrears.portfolio.models import Borrower, ContactPerson, FeedLoad, Instalment, Loan, Payment
    from arrears.portfolio.queries import loan_detail, loan_position

    code, out, err = run_demo(capsys, tmp_path / "feed")
    assert code == 0, err
    for phase in ("generate", "import", "users"):
        assert phase in err

    feed = generate_feed(200, seed=1, business_date=business_date)
    assert Borrower.objects.count() == feed.borrowers.height
    assert ContactPerson.objects.count() == feed.contacts.height
    assert Loan.objects.count() == 200
    assert Instalment.objects.count() == feed.schedules.height
    assert Payment.objects.count() == feed.payments.height
    assert Loan.objects.filter(status="closed").count() == (feed.loans["status"] == "closed").sum()
    load = FeedLoad.objects.get()
    assert (load.status, load.rejected, load.imported_by.username) == ("done", 0, SYSTEM_USERNAME)
    # Where arrears itself puts each loan on the business date is where the generator meant it to be.
    for position in feed.positions.iter_rows(named=True):
        assert loan_position(loan_detail(position["loan_id"]), business_date).dpd == position["dpd"]

    users = {u.username: u for u in User.objects.filter(username__startswith="demo-")}
    assert {name: u.role_id for name, u in users.items()} == ROLES
    assert users["demo-agency"].agency is not None
    passwords = logins(var_dir)
    assert set(passwords) == set(ROLES)
    assert all(users[name].check_password(pw) for name, pw in passwords.items())
    assert len(set(passwords.values())) == len(ROLES)
    assert stat.S_IMODE((var_dir / "demo-logins.txt").stat().st_mode) == 0o600
    assert all(pw in out for pw in passwords.values())  # printed once, at the end
    saved = set(AuditEvent.objects.filter(action="accounts.save_user").values_list("subject_id", flat=True))
    assert {str(u.pk) for u in users.values()} <= saved


def test_demo_twice_duplicates_nothing_and_draws_new_passwords(capsys, tmp_path, var_dir):
    from arrears.accounts.models import User

    code, _, err = run_demo(capsys, tmp_path / "feed")
    assert code == 0, err
    before, first = counts(), logins(var_dir)
    code, out, err = run_demo(capsys, tmp_path / "feed")
    assert code == 0, err
    assert "already loaded" in err
    assert counts() == before
    second = logins(var_dir)
    assert set(second) == set(first)
    for name in ROLES:
        user = User.objects.get(username=name)
        assert second[name] != first[name]
        assert user.check_password(second[name])
        assert not user.check_password(first[name])
        assert second[name] in out


def test_another_demo_bank_is_not_imported_over_the_first(capsys, tmp_path, var_dir):
    """Feed rows are never deleted, so a different demo feed (seed, size or date) would mix two banks: it is
    written but not imported, and the demo users still get new passwords."""
    code, _, err = run_demo(capsys, tmp_path / "feed")
    assert code == 0, err
    before, first = counts(), logins(var_dir)
    code, _, err = run_demo(capsys, tmp_path / "other", loans=150, seed=2, day="2026-11-28")
    assert code == 0, err
    assert "skipped" in err
    assert "2026-11-27" in err
    assert counts() == before
    assert (tmp_path / "other" / "loans.csv").exists()
    assert all(logins(var_dir)[name] != first[name] for name in ROLES)


def test_a_database_with_feeds_but_no_demo_users_is_refused(capsys, tmp_path, var_dir, business_date):
    """It may hold a real portfolio: nothing is imported and no user is created."""
    from django.utils import timezone

    from arrears.accounts.models import User
    from arrears.accounts.roles import SYSTEM_USERNAME
    from arrears.portfolio.models import FeedLoad, Loan

    FeedLoad.objects.create(
        business_date=business_date,
        digest="0" * 64,
        started_at=timezone.now(),
        status="done",
        imported_by=User.objects.get(username=SYSTEM_USERNAME),
    )
    code, _, err = run_demo(capsys, tmp_path / "feed")
    assert code != 0
    assert "may be a real portfolio" in err
    assert not Loan.objects.exists()
    assert not User.objects.filter(username__startswith="demo-").exists()
    assert not (var_dir / "demo-logins.txt").exists()


def test_after_the_calendar_the_demo_takes_its_last_day_and_names_the_missing_year(
    capsys, tmp_path, var_dir, monkeypatch
):
    """Clause: practice — the database's calendar ends 2031-12-31 and today is 2032-03-01 in Beijing: the demo's
    business date is 2031-12-31 (the nightly run can run it), and it says which year file is missing."""
    import importlib
    from datetime import date, datetime

    from arrears.portfolio.models import FeedLoad
    from calendars import use_calendar

    demo_command = importlib.import_module("arrears.cli.demo")

    class Frozen(datetime):
        @classmethod
        def now(cls, tz=None):
            return datetime(2032, 3, 1, 3, 0, tzinfo=tz)

    use_calendar()
    monkeypatch.setattr(demo_command, "datetime", Frozen)
    assert main(["demo", "--loans", "20", "--seed", "1", "--out", str(tmp_path / "feed")]) == 0
    err = capsys.readouterr().err
    assert "today (2032-03-01) is beyond the working-day calendar, which ends on 2031-12-31" in err
    assert "The year file missing is 2032's" in err
    assert list(FeedLoad.objects.values_list("business_date", flat=True)) == [date(2031, 12, 31)]
    assert main(["demo", "--loans", "20", "--business-date", "2032-01-05", "--out", str(tmp_path / "f2")]) == 1
    assert "no data for 2032 (it ends on 2031-12-31)" in capsys.readouterr().err
