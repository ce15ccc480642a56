"""Build ``layout.model`` objects from parsed YAML, checking keys, types and formats.

The expected keys and types come from the dataclasses themselves, so a field added to the
model is accepted here without a second list to keep in step. What this module cannot judge
from one value alone (references, uniqueness, ranges) is left to the site checks.

A value that is wrong is reported and replaced by the INVALID placeholder (an entry of a list that
is not even a mapping by ``None``) so reading carries on and every problem of the file is found in
one pass; the objects built are only handed out when no problem was found.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import difflib
import functools
import re
import types
import typing
from collections.abc import Callable
from typing import Any

from layout import model
from layout.problems import ProblemLog, path_of
from layout.yaml_source import SourceMapping


class _Invalid:
    """Marks a value that was reported as wrong, so no check mistakes it for a value left out."""

    def __repr__(self) -> str:
        return "INVALID"


INVALID = _Invalid()

# YAML keys that differ from the field names, read as (class, field) -> key.
_KEY_FOR_FIELD: dict[tuple[type, str], str] = {
    (model.Delegation, "valid_from"): "from",
    (model.Delegation, "valid_until"): "until",
}

_ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")  # ids appear in page and API paths
_PREFIX_PATTERN = re.compile(r"^[A-Z]{1,2}$")
_WINDOW_NUMBER_PATTERN = re.compile(r"^[A-Z]{0,2}[0-9]{1,4}$")
_TIME_PATTERN = re.compile(r"^([0-9]{1,2}):([0-9]{2})$")


def describe(value: Any) -> str:
    """Name a YAML value and show it, for messages such as "expected text, got integer 5"."""
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return f"true/false value {str(value).lower()}"
    if isinstance(value, int):
        return f"integer {value}"
    if isinstance(value, float):
        return f"number {value}"
    if isinstance(value, str):
        return f"text {value!r}"
    if isinstance(value, dt.datetime):
        return f"date and time {value.isoformat()}"
    if isinstance(value, dt.date):
        return f"date {value.isoformat()}"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


def suggestion(word: str, choices: typing.Iterable[str]) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


@functools.cache
def _fields(cls: type) -> tuple[tuple[str, str, Any, bool], ...]:
    """(field name, YAML key, type hint, required) for each field of a model dataclass."""
    hints = typing.get_type_hints(cls)
    rows = []
    for field in dataclasses.fields(cls):
        required = field.default is dataclasses.MISSING and field.default_factory is dataclasses.MISSING
        key = _KEY_FOR_FIELD.get((cls, field.name), field.name)
        rows.append((field.name, key, hints[field.name], required))
    return tuple(rows)


def yaml_keys(cls: type) -> tuple[str, ...]:
    return tuple(key for _name, key, _hint, _required in _fields(cls))


class TypedReader:
    """Reads mappings into model objects, reporting problems to one file's log."""

    def __init__(self, log: ProblemLog) -> None:
        self.log = log
        # "kiosk 'k1'" for each object being built, None for one without an id (a printer, a period),
        # so a problem deep inside names the thing a reader of the layout recognises.
        self._owners: list[str | None] = []

    def report(self, path: str, message: str) -> None:
        if self._owners and self._owners[-1] is None:
            owner = next((label for label in reversed(self._owners) if label), None)
            if owner:
                message = f"{owner}: {message}"
        self.log.add(path or "(root)", message)

    def check_mapping(self, raw: Any, path: str, allowed: typing.Iterable[str], what: str) -> bool:
        """Report a value that is not a mapping, repeated keys and keys outside ``allowed``."""
        if not isinstance(raw, dict):
            self.report(path, f"expected a mapping ({what}), got {describe(raw)}")
            return False
        allowed = tuple(allowed)
        if isinstance(raw, SourceMapping):
            for key, line in raw.duplicates:
                self.report(path_of(path, str(key)), f"key '{key}' is written twice (again on line {line})")
        for key in raw:
            if not isinstance(key, str):
                self.report(path, f"keys must be text, got {describe(key)}")
            elif key not in allowed:
                self.report(
                    path_of(path, key),
                    f"unknown key '{key}' in {what}{suggestion(key, allowed)}; allowed: {', '.join(allowed)}",
                )
        return True

    def build(self, cls: type, raw: Any, path: str) -> Any:
        """A ``cls`` instance from ``raw``, or INVALID when ``raw`` is not a mapping at all."""
        what = re.sub(r"(?<!^)([A-Z])", r" \1", cls.__name__).lower()  # "printer config"
        if not self.check_mapping(raw, path, yaml_keys(cls), what):
            return INVALID
        own_id = raw.get("id")
        self._owners.append(f"{what} '{own_id}'" if isinstance(own_id, str) else None)
        try:
            return cls(**self._field_values(cls, raw, path, what))
        finally:
            self._owners.pop()

    def _field_values(self, cls: type, raw: dict[str, Any], path: str, what: str) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for name, key, hint, required in _fields(cls):
            if key not in raw:
                if required:
                    self.report(path, f"missing required key '{key}' in {what}")
                    values[name] = INVALID
                continue
            value = self.value(raw[key], hint, path_of(path, key), cls, name)
            if required and isinstance(value, str) and not value.strip():
                self.report(path_of(path, key), f"'{key}' must not be empty")
            values[name] = value
        return values

    def value(self, raw: Any, hint: Any, path: str, owner: type, name: str) -> Any:
        special = _SPECIAL_FIELDS.get((owner, name))
        origin = typing.get_origin(hint)
        if origin in (typing.Union, types.UnionType):
            if raw is None:
                return None
            (hint,) = [arg for arg in typing.get_args(hint) if arg is not type(None)]
            origin = typing.get_origin(hint)
        if special is not None:
            return special(self, raw, path)
        if origin is typing.Literal:
            return self._choice(raw, typing.get_args(hint), path)
        if origin is tuple:
            return self._list(raw, typing.get_args(hint)[0], path, owner, name)
        if dataclasses.is_dataclass(hint):
            return self.build(hint, raw, path)
        reader = _SCALAR_READERS.get(hint)
        if reader is None:  # a model field of a type this reader does not know yet
            raise TypeError(f"no reader for {hint!r} ({owner.__name__}.{name})")
        return reader(self, raw, path)

    def _list(self, raw: Any, item_hint: Any, path: str, owner: type, name: str) -> Any:
        if not isinstance(raw, list):
            self.report(path, f"expected a list, got {describe(raw)}")
            return INVALID
        items = []
        for index, item in enumerate(raw):
            value = self.value(item, item_hint, path_of(path, index), owner, name)
            # Keep a placeholder in place so later checks report the original indexes.
            items.append(None if value is INVALID else value)
        return tuple(items)

    def _choice(self, raw: Any, choices: tuple[Any, ...], path: str) -> Any:
        if isinstance(raw, bool) or raw not in choices:
            shown = ", ".join(str(choice) for choice in choices)
            hint = suggestion(raw, [str(choice) for choice in choices]) if isinstance(raw, str) else ""
            self.report(path, f"must be one of {shown}; got {describe(raw)}{hint}")
            return INVALID
        return raw

    # Scalars ---------------------------------------------------------------------------------

    def text(self, raw: Any, path: str) -> Any:
        if not isinstance(raw, str):
            self.report(path, f"expected text, got {describe(raw)}")
            return INVALID
        return raw

    def integer(self, raw: Any, path: str) -> Any:
        if isinstance(raw, bool) or not isinstance(raw, int):
            self.report(path, f"expected a whole number, got {describe(raw)}")
            return INVALID
        return raw

    def number(self, raw: Any, path: str) -> Any:
        if isinstance(raw, bool) or not isinstance(raw, int | float):
            self.report(path, f"expected a number, got {describe(raw)}")
            return INVALID
        return float(raw)

    def flag(self, raw: Any, path: str) -> Any:
        if not isinstance(raw, bool):
            self.report(path, f"expected true or false, got {describe(raw)}")
            return INVALID
        return raw

    def date(self, raw: Any, path: str) -> Any:
        if isinstance(raw, dt.date) and not isinstance(raw, dt.datetime):
            return raw
        if isinstance(raw, str):
            try:
                return dt.date.fromisoformat(raw)
            except ValueError:
                pass
        self.report(path, f"expected a date written YYYY-MM-DD, got {describe(raw)}")
        return INVALID

    def time(self, raw: Any, path: str) -> Any:
        match = _TIME_PATTERN.match(raw) if isinstance(raw, str) else None
        if match and int(match[1]) < 24 and int(match[2]) < 60:
            return dt.time(int(match[1]), int(match[2]))
        self.report(path, f'expected a time of day written HH:MM such as "08:30", got {describe(raw)}')
        return INVALID

    # Fields with a format of their own -------------------------------------------------------------

    def identifier(self, raw: Any, path: str) -> Any:
        value = self.text(raw, path)
        if value is not INVALID and not _ID_PATTERN.match(value):
            self.report(
                path, f"id {value!r} may only hold letters, digits, '-' and '_' (it appears in web addresses)"
            )
            return INVALID
        return value

    def prefix(self, raw: Any, path: str) -> Any:
        value = self.text(raw, path)
        if value is not INVALID and not _PREFIX_PATTERN.match(value):
            self.report(path, f"ticket prefix must be one or two capital letters A-Z, got {value!r}")
            return INVALID
        return value

    def window_number(self, raw: Any, path: str) -> Any:
        # Numbers are naturally written unquoted (number: 5); they are kept as the text shown.
        if isinstance(raw, int) and not isinstance(raw, bool) and raw >= 0:
            raw = str(raw)
        value = self.text(raw, path)
        if value is not INVALID and not _WINDOW_NUMBER_PATTERN.match(value):
            self.report(
                path,
                f"window number must be digits, optionally after one or two capital letters "
                f"(5, 12, B3); got {value!r}",
            )
            return INVALID
        return value

    def usb_id(self, raw: Any, path: str) -> Any:
        value = raw
        if isinstance(raw, str):
            try:
                value = int(raw, 16) if raw.lower().startswith("0x") else int(raw, 10)
            except ValueError:
                value = INVALID
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 0xFFFF:
            self.report(path, f"expected a USB id such as 0x0416 (0 to 0xFFFF), got {describe(raw)}")
            return INVALID
        return value


_SCALAR_READERS: dict[Any, Callable[[TypedReader, Any, str], Any]] = {
    str: TypedReader.text,
    int: TypedReader.integer,
    float: TypedReader.number,
    bool: TypedReader.flag,
    dt.date: TypedReader.date,
    dt.time: TypedReader.time,
}

_SPECIAL_FIELDS: dict[tuple[type, str], Callable[[TypedReader, Any, str], Any]] = {
    (model.Queue, "prefix"): TypedReader.prefix,
    (model.Window, "number"): TypedReader.window_number,
    (model.PrinterConfig, "usb_vendor"): TypedReader.usb_id,
    (model.PrinterConfig, "usb_product"): TypedReader.usb_id,
}
_SPECIAL_FIELDS.update(
    {
        (cls, "id"): TypedReader.identifier
        for cls in vars(model).values()
        if isinstance(cls, type) and dataclasses.is_dataclass(cls) and "id" in yaml_keys(cls)
    }
)
