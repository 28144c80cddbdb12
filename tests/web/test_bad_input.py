"""Bad input never gives a 500: a NUL byte, a non-ASCII digit or a non-numeric or huge number in any path,
query, form field or JSON body of the site is answered 4xx or with the form's message, and nothing is stored
from it — on SQLite and on PostgreSQL (which refuses NUL in text) alike.

The pages and what each reads come from the role × URL matrix (tests/site_urls.py), so a new page is fuzzed as
soon as it has its line there.
"""

from __future__ import annotations

import logging
import string
from urllib.parse import quote

import pytest
from django.apps import apps
from django.db import connection, models

from arrears.accounts.roles import RoleCode
from arrears.collection import views as desk_views
from demo_site import WORKING_HOURS, build_site
from site_urls import ANONYMOUS, PAGES, SUP, page

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("approved_templates")]

HUGE = str(10**30)
# NUL inside text; superscript two, Arabic-Indic three, full-width three (int() takes the last two);
# a word; a number no column holds; a well-formed date that does not exist. And each good value with its digits
# written full-width or Arabic-Indic: a path then finds nothing (4xx), a number field stores nothing.
BAD = ["a\x00b", "²", "٣", "３", "abc", HUGE, "2026-02-30"]
BAD_PATH = ["a%00b", "%C2%B2", "%D9%A3", "%EF%BC%93", "abc", HUGE, "2026-02-30"]
FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")


def snapshot() -> tuple[int, ...]:
    """Row counts of the book's tables (sessions and the login-attempt log aside), in one query."""
    tables = [
        connection.ops.quote_name(model._meta.db_table)
        for model in apps.get_models()
        if model._meta.app_label not in {"sessions", "axes", "contenttypes", "auth"} and model._meta.managed
    ]
    with connection.cursor() as cursor:
        counts = ", ".join(f"(SELECT COUNT(*) FROM {t})" for t in tables)  # noqa: S608 - the models' own tables
        cursor.execute(f"SELECT {counts}")
        return tuple(cursor.fetchone())


def rows_with_nul() -> list[str]:
    """Every stored text value holding a NUL, as 'model.field' (read in Python: SQLite's LIKE stops at a NUL)."""
    found = []
    for model in apps.get_models():
        texts = [f.attname for f in model._meta.concrete_fields if isinstance(f, models.CharField | models.TextField)]
        for row in model.objects.values_list(*texts) if texts else ():
            found += [
                f"{model._meta.label}.{name}"
                for name, value in zip(texts, row, strict=True)
                if value and "\x00" in value
            ]
    return sorted(set(found))


def signed_in_as(page):
    """A role that may use the page (the supervisor where it may: the widest reach), or none for a public one."""
    if SUP in page.roles or not page.roles:
        return SUP
    return sorted(r for r in page.roles if r != ANONYMOUS)[0] if page.roles - {ANONYMOUS} else SUP


@pytest.fixture
def site(monkeypatch, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    monkeypatch.setattr(desk_views, "now", lambda: WORKING_HOURS)
    return build_site()


def bad_requests(entry, site):
    """(method, url, form, json body, whether nothing may be stored, what) for each bad value in each place."""
    url, form = site.fill(entry.url), site.data(entry.form)
    body = site.data(entry.json) if entry.json is not None else None
    for name in _placeholders(entry.url):
        good = str(site.ids[name])
        for bad in BAD_PATH:
            bad_url = site.fill(entry.url.replace("{" + name + "}", bad))
            yield entry.method, bad_url, form, body, "%00" in bad, f"path {name}={bad!r}"
        for digits in (FULL_WIDTH, ARABIC_INDIC):
            if good.translate(digits) != good:
                bad_url = site.fill(entry.url.replace("{" + name + "}", quote(good.translate(digits))))
                yield entry.method, bad_url, form, body, "4xx", f"path {name}={good.translate(digits)!r}"
    for name in entry.query:
        for bad in BAD:
            bad_url = f"{url}{'&' if '?' in url else '?'}{name}={quote(bad, safe='')}"
            yield entry.method, bad_url, form, body, "\x00" in bad, f"query {name}={bad!r}"
    for name in entry.form:
        good = form[name]  # a text, or a file (an upload's field: replaced by each bad text)
        digits = {good.translate(FULL_WIDTH), good.translate(ARABIC_INDIC)} - {good} if isinstance(good, str) else set()
        bads = [*BAD, *digits]
        for bad in bads:
            numeric = name in entry.numbers or "\x00" in bad
            yield "POST", url, {**form, name: bad}, None, numeric, f"form {name}={bad!r}"
    for name, good in (body or {}).items():
        for bad in [*BAD, "x\ud800", 10**30] if isinstance(good, int) else [*BAD, "x\ud800"]:
            numeric = name in entry.numbers or isinstance(good, int) or str(bad) in ("a\x00b", "x\ud800")
            yield "POST", url, None, {**body, name: bad}, numeric, f"json {name}={bad!r}"


SHARES = 4  # the pages are checked in this many tests (every SHARES-th page each), so the test processes share them


@pytest.mark.parametrize("share", range(SHARES))
def test_bad_input_anywhere_is_never_a_server_error(client, site, caplog, share):
    """Clause: PRV-1, AUTH-4 — every page of the matrix: each path id, query parameter, form field and JSON
    field in turn gets each bad value; every answer is below 500; a path id in other digits finds nothing (4xx);
    a NUL anywhere, or a bad value in a number, date or id field, changes no table; no NUL is stored anywhere."""
    caplog.set_level(logging.CRITICAL, logger="django.request")
    client.raise_request_exception = False  # a crash is answered 500, as a server answers it; collect them all
    errors: list[str] = []
    refused_but_stored: list[str] = []
    user = None
    for entry in PAGES[share::SHARES]:
        if entry.route == "logout/":
            continue
        role = signed_in_as(entry)
        if role != user:
            client.force_login(site.users[role])
            user = role
        for method, url, form, body, unchanged, what in bad_requests(entry, site):
            before = snapshot() if unchanged else None
            if body is not None:
                response = client.post(url, body, content_type="application/json")
            elif method == "POST":
                response = client.post(url, form)
            else:
                response = client.get(url)
            if response.status_code >= 500 or (unchanged == "4xx" and response.status_code < 400):
                errors.append(f"{method} {entry.route} {what}: {response.status_code}")
            elif before is not None and snapshot() != before:
                refused_but_stored.append(f"{method} {entry.route} {what}")
    assert errors == []
    assert refused_but_stored == []
    assert rows_with_nul() == []


def _placeholders(url: str) -> list[str]:
    return [name for _text, name, _spec, _conv in string.Formatter().parse(url) if name]


def test_a_nul_anywhere_is_answered_400_on_a_page_in_the_users_language(client, site):
    """A NUL in the path (as %00), a query, a form field's value or name, or a JSON body (raw or \\u0000): 400,
    a page in the site's layout saying what was wrong (the API: JSON), and nothing stored."""
    client.force_login(site.users[SUP])
    before = snapshot()
    answers = [
        client.get("/borrowers/S0%001/"),
        client.get("/cases/", {"q": "S0\x001"}),
        client.post("/notices/templates/1/retire/", {"reason": "停\x00用"}),
        client.post("/notices/templates/1/retire/", {"rea\x00son": "停用"}),
        client.post(f"/plans/{site.ids['proposed_plan_id']}/decide/", {"decision": "reject", "reason": "x\x00"}),
    ]
    for answer in answers:
        assert answer.status_code == 400
        page = answer.content.decode()
        assert (
            '<p id="bad-request" role="alert">请求中含有空字符（%00），任何字段都不接受。请删除后重新提交。</p>' in page
        )
        assert "\x00" not in page
    api = client.post(
        f"/api/v1/plans/{site.ids['proposed_plan_id']}/reject",
        '{"reason": "x\\u0000y"}',
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert api.status_code == 400
    assert api.json() == {
        "error": {
            "code": "bad_request",
            "message": "The request contains a NUL character (%00), which no field accepts. Remove it and send "
            "the form again.",
        }
    }
    surrogate = client.post(
        f"/api/v1/plans/{site.ids['proposed_plan_id']}/reject",
        '{"reason": "x\\ud800y"}',
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert surrogate.status_code == 400
    assert "not valid Unicode" in surrogate.json()["error"]["message"]
    assert snapshot() == before


def test_a_nul_in_a_cookie_or_a_header_is_answered_400_before_the_session_is_read(site):
    """A session cookie with a NUL would crash its lookup on PostgreSQL; a failed login records the User-Agent:
    both are answered 400 before anything reads them, in the language the browser asks for."""
    from django.test import Client

    from arrears.compliance.models import AuditEvent

    cookie = Client(raise_request_exception=False)
    cookie.cookies["sessionid"] = "abcdefgh\x00ijklmnop"
    assert cookie.get("/cases/", HTTP_ACCEPT_LANGUAGE="en").status_code == 400
    events = AuditEvent.objects.count()
    agent = Client(raise_request_exception=False, HTTP_USER_AGENT="curl\x00")
    refused = agent.post("/login/", {"username": "nobody", "password": "wrong"}, HTTP_ACCEPT_LANGUAGE="en")
    assert refused.status_code == 400
    assert "which no field accepts" in refused.content.decode()
    assert AuditEvent.objects.count() == events


def test_an_uploaded_file_may_hold_nul_bytes(client, site):
    """A scan (PDF, PNG) holds NUL bytes: an upload's content is not refused, only a NUL in the form's fields."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from demo_site import PNG

    client.force_login(site.users[SUP])
    url = f"/plans/{site.ids['plan_id']}/sign/"
    assert b"\x00" in PNG
    assert client.post(url, {"signed_on": "2026-03-20", "scan": SimpleUploadedFile("s.png", PNG)}).status_code == 302
    nul_date = {"signed_on": "2026-03-20\x00", "scan": SimpleUploadedFile("s.png", PNG)}
    assert client.post(url, nul_date).status_code == 400


def test_a_number_in_other_digits_is_the_forms_message_and_nothing_is_stored(client, site):
    """The call record's duration typed with full-width or Arabic-Indic digits (which Python's int() reads as 3),
    a superscript, an exponent or beyond any column: the form's message, status 200, no call stored; in ASCII
    digits the same record is saved."""
    from arrears.collection.models import Call

    client.force_login(site.users[SUP])
    calls = Call.objects.count()
    form = site.data(page("cases/<int:case_id>/call/").form)
    url = f"/cases/{site.ids['case_id']}/call/"
    for duration in ["３", "٣", "²", "1e3", str(10**30)]:
        answer = client.post(url, {**form, "duration_seconds": duration}, HTTP_ACCEPT_LANGUAGE="en")
        assert answer.status_code == 200
        assert answer.context["form"].errors["duration_seconds"]
        assert Call.objects.count() == calls
    good = client.post(url, {**form, "duration_seconds": "3"})
    assert good.status_code == 302
    assert Call.objects.get(pk=Call.objects.latest("pk").pk).duration_seconds == 3
    assert Call.objects.count() == calls + 1


def test_bad_input_in_the_admin_is_never_a_server_error(client, site, caplog):
    """Django's admin, as an administrator: each registered model's list with a bad search, page, ordering or
    filter value, and its change, history and delete pages for a bad object id — never a 500, nothing stored."""
    from django.contrib import admin

    caplog.set_level(logging.CRITICAL, logger="django.request")
    client.raise_request_exception = False
    client.force_login(site.users[RoleCode.ADMINISTRATOR])
    before = snapshot()
    errors = []
    for model in admin.site._registry:
        base = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
        for bad in BAD:
            for name in ("q", "p", "o", "id__exact", "_to_field"):
                response = client.get(base, {name: bad})
                if response.status_code >= 500:
                    errors.append(f"{base}?{name}={bad!r}: {response.status_code}")
        for bad in BAD_PATH:
            for tail in ("change/", "history/", "delete/"):
                response = client.get(f"{base}{bad}/{tail}")
                if response.status_code >= 500:
                    errors.append(f"{base}{bad}/{tail}: {response.status_code}")
    assert errors == []
    assert snapshot() == before
