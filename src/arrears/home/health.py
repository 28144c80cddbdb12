"""Health and readiness for a load balancer or a service manager: `/healthz` and `/readyz`.

Both answer JSON over plain HTTP (exempt from the redirect to HTTPS: a load balancer probes each server directly),
without signing in, never cached, and say nothing about borrowers or users.

`/healthz` (liveness): the process answers requests; it touches no database, so a database outage does not make
a supervisor restart healthy servers.

`/readyz` (readiness): 200 when this server can serve correctly — the database answers and every migration this
code knows is applied — else 503 with what is wrong. It also reports the last nightly run's business date and
status, without failing on it: every server shares the one database, so a failed run would take all of them out of
the load balancer at once, and the collectors would lose yesterday's queue, which is still right to work from. A
failed run is for operations to fix (the runs page, the worker's mail to administrators), not a reason to refuse
traffic.
"""

from __future__ import annotations

import logging

from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

log = logging.getLogger("arrears.health")


@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


def _unapplied_migrations() -> int:
    executor = MigrationExecutor(connection)
    return len(executor.migration_plan(executor.loader.graph.leaf_nodes()))


def _last_run() -> dict | None:
    from arrears.daily.models import Run

    run = Run.objects.order_by("-business_date").values("business_date", "status", "finished_at").first()
    if run is None:
        return None
    finished = run["finished_at"]
    return {
        "business_date": run["business_date"].isoformat(),
        "status": run["status"],
        "finished_at": finished.isoformat() if finished else None,
    }


@never_cache
@require_safe
def readyz(request: HttpRequest) -> JsonResponse:
    checks: dict[str, object] = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = "ok"
    except DatabaseError as error:
        log.warning("not ready: the database does not answer (%s)", type(error).__name__)
        return JsonResponse({"status": "unavailable", "checks": {"database": "unreachable"}}, status=503)
    try:
        pending = _unapplied_migrations()
    except DatabaseError as error:
        log.warning("not ready: cannot read the applied migrations (%s)", type(error).__name__)
        pending = -1
    checks["migrations"] = "ok" if pending == 0 else "pending"
    if pending:
        checks["unapplied_migrations"] = pending if pending > 0 else None
        return JsonResponse({"status": "unavailable", "checks": checks}, status=503)
    try:
        checks["last_nightly_run"] = _last_run()
    except DatabaseError:  # reported, never a reason to refuse traffic (see above)
        checks["last_nightly_run"] = "unknown"
    return JsonResponse({"status": "ok", "checks": checks})
