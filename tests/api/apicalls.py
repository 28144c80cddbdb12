"""Calling the API in tests: a token's client, a session's, JSON posts, the ledger's events, and a snapshot of
everything a refused write must leave unchanged."""

from __future__ import annotations

from django.test import Client

from arrears.collection.models import Call, Promise, Task
from arrears.compliance.models import AuditEvent
from arrears.portfolio.models import Hold


def bearer(token: str) -> Client:
    """A client calling with the token, asking for English, enforcing CSRF as a browser's session would be."""
    return Client(enforce_csrf_checks=True, headers={"authorization": f"Bearer {token}", "accept-language": "en"})


def post(client: Client, url: str, body: dict | None = None, **extra):
    return client.post(url, body or {}, content_type="application/json", **extra)


def events(action: str | None = None) -> list[AuditEvent]:
    found = AuditEvent.objects.select_related("actor").order_by("pk")
    return list(found.filter(action=action) if action else found)


def state() -> dict:
    """What a write could change: calls, promises, tasks, holds (every column), and the ledger's events other
    than the `api.call` records of the calls themselves."""
    return {
        "calls": list(Call.objects.order_by("pk").values()),
        "promises": list(Promise.objects.order_by("pk").values()),
        "tasks": list(Task.objects.order_by("pk").values()),
        "holds": list(Hold.objects.order_by("pk").values()),
        "events": list(AuditEvent.objects.exclude(action="api.call").order_by("pk").values_list("pk", "action")),
    }
