"""Operations endpoints: ``/healthz`` for load balancers and systemd, ``/metrics`` for Prometheus.

/healthz answers 200 ``ok`` when the database takes a write and Redis answers, 200 ``degraded`` when only
Redis is down (calls still commit; screens on other processes catch up once it is back), 503 ``down``
when the database cannot write: unreachable, frozen, locked past the busy timeout, read-only, or out of
space where the write needs it. The write is a heartbeat: the one row of ``alembic_version``, which every
schema has, updated to itself and committed in a transaction of its own (a ``SELECT 1`` answers on a full
disk or a read-only replica too)."""

from __future__ import annotations

import os

from flask import Flask, Response, current_app, jsonify
from sqlalchemy import text

from server import layout_reload
from server.database_limits import DatabaseBusy, DatabaseUnavailable
from server.message_queue import quick_failing_options
from server.metrics import render
from server.wiring import hall

REDIS_CHECK_TIMEOUT_SECONDS = 0.5
HEARTBEAT = text("UPDATE alembic_version SET version_num = version_num")


def _database_check(app: Flask) -> str:
    try:
        with hall(app).db.write() as session:
            if session.execute(HEARTBEAT).rowcount != 1:
                return "down: no schema revision row"
        return "ok"
    except (DatabaseBusy, DatabaseUnavailable) as error:
        return f"down: {error.code}"
    except Exception as exc:  # the answer is the report, whatever failed
        return f"down: {type(exc).__name__}"


def _redis_client(app: Flask):
    client = app.extensions.get("hall_health_redis")
    if client is None:
        import redis

        client = redis.Redis.from_url(app.config["REDIS_URL"], **quick_failing_options(REDIS_CHECK_TIMEOUT_SECONDS))
        app.extensions["hall_health_redis"] = client
    return client


def _redis_check(app: Flask) -> str:
    if not app.config.get("REDIS_URL"):
        return "not configured"
    try:
        _redis_client(app).ping()
        return "ok"
    except Exception as exc:  # down, refusing, frozen: all are "down" for a probe
        return f"down: {type(exc).__name__}"


def health() -> tuple[dict, int]:
    app = current_app._get_current_object()
    checks = {"database": _database_check(app), "redis": _redis_check(app)}
    if checks["database"] != "ok":
        status, code = "down", 503
    elif checks["redis"].startswith("down"):
        status, code = "degraded", 200
    else:
        status, code = "ok", 200
    return {"status": status, "checks": checks, "pid": os.getpid(), "layout": layout_reload.health(app)}, code


def register(app: Flask) -> None:
    @app.get("/healthz")
    def healthz():
        body, code = health()
        return jsonify(body), code

    @app.get("/metrics")
    def metrics():
        return Response(render(app, hall(app)), content_type="text/plain; version=0.0.4; charset=utf-8")
