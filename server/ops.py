"""Operations endpoints: ``/healthz`` for load balancers and systemd, ``/metrics`` for Prometheus.

/healthz answers 200 ``ok`` when the database and Redis answer, 200 ``degraded`` when only Redis is down
(calls still commit; screens on other processes catch up once it is back), 503 ``down`` without the
database."""

from __future__ import annotations

import os

from flask import Flask, Response, current_app, jsonify
from sqlalchemy import text

from server.message_queue import quick_failing_options
from server.metrics import render
from server.wiring import hall

REDIS_CHECK_TIMEOUT_SECONDS = 0.5


def _database_check(app: Flask) -> str:
    try:
        with hall(app).db.read() as session:
            session.execute(text("SELECT 1"))
        return "ok"
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
    return {"status": status, "checks": checks, "pid": os.getpid()}, code


def register(app: Flask) -> None:
    @app.get("/healthz")
    def healthz():
        body, code = health()
        return jsonify(body), code

    @app.get("/metrics")
    def metrics():
        return Response(render(app, hall(app)), content_type="text/plain; version=0.0.4; charset=utf-8")
