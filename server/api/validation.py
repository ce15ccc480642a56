"""Inbound JSON bodies: an object with the fields the contract names, of the right types."""

from __future__ import annotations

from flask import request

from server.api.errors import BadRequest

MISSING = object()


def json_body(required: dict[str, type | tuple] | None = None,
              optional: dict[str, type | tuple] | None = None) -> dict:
    """The request's JSON object, checked: required fields present, every known field of its type."""
    if not request.data and not required:
        return {}
    body = request.get_json(silent=True)
    if body is None:
        raise BadRequest("malformed_json", "请求体不是有效的 JSON / the body is not valid JSON")
    if not isinstance(body, dict):
        raise BadRequest("malformed_json", "请求体应为 JSON 对象 / the body must be a JSON object")
    for name, kind in (required or {}).items():
        if body.get(name, MISSING) is MISSING or body[name] is None:
            raise BadRequest("missing_field", f"缺少字段 {name} / missing field {name!r}")
        _check(name, body[name], kind)
    for name, kind in (optional or {}).items():
        if body.get(name) is not None:
            _check(name, body[name], kind)
    return body


def _check(name: str, value: object, kind: type | tuple) -> None:
    if isinstance(value, bool) and kind is not bool:
        raise BadRequest("invalid_field", f"字段 {name} 类型错误 / field {name!r} has the wrong type")
    if not isinstance(value, kind):
        raise BadRequest("invalid_field", f"字段 {name} 类型错误 / field {name!r} has the wrong type")
    if isinstance(value, str) and (not value.strip() or len(value) > 200):
        raise BadRequest("invalid_field", f"字段 {name} 不能为空或过长 / field {name!r} is empty or too long")
