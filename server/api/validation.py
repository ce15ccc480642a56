"""Inbound JSON bodies of the API: the request's JSON object, checked by ``server.validation``."""

from __future__ import annotations

from flask import request

from server.domain.errors import BadRequest
from server.validation import Kinds, check, fields


def json_body(required: Kinds | None = None, optional: Kinds | None = None) -> dict:
    """The request's JSON object, checked: required fields present, every known field of its type."""
    if not request.data and not required:
        return {}
    body = request.get_json(silent=True)
    if body is None:
        raise BadRequest("malformed_json", "请求体不是有效的 JSON / the body is not valid JSON")
    if not isinstance(body, dict):
        raise BadRequest("malformed_json", "请求体应为 JSON 对象 / the body must be a JSON object")
    return fields(body, required, optional)


def optional_text(name: str, limit: int | None = None) -> str | None:
    """A body's optional text field (at most ``limit`` characters, default TEXT_MAX); a blank one is none (the
    rule then says what is required)."""
    body = request.get_json(silent=True)
    value = body.get(name) if isinstance(body, dict) else None
    if isinstance(value, str) and not value.strip():
        return None
    if value is not None:
        check(name, value, str, limit)
    return value
