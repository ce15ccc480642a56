"""Whatever a layout file holds, checking it reports problems and never crashes."""

from __future__ import annotations

import copy
import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from layout.loader import LayoutError, Problem, check_layout, load_layout
from layout.model import Layout

EXAMPLE_SITE = Path(__file__).resolve().parents[2] / "layout" / "examples" / "sites" / "devzone.yaml"

JUNK = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-3, max_value=70000),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
    st.text(max_size=6),
    st.sampled_from(["w1", "enterprise", "A", "08:30", "network", "general", "2024-07-01"]),
    st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2040, 1, 1)),
    st.lists(st.one_of(st.integers(0, 9), st.text(max_size=3)), max_size=3),
    st.dictionaries(st.sampled_from(["id", "name", "type", "queue", "x"]), st.text(max_size=3), max_size=3),
)


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix] if prefix else []
    if isinstance(value, dict):
        for key, item in value.items():
            found += _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += _paths(item, (*prefix, index))
    return found


SITE = yaml.safe_load(EXAMPLE_SITE.read_text(encoding="utf-8"))
PATHS = _paths(SITE)


def _mutate(site: dict[str, Any], path: tuple[Any, ...], junk: Any, delete: bool) -> None:
    parent: Any = site
    for key in path[:-1]:
        parent = parent[key]
    if delete:
        del parent[path[-1]]
    else:
        parent[path[-1]] = junk


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    changes=st.lists(st.tuples(st.sampled_from(PATHS), JUNK, st.booleans()), min_size=1, max_size=3),
)
def test_a_mangled_site_gives_problems_or_a_layout_but_never_an_exception(
    tmp_path_factory: pytest.TempPathFactory, changes: list[tuple[tuple[Any, ...], Any, bool]]
) -> None:
    site = copy.deepcopy(SITE)
    for path, junk, delete in changes:
        try:
            _mutate(site, path, junk, delete)
        except (KeyError, IndexError, TypeError):
            continue  # an earlier change removed or replaced this part of the tree
    file = tmp_path_factory.mktemp("mangled") / "layout.yaml"
    file.write_text(yaml.safe_dump({"sites": [site]}, allow_unicode=True), encoding="utf-8")

    problems = check_layout(file)

    assert all(isinstance(problem, Problem) and problem.path and problem.message for problem in problems)
    if problems:
        with pytest.raises(LayoutError):
            load_layout(file)
    else:
        assert isinstance(load_layout(file), Layout)
