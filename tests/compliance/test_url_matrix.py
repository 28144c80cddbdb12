"""The role × URL matrix: every URL pattern of the site, opened by every role (and by no one signed in), is
answered exactly as `tests/site_urls.py` expects; a refusal changes nothing.

Clause: AUTH-1, AUTH-2, AUTH-3, AUTH-4 — deny by default; a page outside one's grants is refused on the server.
"""

from __future__ import annotations

import pytest
from django.apps import apps
from django.contrib import admin
from django.db import transaction
from django.test import Client
from django.urls import URLResolver, get_resolver

from arrears.accounts.roles import RoleCode
from arrears.accounts.tokens import SERVICE_ROLES, do_create_token
from arrears.collection import views as desk_views
from arrears.compliance.codes import ActionCode
from arrears.compliance.models import AuditEvent
from demo_site import ROLES, WORKING_HOURS, build_site
from factories import make_user
from site_urls import ADMIN_INDEX, ADMIN_MODELS, ADMIN_PREFIX, ADMIN_REDIRECTS, ANONYMOUS, API_SESSION_ONLY, PAGES

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("approved_templates")]

DENIED = {401, 403, 404, 405}


def routes(resolver=None, prefix: str = "") -> list[str]:
    """Every URL pattern's route, as `get_resolver()` nests them (`cases/<int:case_id>/`)."""
    found = []
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            found += routes(pattern, prefix + str(pattern.pattern))
        else:
            found.append(prefix + str(pattern.pattern))
    return found


def test_every_url_pattern_has_an_expectation():
    """Clause: AUTH-1 — a new URL pattern without a line in the matrix (tests/site_urls.py) fails here, and so
    does a line for a pattern that no longer exists."""
    site_routes = [r for r in routes() if not r.startswith(ADMIN_PREFIX) or r in ADMIN_REDIRECTS]
    expected = [p.route for p in PAGES]
    assert len(expected) == len(set(expected)), "a route has two lines in tests/site_urls.py"
    missing = sorted(set(site_routes) - set(expected) - set(ADMIN_REDIRECTS))
    stale = sorted(set(expected) - set(site_routes))
    assert (missing, stale) == ([], []), "add each missing route to tests/site_urls.py (who may use it)"


def snapshot() -> dict[str, int]:
    """Row counts of every table the site writes (sessions aside: signing in is not a change of the book)."""
    return {
        model._meta.label: model.objects.count()
        for model in apps.get_models()
        if model._meta.app_label not in {"sessions", "contenttypes", "auth"}
    }


def answer(client, site, page):
    url = site.fill(page.url)
    if page.json is not None:
        return client.post(url, site.data(page.json), content_type="application/json")
    if page.method == "POST":
        return client.post(url, site.data(page.form))
    return client.get(url)


def refused(response) -> bool:
    """401/403/404/405, or sent to sign in first (`login_required`'s redirect carries `next=`)."""
    if response.status_code in DENIED:
        return True
    location = response.headers.get("Location", "") if response.status_code == 302 else ""
    return location.startswith(("/login/", "/admin/login/")) and "next=" in location


def check_role(client, site, role) -> list[str]:
    """Every page and form as `role`: what was answered against the matrix, as '<role> <method> <route>: ...'."""
    client.logout()
    if role != ANONYMOUS:
        client.force_login(site.users[role])
    order = sorted(PAGES, key=lambda p: (p.route == "logout/", p.method != "GET"))
    wrong = []
    for page in order:
        allowed = role in page.roles
        before = None if allowed else snapshot()
        response = answer(client, site, page)
        said = f"{role} {page.method} {page.route}"
        if allowed and refused(response):
            wrong.append(f"{said}: refused ({response.status_code}), expected allowed")
        elif not allowed and not refused(response):
            wrong.append(f"{said}: {response.status_code}, expected refused")
        elif not allowed and snapshot() != before:
            wrong.append(f"{said}: refused, but the tables changed")
    return wrong


@pytest.mark.parametrize("role", [*ROLES, ANONYMOUS])
def test_each_role_reaches_exactly_its_pages(client, monkeypatch, role):
    """Clause: AUTH-1, AUTH-2, AUTH-3 — for every role, and for no one signed in, every page and form of the
    site: a role in the page's line gets it (not 401/403/404/405, not the login page); any other role is refused
    and no table changes. GET pages first, then the forms, signing out last. (One test per role, each on its own
    site, so that the roles share the test processes.)"""
    monkeypatch.setattr(desk_views, "now", lambda: WORKING_HOURS)
    site = build_site()
    assert check_role(client, site, role) == []


def test_each_service_token_reaches_exactly_its_api_endpoints(client):
    """Clause: AUTH-1, AUTH-2 — Issue 16: a service account's token of each role a service account may have, on
    every endpoint of the API, is answered as a person of that role (tests/site_urls.py), except the schema and
    the docs, which need a signed-in person; a refusal changes nothing but the call's own `api.call` event."""
    site = build_site()
    wrong = []
    for role in SERVICE_ROLES:
        with transaction.atomic():
            _row, token = do_create_token(f"svc-{role}", role, actor=site.users[RoleCode.ADMINISTRATOR])
            caller = Client(headers={"authorization": f"Bearer {token}"})
            for page in sorted((p for p in PAGES if p.route.startswith("api/")), key=lambda p: p.method != "GET"):
                allowed = role in page.roles and page.route not in API_SESSION_ONLY
                before, events = _book(), _events()
                response = answer(caller, site, page)
                said = f"{role} token {page.method} {page.route}"
                if allowed and refused(response):
                    wrong.append(f"{said}: refused ({response.status_code}), expected allowed")
                elif not allowed and not refused(response):
                    wrong.append(f"{said}: {response.status_code}, expected refused")
                elif not allowed and (_book() != before or _events() - events > {ActionCode.API_CALL.value}):
                    wrong.append(f"{said}: refused, but the tables changed")
            transaction.set_rollback(True)
    assert wrong == []


def _book() -> dict[str, int]:
    return {label: n for label, n in snapshot().items() if not label.startswith("compliance.")}


def _events() -> set[str]:
    return set(AuditEvent.objects.values_list("action", flat=True).distinct())


@pytest.mark.parametrize("role", [*ROLES, ANONYMOUS])
def test_only_administrators_open_the_admin(role, client):
    """Clause: AUTH-1 — Django's admin: its index and every registered model's list open exactly for the roles
    tests/site_urls.py names (administrators; compliance officers the audit ledger); everyone else is refused,
    never shown an admin page: 403 when signed in, the sign-in page once when not."""
    if role != ANONYMOUS:
        client.force_login(make_user(role))
    registered = {model._meta.label_lower for model in admin.site._registry}
    assert registered == set(ADMIN_MODELS), "add each model registered in the admin to ADMIN_MODELS"
    urls = {"/admin/": ADMIN_INDEX} | {f"/admin/{m.replace('.', '/')}/": ADMIN_MODELS[m] for m in sorted(registered)}
    wrong = []
    for url, roles in urls.items():
        response = client.get(url)
        if role in roles and response.status_code != 200:
            wrong.append(f"{url}: {response.status_code}, expected 200")
        elif role not in roles and role != ANONYMOUS and response.status_code != 403:
            # Issue 14: a signed-in user without admin access is told no (403), never sent round the login pages.
            wrong.append(f"{url}: {response.status_code}, expected 403")
        elif role not in roles and not refused(response):
            wrong.append(f"{url}: {response.status_code}, expected refused")
    assert wrong == []
