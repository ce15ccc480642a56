"""Inbound messages, checked once for the HTTP API and the Socket.IO handlers alike: an object with the
fields a message names, each of its type; text non-empty, not too long, and encodable (no lone
surrogates, no NULs); whole numbers within the range a database column can hold."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from server.domain.errors import BadRequest

TEXT_MAX = 200
INT_MAX = 2**31 - 1  # an INTEGER column on PostgreSQL
Kinds = Mapping[str, type | tuple[type, ...]]


def fields(data: object, required: Kinds | None = None, optional: Kinds | None = None) -> dict:
    """``data`` as a dict whose named fields are checked; raises BadRequest naming the first bad field."""
    if not isinstance(data, dict):
        raise BadRequest("invalid_message", "消息应为 JSON 对象 / the message must be a JSON object")
    for name, kind in (required or {}).items():
        if data.get(name) is None:
            raise BadRequest("missing_field", f"缺少字段 {name} / missing field {name!r}")
        check(name, data[name], kind)
    for name, kind in (optional or {}).items():
        if data.get(name) is not None:
            check(name, data[name], kind)
    return data


def check(name: str, value: object, kind: type | tuple[type, ...], limit: int | None = None) -> None:
    """``value`` is of ``kind``; a string is also ``text`` of at most ``limit`` (default TEXT_MAX) characters."""
    kinds = kind if isinstance(kind, tuple) else (kind,)
    if isinstance(value, bool) and bool not in kinds:
        raise _wrong_type(name)
    if not isinstance(value, kinds):
        raise _wrong_type(name)
    if isinstance(value, str):
        text(name, value, TEXT_MAX if limit is None else limit)
    elif isinstance(value, int) and not isinstance(value, bool) and not 0 <= value <= INT_MAX:
        raise BadRequest("invalid_field", f"字段 {name} 超出范围 / field {name!r} is out of range")


def text(name: str, value: str, limit: int = TEXT_MAX) -> str:
    """A non-empty, printable-to-UTF-8 string of at most ``limit`` characters."""
    if not value.strip() or len(value) > limit:
        raise BadRequest("invalid_field", f"字段 {name} 不能为空或过长 / field {name!r} is empty or too long")
    if "\x00" in value or not encodable(value):
        raise BadRequest("invalid_field", f"字段 {name} 含有无效字符 / field {name!r} has invalid characters")
    return value


# Local days a query may name: wide enough for any hall's records, narrow enough that every day of the range
# has a UTC start and end in every time zone (year 1 in Asia/Shanghai starts at +08:05:43 and overflows).
FIRST_DAY, LAST_DAY = dt.date(1900, 1, 1), dt.date(9998, 12, 31)


def iso_day(name: str, value: str) -> dt.date:
    """A query's local day, YYYY-MM-DD between 1900 and 9998; 400 ``invalid_date`` else."""
    try:
        day = dt.date.fromisoformat(value) if len(value) == 10 else None
    except ValueError:
        day = None
    if day is None or not FIRST_DAY <= day <= LAST_DAY:
        raise BadRequest("invalid_date", f"参数 {name} 应为日期 YYYY-MM-DD（1900–9998 年）/ {name!r} must be a date "
                                         "YYYY-MM-DD (years 1900 to 9998)")
    return day


def encodable(value: str) -> bool:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _wrong_type(name: str) -> BadRequest:
    return BadRequest("invalid_field", f"字段 {name} 类型错误 / field {name!r} has the wrong type")
