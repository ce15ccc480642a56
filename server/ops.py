"""Operations endpoints: /healthz."""

from __future__ import annotations

from flask import Flask, jsonify
from sqlalchemy import text

from server.bootstrap import boot


def register(app: Flask) -> None:
    @app.get("/healthz")
    def healthz():
        checks = {}
        try:
            with boot(app).db.read() as session:
                session.execute(text("SELECT 1"))
            checks["database"] = "ok"
        except Exception as exc:  # the answer is the report, whatever failed
            checks["database"] = f"down: {type(exc).__name__}"
        healthy = checks["database"] == "ok"
        return jsonify({"status": "ok" if healthy else "down", "checks": checks}), 200 if healthy else 503
