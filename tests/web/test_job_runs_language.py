"""One language on the job runs page (/runs/jobs/): what each job's run did is kept as message codes and their
parameters and worded in the reader's language; a failure is a worded line, its error text a technical detail
(English, marked `lang="en" translate="no"`) for administrators only. Read with the detector of the site's
one-language walk (test_one_language.py)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from django.utils import translation
from test_one_language import ZH, problems, visible_text

from arrears.compliance.actions import system_actor
from arrears.operations.actions import do_queue_job_run
from arrears.operations.models import JobRun, JobState
from arrears.operations.tasks import run_job
from arrears.operations.words import MESSAGES, english, word
from factories import make_user

pytestmark = pytest.mark.django_db

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "feed-example"  # business date 2026-03-02
SAMPLE = {"channel": "sms", "outcome": "sent", "status": "done", "date": "2026-03-02", "dates": "2026-03-02"}


def sample_params(code: str) -> dict:
    names = re.findall(r"%\((\w+)\)s", MESSAGES[code]._args[0])
    return {name: SAMPLE.get(name, 3) for name in names}


@pytest.mark.parametrize("code", sorted(MESSAGES))
def test_every_message_of_a_run_reads_in_chinese(code):
    """Each message a job's run may say, with its parameters, is in Chinese: no English word, no code (a
    channel's or an outcome's code is worded by its label)."""
    with translation.override("zh-hans"):
        shown = word(code, sample_params(code))
    assert problems([shown]) == [], shown
    assert re.search(r"[\u4e00-\u9fff]", shown)


def test_the_words_are_english_for_the_logs_and_the_command_line():
    words = [("dispatched", {"channel": "sms", "outcome": "sent", "n": 2}), ("dispatched_nothing", {})]
    assert english(words) == "SMS, sent: 2; no notice was due"
    with translation.override("zh-hans"):
        assert word("print_batch", {"number": 7, "letters": 12, "pages": 30}) == "第 7 号打印批次：信函 12 封，共 30 页"


def data(user) -> tuple[str, ...]:
    """What the page shows as data: the reader's login name and the workers' names (host:pid)."""
    return (user.username, *JobRun.objects.exclude(worker="").values_list("worker", flat=True).distinct())


def run_queued(job: str) -> list[JobRun]:
    """Run the queued attempts of `job` (as the worker's task does), return them."""
    ran = []
    for run in JobRun.objects.filter(job=job, state=JobState.QUEUED).order_by("pk"):
        run_job.call(run.pk)
        run.refresh_from_db()
        ran.append(run)
    return ran


@pytest.fixture
def day_of_runs(settings, tmp_path):
    """A day's runs through the real jobs: the example feed imported, its nightly run, the dispatch and the
    retention purge it chains, a print batch with no letter, the housekeeping, and a feed that failed."""
    settings.ARREARS_FEED_DIR, settings.VAR_DIR = tmp_path / "feed", tmp_path / "var"
    settings.ARREARS_WORKER_MAX_ATTEMPTS = 1
    actor = system_actor()
    feed = tmp_path / "feed" / "2026-03-02"
    shutil.copytree(EXAMPLE, feed)
    do_queue_job_run("feed", "2026-03-02@1", {"path": str(feed), "business_date": "2026-03-02"}, actor=actor)
    for job in ("feed", "nightly", "dispatch", "purge"):
        assert [r.state for r in run_queued(job)] == [JobState.SUCCEEDED], job
    do_queue_job_run("print_batch", "2026-03-02", {"day": "2026-03-02"}, actor=actor)
    do_queue_job_run("housekeeping", "2026-03-02", {"day": "2026-03-02"}, actor=actor)
    gone = {"path": str(tmp_path / "feed" / "2026-03-03"), "business_date": "2026-03-03"}
    do_queue_job_run("feed", "2026-03-03@1", gone, actor=actor)
    for job in ("print_batch", "housekeeping", "feed"):
        run_queued(job)
    runs = JobRun.objects.order_by("pk")
    assert [(r.job, r.state) for r in runs] == [
        ("feed", "succeeded"),
        ("nightly", "succeeded"),
        ("dispatch", "succeeded"),
        ("purge", "succeeded"),
        ("print_batch", "succeeded"),
        ("housekeeping", "succeeded"),
        ("feed", "failed"),
    ]
    return runs


@pytest.mark.parametrize("role", ["supervisor", "administrator"])
def test_the_job_runs_page_is_in_chinese(client, day_of_runs, role):
    """Issue 15, item 1 — /runs/jobs/ in zh-Hans after a day's runs of every kind and a failed attempt: no
    English phrase or word, no code. The summaries are kept in English too, for the logs and `arrears worker`."""
    summaries = {r.job: r.summary for r in day_of_runs if r.state == JobState.SUCCEEDED}
    assert summaries["feed"] == "feed of 2026-03-02 loaded: 0 rows rejected"
    assert summaries["print_batch"] == "no letters to print"
    assert summaries["housekeeping"] == "finished task queue rows older than 7 days deleted: 0"
    user = make_user(role)
    client.force_login(user)
    page = client.get("/runs/jobs/", **ZH)
    assert page.status_code == 200
    html = page.content.decode()
    found = problems(visible_text(html), data(user))
    assert found == [], "\n".join(found)
    assert "2026-03-02 的数据文件已导入：拒收 0 行" in html
    assert "2026-03-02 的日终批处理：已完成，贷款 4 笔，错误 0 个" in html
    assert summaries["dispatch"].startswith("email, cancelled: ")  # worded by the channel's and outcome's labels
    assert "电子邮件，已取消：" in html
    assert "没有要打印的信函" in html
    assert "第 1 次尝试失败" in html
    # The error's text: an administrator's technical detail, marked as English; a supervisor reads the worded line.
    assert ('<pre lang="en" translate="no">FileNotFoundError: the feed directory 2026-03-03 is gone' in html) == (
        role == "administrator"
    )
    assert ("is gone" in html) == (role == "administrator")


def test_a_summary_kept_before_words_is_marked_english(client, day_of_runs):
    """A run recorded before its words were kept shows its English summary marked as such (data of the past),
    not as the page's text."""
    JobRun.objects.filter(job="print_batch").update(words=[])
    user = make_user("supervisor")
    client.force_login(user)
    html = client.get("/runs/jobs/", **ZH).content.decode()
    assert '<span lang="en" translate="no">no letters to print</span>' in html
    found = problems(visible_text(html), data(user))
    assert found == [], "\n".join(found)
