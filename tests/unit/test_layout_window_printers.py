"""A window's receipt printer (windows[].printer) for its documents: read as written, checked like a kiosk's."""

from __future__ import annotations

from pathlib import Path

from layout.loader import load_layout
from tests.unit.test_layout_rules import only_problem, problems_of, valid_site


def test_a_window_printer_is_read_and_a_window_without_one_has_none(tmp_path: Path) -> None:
    site = valid_site()
    assert problems_of(tmp_path, site) == []
    assert load_layout(tmp_path / "layout.yaml").site("hall").windows[0].printer is None
    site["windows"][0]["printer"] = {"type": "network", "host": "10.0.0.31", "paper_mm": 80}
    assert problems_of(tmp_path, site) == []
    printer = load_layout(tmp_path / "layout.yaml").site("hall").windows[0].printer
    assert (printer.type, printer.host, printer.port) == ("network", "10.0.0.31", 9100)


def test_an_agent_or_an_incomplete_window_printer_is_refused(tmp_path: Path) -> None:
    site = valid_site()
    window = site["windows"][0]["id"]
    site["windows"][0]["printer"] = {"type": "agent"}
    problem = only_problem(problems_of(tmp_path, site))
    assert f"window '{window}'" in str(problem) and "print agent" in str(problem)
    site["windows"][0]["printer"] = {"type": "network"}
    assert "needs 'host'" in str(only_problem(problems_of(tmp_path, site)))
