"""Service accounts' API tokens (Issue 16, item 3): created and revoked by administrators, stored hashed, scoped
like the account's role, rate-limited, every call audited under the service account's name; the API under
/api/v1/ only.

The desk on 2026-03-20: P20's first instalment is 20 days overdue and P25's 25 days (junior pool: 1,027.43 and
1,027.43 + a few more days' penalty); H70's 70 days (senior pool: a junior collector cannot see it).
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from desk import open_desk
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils.translation import gettext

from arrears.accounts.backends import RoleBackend
from arrears.accounts.models import ServiceToken, User
from arrears.accounts.tokens import SERVICE_ROLES, TOKEN_PREFIX, do_create_token, do_revoke_token, token_hash
from arrears.arrangements.models import Plan
from arrears.cli import main
from arrears.cli.tokens import SERVICE_ROLE_CODES
from arrears.collection.models import CaseStatus
from arrears.collection.queries import visible_cases
from arrears.compliance.masking import masked
from arrears.compliance.models import AuditEvent
from factories import make_user

pytestmark = pytest.mark.django_db

MEANS = {"income": "10000.00", "expenses": "3000.00", "debts": "500.00"}


@pytest.fixture
def desk():
    opened = open_desk(
        [("P20", 20, "12000", "low"), ("P25", 25, "12000", "low"), ("H70", 70, "12000", "low")],
        {"junior_collector": 1, "senior_collector": 1},
    )
    return SimpleNamespace(
        cases=opened["cases"],
        junior=opened["users"]["junior_collector"][0],
        senior=opened["users"]["senior_collector"][0],
        admin=make_user("administrator", username="admin-1"),
    )


def bearer(token: str, **headers) -> Client:
    """A client calling with the token, asking for English, enforcing CSRF as a browser's session would be."""
    return Client(enforce_csrf_checks=True, headers={"authorization": f"Bearer {token}", "accept-language": "en"})


def post(client: Client, url: str, body: dict | None = None, **extra):
    return client.post(url, body or {}, content_type="application/json", **extra)


def events(action: str | None = None) -> list[AuditEvent]:
    found = AuditEvent.objects.select_related("actor").order_by("pk")
    return list(found.filter(action=action) if action else found)


def test_the_cli_prints_only_the_token_once_and_stores_its_hash(capsys):
    """`arrears token create --name crm --role junior_collector`: stdout is the token and nothing else; the
    database holds its SHA-256 only; a service account `crm` with that role is created, which can never sign
    in; the creation is an audited action of the administrator; `token list` never shows the token."""
    admin = make_user("administrator")
    assert main(["token", "create", "--name", "crm", "--role", "junior_collector"]) == 0
    captured = capsys.readouterr()
    token = captured.out.removesuffix("\n")
    assert captured.out == token + "\n"
    assert "\n" not in token
    assert token.startswith(TOKEN_PREFIX)
    assert len(token) == len(TOKEN_PREFIX) + 43
    assert "created token crm for service account crm (junior_collector)" in captured.err
    assert token not in captured.err
    row = ServiceToken.objects.select_related("account").get(name="crm")
    assert (row.token_sha256, row.created_by, row.revoked_at) == (token_hash(token), admin, None)
    account = row.account
    assert (account.username, account.role_id, account.is_service_account) == ("crm", "junior_collector", True)
    assert not account.has_usable_password()
    assert not RoleBackend().user_can_authenticate(account)
    account.set_password("a long passphrase 123")  # even with a password set by hand, no sign-in
    account.save(update_fields=["password"])
    refused = Client().post("/login/", {"username": "crm", "password": "a long passphrase 123"})
    assert (refused.status_code, "_auth_user_id" in refused.wsgi_request.session) == (200, False)
    (event,) = events("accounts.create_token")
    assert (event.action, event.actor, event.subject_type, event.subject_id) == (
        "accounts.create_token",
        admin,
        "accounts.servicetoken",
        str(row.pk),
    )
    assert token not in str(event.changes)
    assert token_hash(token) not in str(event.changes)
    assert main(["token", "list"]) == 0
    listing = capsys.readouterr().out
    assert "crm\tjunior_collector\t" in listing
    assert token not in listing
    assert main(["token", "create", "--name", "crm", "--role", "junior_collector"]) == 1
    assert "名为 crm 的令牌已存在" in capsys.readouterr().err  # the product's language, Simplified Chinese
    assert main(["token", "create", "--name", admin.username, "--role", "analyst"]) == 1
    assert "是个人账户" in capsys.readouterr().err
    assert set(SERVICE_ROLE_CODES) == {str(r) for r in SERVICE_ROLES}


def test_a_junior_token_lists_exactly_the_junior_collectors_cases_masked(desk):
    """Clause: TEAM-3, AUTH-1 — GET /api/v1/cases with a junior collector's token: the open cases a junior
    collector sees (P25 and P20, worst first; never H70 of the senior pool), borrower names masked, money in fen
    and in yuan; {"items", "count"} paged by limit/offset. One `api.call` event, under the service account."""
    _row, token = do_create_token("crm", "junior_collector", actor=desk.admin)
    client = bearer(token)
    response = client.get("/api/v1/cases")
    assert response.status_code == 200
    body = response.json()
    expected = visible_cases(desk.junior).filter(status=CaseStatus.OPEN)
    p20, p25 = desk.cases["P20"], desk.cases["P25"]
    assert sorted(expected.values_list("pk", flat=True)) == sorted([p20.pk, p25.pk])
    assert ([c["id"] for c in body["items"]], body["count"]) == ([p25.pk, p20.pk], 2)
    first = body["items"][1]
    assert first["borrower"] == {
        "id": p20.borrower_id,
        "customer": "P20",
        "name": masked("name", p20.borrower.name),
    }
    assert first["borrower"]["name"] != p20.borrower.name
    assert "*" in first["borrower"]["name"]
    assert (first["dpd"], first["overdue_fen"], first["overdue"], first["pool"]) == (20, 102743, "1027.43", "junior")
    page = client.get("/api/v1/cases?limit=1&offset=1").json()
    assert ([c["id"] for c in page["items"]], page["count"]) == ([p20.pk], 2)
    calls = events("api.call")
    assert [
        (e.actor.username, e.changes["method"][1], e.changes["path"][1], e.changes["status"][1]) for e in calls
    ] == [
        ("crm", "GET", "/api/v1/cases", 200),
        ("crm", "GET", "/api/v1/cases", 200),
    ]
    assert ServiceToken.objects.get(name="crm").last_used_at is not None


def test_the_case_list_makes_a_fixed_number_of_queries(desk):
    """The list costs the same number of queries for one case as for two (no query per row)."""
    _row, token = do_create_token("crm", "junior_collector", actor=desk.admin)
    client = bearer(token)
    with CaptureQueriesContext(connection) as one:
        assert len(client.get("/api/v1/cases?limit=1").json()["items"]) == 1
    with CaptureQueriesContext(connection) as two:
        assert len(client.get("/api/v1/cases?limit=2").json()["items"]) == 2
    assert len(one) == len(two)


def test_a_senior_token_quotes_and_proposes_without_csrf(desk):
    """Clause: PLAN-2, AUTH-2, AUTH-4 — a senior collector's token quotes (income 10,000 → at most 3000.00 a
    month) and proposes a plan with no CSRF token (the bearer path needs none); the plan is proposed by the
    service account, and the ledger has the action's own event and one `api.call` per call."""
    _row, token = do_create_token("call-platform", "senior_collector", actor=desk.admin)
    client = bearer(token)
    case = desk.cases["P20"]
    quote = post(client, f"/api/v1/cases/{case.pk}/plans/quote", MEANS)
    assert (quote.status_code, quote.json()["max_monthly_payment"]) == (200, "3000.00")
    proposed = post(client, f"/api/v1/cases/{case.pk}/plans", {**MEANS, "instalments": 4})
    assert (proposed.status_code, proposed.json()["proposed_by"]) == (201, "call-platform")
    plan = Plan.objects.get()
    assert plan.proposed_by.username == "call-platform"
    assert [(e.action, e.actor.username) for e in events() if e.actor.username == "call-platform"] == [
        ("api.call", "call-platform"),
        ("arrangements.propose_plan", "call-platform"),
        ("api.call", "call-platform"),
    ]
    assert events()[-1].changes["status"] == [None, 201]


def test_a_junior_token_proposing_a_plan_is_refused_and_nothing_changes(desk):
    """Clause: AUTH-1, AUTH-2 — a junior collector may not propose plans, and neither may their token: 403 in
    the error shape naming the permission; no plan, and no event but the refused call's own `api.call`."""
    _row, token = do_create_token("crm", "junior_collector", actor=desk.admin)
    before = len(events())
    response = post(bearer(token), f"/api/v1/cases/{desk.cases['P20'].pk}/plans", {**MEANS, "instalments": 4})
    assert response.status_code == 403
    error = response.json()["error"]
    assert error["code"] == "forbidden"
    assert "arrangements.propose_plan" in error["message"]
    assert not Plan.objects.exists()
    added = events()[before:]
    assert [(e.action, e.actor.username, e.changes["status"][1]) for e in added] == [("api.call", "crm", 403)]


def test_a_revoked_unknown_or_malformed_token_is_401_and_not_recorded(desk, capsys):
    """A revoked token is refused at once (401), as are an unknown one, one without the prefix, an empty one and
    another scheme; none is recorded as a call (there is no account to record it under). Revoking is audited."""
    _row, token = do_create_token("crm", "junior_collector", actor=desk.admin)
    assert bearer(token).get("/api/v1/cases").status_code == 200
    assert main(["token", "revoke", "crm", "--by", desk.admin.username]) == 0
    assert "revoked token crm" in capsys.readouterr().err
    assert ServiceToken.objects.get(name="crm").revoked_at is not None
    calls = len(events("api.call"))
    for header in [
        f"Bearer {token}",
        f"Bearer {TOKEN_PREFIX}not-a-token",
        "Bearer " + token.removeprefix(TOKEN_PREFIX),
        "Bearer ",
        f"Basic {token}",
    ]:
        response = Client(headers={"authorization": header, "accept-language": "en"}).get("/api/v1/cases")
        assert response.status_code == 401, header
        assert response.json()["error"]["code"] == "unauthorized"
    assert len(events("api.call")) == calls
    assert (events()[-1].action, events()[-1].actor) == ("accounts.revoke_token", desk.admin)
    assert main(["token", "revoke", "crm", "--by", desk.admin.username]) == 1
    assert gettext("The token %(name)s was already revoked.") % {"name": "crm"} in capsys.readouterr().err
    chinese = Client(headers={"authorization": f"Bearer {token}"}).get("/api/v1/cases")
    assert chinese.json()["error"]["message"] == "API 令牌无效或已被吊销。"


def test_a_token_over_its_rate_is_answered_429_with_retry_after(desk, settings):
    """ARREARS_API_RATE = "2/min": the third call within the minute is 429 with Retry-After, in the error shape,
    and is not recorded on the ledger; another token has its own count."""
    settings.ARREARS_API_RATE = "2/min"
    _row, token = do_create_token("crm", "junior_collector", actor=desk.admin)
    _row, other = do_create_token("reporting", "junior_collector", actor=desk.admin)
    client = bearer(token)
    assert [client.get("/api/v1/cases").status_code for _ in range(2)] == [200, 200]
    refused = client.get("/api/v1/cases")
    assert refused.status_code == 429
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    assert refused.json()["error"]["code"] == "rate_limited"
    assert len(events("api.call")) == 2
    assert bearer(other).get("/api/v1/cases").status_code == 200


def test_a_session_post_needs_the_csrf_header_and_a_token_post_does_not(desk):
    """Clause: AUTH-2 — the web session keeps CSRF: a signed-in POST without X-CSRFToken is refused (403, error
    shape) and writes nothing; with the csrftoken cookie's value it goes through. The same POST with a token and
    no CSRF cookie or header goes through."""
    session = Client(enforce_csrf_checks=True, headers={"accept-language": "en"})
    session.force_login(desk.senior)
    url = f"/api/v1/cases/{desk.cases['P20'].pk}/plans/quote"
    refused = post(session, url, MEANS)
    assert (refused.status_code, refused.json()["error"]["code"]) == (403, "forbidden")
    session.get("/api/v1/docs")  # hands out the csrftoken cookie
    csrf = session.cookies["csrftoken"].value
    assert post(session, url, MEANS, headers={"x-csrftoken": csrf}).status_code == 200
    _row, token = do_create_token("call-platform", "senior_collector", actor=desk.admin)
    assert post(bearer(token), url, MEANS).status_code == 200
    assert [e.actor.username for e in events("api.call")] == ["call-platform"]  # a session's calls are not


def test_the_old_paths_are_gone_and_the_schema_is_openapi_3_1(desk):
    """/api/... no longer serves the API (404); /api/v1/openapi.json is OpenAPI 3.1.x and names both ways in."""
    client = Client()
    client.force_login(desk.senior)
    case = desk.cases["P20"].pk
    for url in ["/api/openapi.json", "/api/docs", "/api/plans/pending", "/api/cases"]:
        assert client.get(url).status_code == 404, url
    assert post(client, f"/api/cases/{case}/plans/quote", MEANS).status_code == 404
    document = client.get("/api/v1/openapi.json").json()
    assert document["openapi"].startswith("3.1.")
    assert set(document["components"]["securitySchemes"]) == {"TokenAuth", "SessionAuth"}


def test_the_admin_creates_a_token_shown_once_and_revokes_it(desk):
    """An administrator adds a token in the admin: the response shows it once (not cached), the row keeps its
    hash; the revoke action revokes it (audited), after which it is refused."""
    admin = Client()
    admin.force_login(desk.admin)
    role = "senior_collector"
    response = admin.post("/admin/accounts/servicetoken/add/", {"name": "reporting", "role": role})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    page = response.content.decode()
    start = page.index('<code id="api-token">') + len('<code id="api-token">')
    token = page[start : page.index("</code>", start)]
    row = ServiceToken.objects.get(name="reporting")
    assert (row.token_sha256, row.account.role_id, row.created_by) == (token_hash(token), role, desk.admin)
    assert token not in admin.get(f"/admin/accounts/servicetoken/{row.pk}/change/").content.decode()
    assert bearer(token).get("/api/v1/cases").status_code == 200
    admin.post("/admin/accounts/servicetoken/", {"action": "revoke", "_selected_action": [row.pk]})
    assert bearer(token).get("/api/v1/cases").status_code == 401
    assert [e.actor for e in events("accounts.revoke_token")] == [desk.admin]


def test_only_administrators_create_or_revoke_tokens(desk):
    """Clause: AUTH-1 — a supervisor or a collector may not create or revoke a token: refused, nothing written."""
    supervisor = make_user("supervisor")
    with pytest.raises(Exception, match=r"accounts\.manage_users"):
        do_create_token("crm", "junior_collector", actor=supervisor)
    assert not ServiceToken.objects.exists()
    assert not User.objects.filter(username="crm").exists()
    do_create_token("crm", "junior_collector", actor=desk.admin)
    before = len(events())
    with pytest.raises(Exception, match=r"accounts\.manage_users"):
        do_revoke_token("crm", actor=desk.senior)
    assert ServiceToken.objects.get(name="crm").revoked_at is None
    assert len(events()) == before
