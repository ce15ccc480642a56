"""Layout keys of the day and the floors: how long a missed ticket may be put back in line, and a floor's
English name for the ticket and the kiosk."""

from __future__ import annotations

from pathlib import Path

from layout.loader import load_layout
from tests.unit.test_layout_rules import only_problem, problems_after, problems_of, valid_site


def test_a_missed_ticket_may_be_put_back_in_line_for_thirty_minutes_unless_the_layout_says_otherwise(
        tmp_path: Path) -> None:
    site = valid_site()
    assert problems_of(tmp_path, site) == []
    assert load_layout(tmp_path / "layout.yaml").site("hall").requeue_minutes == 30
    site["requeue_minutes"] = 10
    site["floors"].append({"id": "f3", "name": "三楼", "name_en": "3rd floor"})
    assert problems_of(tmp_path, site) == []
    loaded = load_layout(tmp_path / "layout.yaml").site("hall")
    assert loaded.requeue_minutes == 10 and loaded.floor("f3").name_en == "3rd floor"


def test_negative_requeue_minutes_are_refused(tmp_path: Path) -> None:
    def change(site):
        site["requeue_minutes"] = -5

    problem = only_problem(problems_after(tmp_path, change))
    assert problem.path == "sites[0].requeue_minutes" and "must not be negative" in problem.message
