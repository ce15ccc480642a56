"""Reading layout YAML without the surprises of YAML 1.1.

PyYAML follows YAML 1.1, where an unquoted ``13:30`` is the base-60 integer 810 while ``08:30``
is text, and a ticket prefix ``NO`` is the boolean false; a hall manager writing opening hours
must not have to know that. Scalars here follow YAML 1.2 instead: only true/false are booleans,
integers are decimal or 0x-hex. Repeated keys are kept instead of the last one silently winning,
so the loader can report them.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

_BOOL_TAG = "tag:yaml.org,2002:bool"
_INT_TAG = "tag:yaml.org,2002:int"
_FLOAT_TAG = "tag:yaml.org,2002:float"
_MAP_TAG = "tag:yaml.org,2002:map"
_MERGE_TAG = "tag:yaml.org,2002:merge"


class SourceMapping(dict):
    """A YAML mapping that remembers any key written twice, with the line it was repeated on."""

    duplicates: list[tuple[Any, int]]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.duplicates = []


# libyaml parses several times faster; the scalar rules below live in the Python resolver it calls.
_BaseLoader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _LayoutLoader(_BaseLoader):
    pass


_LayoutLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag not in (_BOOL_TAG, _INT_TAG, _FLOAT_TAG)]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_LayoutLoader.add_implicit_resolver(
    _BOOL_TAG, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)
_LayoutLoader.add_implicit_resolver(
    _INT_TAG, re.compile(r"^(?:[-+]?(?:0|[1-9][0-9_]*)|0x[0-9a-fA-F_]+)$"), list("-+0123456789")
)
_LayoutLoader.add_implicit_resolver(
    _FLOAT_TAG, re.compile(r"^[-+]?(?:[0-9][0-9_]*)?\.[0-9_]+(?:[eE][-+]?[0-9]+)?$"), list("-+.0123456789")
)


def _construct_mapping(loader: _LayoutLoader, node: yaml.MappingNode) -> SourceMapping:
    mapping = SourceMapping()
    # Keys written in this mapping (not merged in with <<) must be unique; an explicit key may
    # still override a merged one, as YAML intends.
    written: dict[Any, int] = {}
    for key_node, _value_node in node.value:
        if key_node.tag == _MERGE_TAG:
            continue
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, str | int | float | bool) and key is not None:
            continue  # reported as a key of the wrong type by the reader of the mapping
        if key in written:
            mapping.duplicates.append((key, key_node.start_mark.line + 1))
        written[key] = key_node.start_mark.line + 1
    loader.flatten_mapping(node)
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        try:
            hash(key)
        except TypeError:
            key = repr(key)
        mapping[key] = loader.construct_object(value_node, deep=True)
    return mapping


_LayoutLoader.add_constructor(_MAP_TAG, _construct_mapping)


class YamlSyntaxError(Exception):
    """The file is not valid YAML; ``line`` is 1-based, 0 when unknown."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


def read_yaml(path: Path) -> Any:
    """Parse one YAML document; raises OSError when unreadable and YamlSyntaxError when malformed."""
    text = path.read_text(encoding="utf-8")
    try:
        return yaml.load(text, Loader=_LayoutLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark else 0
        reason = " ".join(part for part in (error.context, error.problem) if part)
        raise YamlSyntaxError(line, reason or str(error)) from error
    except yaml.YAMLError as error:
        raise YamlSyntaxError(0, str(error)) from error
