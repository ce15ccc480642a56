"""Every failure of the API is JSON ``{"error": {"code", "message"}}`` with a 4xx (503 when the database
is down), never an HTML page or a 500."""

from __future__ import annotations

import logging

from flask import Flask, jsonify, render_template, request
from flask_limiter.errors import RateLimitExceeded
from sqlalchemy.exc import DataError, DBAPIError, OperationalError
from werkzeug.exceptions import HTTPException

from server.domain.errors import DomainError

log = logging.getLogger(__name__)


def error_response(status: int, code: str, message: str):
    response = jsonify({"error": {"code": code, "message": message}})
    response.status_code = status
    return response


def wants_json() -> bool:
    return request.path.startswith("/api/") or request.path in ("/healthz", "/metrics") \
        or request.accept_mimetypes.best == "application/json"


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(DomainError)
    def domain_error(error: DomainError):
        response = error_response(error.status, error.code, error.message)
        response.headers.update(getattr(error, "headers", None) or {})  # e.g. Retry-After of a throttled login
        return response

    @app.errorhandler(RateLimitExceeded)
    def rate_limited(error: RateLimitExceeded):
        return error_response(429, "rate_limited", f"取号太频繁，请稍后再试 / too many tickets ({error.description})")

    @app.errorhandler(DataError)
    def value_refused(error: DataError):
        # A value the database cannot store or compare (out of range, NUL in text) that validation let through:
        # the request's fault, not an outage, so no database alarm.
        log.warning("database refused a value on %s %s: %s", request.method, request.path, error.orig)
        return error_response(400, "invalid_value", "请求中的数值无效 / a value in the request is invalid")

    @app.errorhandler(OperationalError)
    @app.errorhandler(DBAPIError)
    def database_down(error: Exception):
        log.error("database unavailable: %s", error)
        return error_response(503, "database_unavailable", "系统暂时无法访问数据库，请稍后再试 / database unavailable")

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if not wants_json():
            if error.code == 404:
                return render_template("error.html", title="页面不存在", message="您访问的页面不存在，请检查地址或咨询工作人员。",
                                       message_en="Page not found."), 404
            return error
        code = (error.name or "error").lower().replace(" ", "_")
        return error_response(error.code or 400, code, error.description or error.name)

    @app.errorhandler(Exception)
    def unexpected(error: Exception):
        # Logged with its traceback; the client gets a clear answer instead of an HTML 500 page.
        log.exception("unexpected error on %s %s", request.method, request.path)
        return error_response(503, "internal_error", "系统繁忙，请稍后再试 / temporary failure, please retry")
