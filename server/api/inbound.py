"""What a request brings before any view reads it — the URL's ids, the query string, the JSON body — held
to what the views and the database can take, so that bad input is a 4xx and never a 5xx:

- ``<id>`` (Flask's default converter, for every page and API route) refuses NUL and other control
  characters: such a path names nothing (404) instead of reaching PostgreSQL, which refuses NUL in text;
- ``<int:id>`` takes only 1..2^31-1, what an INTEGER column holds (a larger id names nothing: 404);
- an API query string must be UTF-8 text without control characters (else 400 ``invalid_query``);
- JSON nested past Python's recursion limit is malformed JSON, not an internal error.

``install(app)`` must run before any blueprint is registered: a rule binds its converter when it is added."""

from __future__ import annotations

from urllib.parse import unquote_to_bytes

from flask import Flask, request
from flask.json.provider import DefaultJSONProvider
from werkzeug.routing import BaseConverter, IntegerConverter

from server.domain.errors import BadRequest
from server.validation import INT_MAX

_CONTROL = "".join(map(chr, range(0x20))) + "\x7f"


class IdConverter(BaseConverter):
    """A path segment of printable text."""

    regex = r"[^/\x00-\x1f\x7f]+"
    part_isolating = True  # one segment, though the regex names "/"


class RowIdConverter(IntegerConverter):
    """A row id: ASCII digits naming 1..2^31-1."""

    regex = r"[0-9]+"

    def __init__(self, map, fixed_digits: int = 0, min: int | None = 1, max: int | None = INT_MAX,
                 signed: bool = False) -> None:
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


class BoundedJSONProvider(DefaultJSONProvider):
    """Flask's JSON, where a document nested too deep to parse is a ValueError like any malformed one:
    ``request.get_json`` then answers 400, and Socket.IO (which parses its packets with ``app.json``)
    drops the packet as it drops any unparsable one."""

    def loads(self, s, **kwargs):
        try:
            return super().loads(s, **kwargs)
        except RecursionError as error:
            raise ValueError("JSON nested too deep") from error


def check_query() -> None:
    """An /api/ request's query string is UTF-8 text without control characters."""
    if not request.path.startswith("/api/") or not request.query_string:
        return
    try:
        text = unquote_to_bytes(request.query_string.replace(b"+", b" ")).decode("utf-8")
    except UnicodeDecodeError:
        raise _bad_query() from None
    if any(character in _CONTROL for character in text):
        raise _bad_query()


def _bad_query() -> BadRequest:
    return BadRequest("invalid_query", "查询参数含有无效字符 / the query string has invalid characters")


def install(app: Flask) -> None:
    app.url_map.converters["default"] = IdConverter
    app.url_map.converters["string"] = IdConverter
    app.url_map.converters["int"] = RowIdConverter
    app.json = BoundedJSONProvider(app)
    app.before_request(check_query)
