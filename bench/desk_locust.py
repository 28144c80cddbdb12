"""The locust scenario of `bench/desk_load.py`: collectors and supervisors working the desk through its pages.

Not run on its own: `desk_load.py` writes the targets (accounts, their cases and borrowers) to the JSON file
named by DESK_LOAD_TARGETS and starts locust with this file. Each simulated user signs in through the login
form as one bench account of its role (round robin), then, with a think time between requests
(DESK_LOAD_WAIT="1 3" seconds by default), mixes mostly reads with some writes:

- junior and senior collectors: their queue (first page, a later page, narrowed to what is due now), a case
  workspace, the borrower's page, the call form and a call recorded through it (an inbound call — the borrower
  calling the bank, which the contact rules do not limit, so the write succeeds at any hour — with a promise
  and a follow-up: the tasks it settles and the promise it stores change the case's place in the queue);
  senior collectors also ask the plan designer for a quote (the borrower's means → the options);
- supervisors: the queue over every open case (by urgency, what is due now, a later page), case pages,
  borrower pages.

A page answered with anything else than expected (a 4xx/5xx, a form sent back with errors) counts as a failure.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re
from datetime import date, timedelta
from pathlib import Path

import gevent
from locust import HttpUser, between, events, task

TARGETS = json.loads(Path(os.environ["DESK_LOAD_TARGETS"]).read_text(encoding="utf-8"))
WAIT = tuple(float(x) for x in os.environ.get("DESK_LOAD_WAIT", "1 3").split())
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
FOLLOW_UP = re.compile(r'name="next_follow_up_on" value="([0-9-]+)"')
ON = date.fromisoformat(TARGETS["on"])
_accounts = {role: itertools.cycle(accounts) for role, accounts in TARGETS["accounts"].items()}
WARM_UP = float(os.environ.get("DESK_LOAD_WARM_UP", "0"))


@events.test_start.add_listener
def _count_after_warm_up(environment, **_kwargs) -> None:
    """The figures start after the warm-up: every user started and signed in (a sign-in hashes the password,
    ~0.5 s of CPU each, which would otherwise fill the first minute's queue)."""

    def reset() -> None:
        gevent.sleep(WARM_UP)
        environment.stats.reset_all()

    if WARM_UP > 0:
        gevent.spawn(reset)


def _follow_up(response) -> str:
    found = FOLLOW_UP.search(response.text)
    return found.group(1) if found else ""


def _token(response) -> str:
    found = TOKEN.search(response.text)
    return found.group(1) if found else ""


class DeskUser(HttpUser):
    abstract = True
    role = ""
    wait_time = between(*WAIT)

    def on_start(self) -> None:
        self.account = next(_accounts[self.role])
        page = self.client.get("/login/", name="login form")
        with self.client.post(
            "/login/",
            {
                "username": self.account["username"],
                "password": TARGETS["password"],
                "csrfmiddlewaretoken": _token(page),
            },
            name="login",
            allow_redirects=False,
            catch_response=True,
        ) as answer:
            if answer.status_code != 302:
                answer.failure(f"sign-in refused ({answer.status_code})")

    def _case(self) -> dict:
        return random.choice(self.account["cases"])

    def _get(self, url: str, name: str, **params) -> None:
        with self.client.get(url, params=params or None, name=name, catch_response=True) as answer:
            if answer.status_code != 200:
                answer.failure(f"{answer.status_code}")


class Collector(DeskUser):
    abstract = True

    @task(4)
    def queue(self) -> None:
        self._get("/cases/", "queue: my cases")

    @task(1)
    def queue_later_page(self) -> None:
        self._get("/cases/", "queue: my cases, page 2", page="2")

    @task(1)
    def queue_due_now(self) -> None:
        self._get("/cases/", "queue: my cases due now", due="now")

    @task(4)
    def case_page(self) -> None:
        self._get(f"/cases/{self._case()['id']}/", "case page")

    @task(2)
    def borrower_page(self) -> None:
        self._get(f"/borrowers/{self._case()['borrower']}/", "borrower page")

    @task(1)
    def record_call(self) -> None:
        """The call form, then an inbound call recorded through it: reached, a promise and a follow-up."""
        case = self._case()
        url = f"/cases/{case['id']}/call/"
        form = self.client.get(url, params={"inbound": "1"}, name="call form")
        data = {
            "csrfmiddlewaretoken": _token(form),
            "party": "borrower",
            "inbound": "on",
            "outcome": "promised",
            "duration_seconds": "180",
            **{step: "on" for step in ("greeted", "purpose_stated", "identity_verified", "facts_stated")},
            "consequences_stated": "on",
            "ability_asked": "on",
            "suggestion": "full",
            "attitude": "cooperative",
            "obstacle": "cash_flow",
            "promise_amount": "500.00",
            "promise_due_on": (ON + timedelta(days=3)).isoformat(),
            "note": "load test",
            "next_action": "call",
            # The follow-up the form proposes (the cadence's next day for the case's stage, CALL-4, CLS-2).
            "next_follow_up_on": _follow_up(form) or (ON + timedelta(days=5)).isoformat(),
        }
        with self.client.post(url, data, name="record call", allow_redirects=False, catch_response=True) as answer:
            if answer.status_code != 302:
                errors = re.findall(r'class="errorlist[^"]*"[^>]*>(.*?)</ul>', answer.text, re.S)
                answer.failure(f"{answer.status_code}: {' '.join(errors)[:300]}")


class JuniorCollector(Collector):
    role = "junior_collector"
    weight = 30


class SeniorCollector(Collector):
    role = "senior_collector"
    weight = 12

    @task(1)
    def plan_quote(self) -> None:
        """The plan designer, then a quote for the borrower's means (PLAN-1..3; nothing is proposed)."""
        url = f"/cases/{self._case()['id']}/plan/"
        form = self.client.get(url, name="plan designer")
        data = {"csrfmiddlewaretoken": _token(form), "income": "9000", "expenses": "4000", "debts": "1000"}
        with self.client.post(url, data, name="plan quote", catch_response=True) as answer:
            if answer.status_code != 200:
                answer.failure(f"{answer.status_code}")


class Supervisor(DeskUser):
    role = "supervisor"
    weight = 8

    @task(4)
    def every_case(self) -> None:
        self._get("/cases/", "queue: every case (supervisor)", owner="all")

    @task(1)
    def due_now(self) -> None:
        self._get("/cases/", "queue: every case due now (supervisor)", owner="all", due="now")

    @task(1)
    def later_page(self) -> None:
        self._get("/cases/", "queue: every case, page 40 (supervisor)", owner="all", page="40")

    @task(3)
    def case_page(self) -> None:
        self._get(f"/cases/{self._case()['id']}/", "case page")

    @task(2)
    def borrower_page(self) -> None:
        self._get(f"/borrowers/{self._case()['borrower']}/", "borrower page")
