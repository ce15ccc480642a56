"""Layout keys of hall management: a queue's promised wait and alert threshold, a window's may_serve."""

from __future__ import annotations

from pathlib import Path

from layout.loader import load_layout
from tests.unit.test_layout_rules import only_problem, problems_after, problems_of, valid_site


def test_a_queue_promises_thirty_minutes_unless_the_layout_says_otherwise(tmp_path: Path) -> None:
    site = valid_site()
    site["queues"][1]["target_minutes"] = 15
    site["queues"][1]["alert_waiting"] = 20
    site["windows"][0]["may_serve"] = ["general"]
    assert problems_of(tmp_path, site) == []
    loaded = load_layout(tmp_path / "layout.yaml").site("hall")
    business, general = loaded.queues
    assert (business.target_minutes, business.alert_waiting) == (30, None)
    assert (general.target_minutes, general.alert_waiting) == (15, 20)
    assert loaded.windows[0].may_serve == ("general",)


def test_a_target_of_no_minutes_and_an_alert_at_no_one_waiting_are_refused(tmp_path: Path) -> None:
    def change(site):
        site["queues"][0]["target_minutes"] = 0

    problem = only_problem(problems_after(tmp_path, change))
    assert problem.path == "sites[0].queues[0].target_minutes" and "1 to 600" in problem.message

    def alert(site):
        site["queues"][0]["alert_waiting"] = 0

    assert only_problem(problems_after(tmp_path, alert)).path == "sites[0].queues[0].alert_waiting"


def test_may_serve_names_queues_of_the_site(tmp_path: Path) -> None:
    def change(site):
        site["windows"][0]["may_serve"] = ["genral"]

    problem = only_problem(problems_after(tmp_path, change))
    assert problem.path == "sites[0].windows[0].may_serve[0]" and "did you mean 'general'" in problem.message
