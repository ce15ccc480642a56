"""A window's kind and the kinds of the queues it serves agree: a window's own queues are of its kind, and
only subject and general windows help each other through ``overflow`` (the reform's elastic help); pickup
(综合出件) and consult (综合咨询) windows and queues never mix with the others."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from layout.loader import check_layout, load_layout
from tests.unit.test_layout_rules import only_problem, problems_after

ROOT = Path(__file__).resolve().parents[2]
KINDS = ("subject", "general", "pickup", "consult")


def with_queue_and_window(queue_kind: str, window_kind: str, *, overflow: bool = False) -> Callable:
    """Adds a queue of ``queue_kind`` (served by a window of its own kind, so it is never unserved) and a
    window of ``window_kind`` that serves it, in ``queues`` or in ``overflow``."""

    def change(site: dict[str, Any]) -> None:
        site["queues"].append({"id": "extra", "name": "测试队列", "prefix": "X", "kind": queue_kind})
        site["windows"].append({"id": "w8", "number": 8, "name": "8号窗口", "zone": "accept",
                                "kind": queue_kind, "queues": ["extra"]})
        window = {"id": "w9", "number": 9, "name": "9号窗口", "zone": "accept", "kind": window_kind}
        if overflow:
            own = {"subject": "business", "general": "general"}.get(window_kind)
            if own is None:  # a pickup or consult window needs a queue of its own kind first
                site["queues"].append({"id": "own", "name": "本窗口队列", "prefix": "Y", "kind": window_kind})
                own = "own"
            window.update(queues=[own], overflow=[{"queue": "extra", "after_minutes": 20}])
        else:
            window["queues"] = ["extra"]
        site["windows"].append(window)

    return change


@pytest.mark.parametrize("kind", KINDS)
def test_a_window_serving_queues_of_its_own_kind_is_fine(tmp_path: Path, kind: str) -> None:
    assert problems_after(tmp_path, with_queue_and_window(kind, kind)) == []


@pytest.mark.parametrize(
    ("queue_kind", "window_kind"), [(queue, window) for queue in KINDS for window in KINDS if queue != window]
)
def test_a_window_whose_own_queue_is_of_another_kind_is_refused(
    tmp_path: Path, queue_kind: str, window_kind: str
) -> None:
    problem = only_problem(problems_after(tmp_path, with_queue_and_window(queue_kind, window_kind)))
    assert problem.path == "sites[0].windows[3].queues[0]"
    assert f"window 'w9' is a {window_kind} window" in problem.message
    assert f"queue 'extra' is a {queue_kind} queue" in problem.message


def test_a_pickup_window_serving_a_subject_queue_says_what_pickup_windows_serve(tmp_path: Path) -> None:
    problem = only_problem(problems_after(tmp_path, with_queue_and_window("subject", "pickup")))
    assert "综合出件" in problem.message
    assert "a pickup window serves only pickup queues" in problem.message


def test_a_subject_window_listing_a_general_queue_as_its_own_is_told_about_overflow(tmp_path: Path) -> None:
    problem = only_problem(problems_after(tmp_path, with_queue_and_window("general", "subject")))
    assert "overflow" in problem.message


@pytest.mark.parametrize(("queue_kind", "window_kind"), [("subject", "general"), ("general", "subject")])
def test_subject_and_general_windows_may_help_each_other_through_overflow(
    tmp_path: Path, queue_kind: str, window_kind: str
) -> None:
    assert problems_after(tmp_path, with_queue_and_window(queue_kind, window_kind, overflow=True)) == []


@pytest.mark.parametrize(
    ("queue_kind", "window_kind"),
    [("pickup", "subject"), ("pickup", "general"), ("subject", "pickup"), ("consult", "general"),
     ("general", "consult"), ("pickup", "consult")],
)
def test_overflow_never_crosses_into_or_out_of_pickup_and_consult(
    tmp_path: Path, queue_kind: str, window_kind: str
) -> None:
    problem = only_problem(
        problems_after(tmp_path, with_queue_and_window(queue_kind, window_kind, overflow=True))
    )
    assert problem.path == "sites[0].windows[3].overflow[0].queue"
    assert f"window 'w9' is a {window_kind} window" in problem.message
    assert f"queue 'extra' is a {queue_kind} queue" in problem.message


def with_may_serve(queue_kind: str, window_kind: str) -> Callable:
    """Like ``with_queue_and_window``, the extra queue offered to w9 through ``may_serve`` (a manager's pick)."""
    add = with_queue_and_window(queue_kind, window_kind, overflow=True)

    def change(site: dict[str, Any]) -> None:
        add(site)
        window = site["windows"][-1]
        window["may_serve"] = [window.pop("overflow")[0]["queue"]]

    return change


@pytest.mark.parametrize(("queue_kind", "window_kind"), [("subject", "general"), ("general", "subject")])
def test_a_manager_may_lend_subject_and_general_windows_to_each_other(
    tmp_path: Path, queue_kind: str, window_kind: str
) -> None:
    assert problems_after(tmp_path, with_may_serve(queue_kind, window_kind)) == []


@pytest.mark.parametrize(("queue_kind", "window_kind"), [("subject", "pickup"), ("pickup", "general"),
                                                         ("consult", "subject")])
def test_may_serve_follows_the_overflow_rule(tmp_path: Path, queue_kind: str, window_kind: str) -> None:
    problem = only_problem(problems_after(tmp_path, with_may_serve(queue_kind, window_kind)))
    assert problem.path == "sites[0].windows[3].may_serve[0]"
    assert f"window 'w9' is a {window_kind} window" in problem.message


def test_the_shipped_layouts_keep_their_window_kinds_consistent() -> None:
    for path in ("layout/examples/county.yaml", "tests/perf/big_hall.yaml", "tests/support/layouts/agent_hall.yaml"):
        assert check_layout(ROOT / path) == [], path
        assert load_layout(ROOT / path).sites


def test_the_small_hall_built_in_code_follows_the_rule() -> None:
    from tests.support.small_hall import small_hall

    for site in small_hall().sites:
        kinds = {queue.id: queue.kind for queue in site.queues}
        for window in site.windows:
            assert all(kinds[queue] == window.kind for queue in window.queues), window.id
