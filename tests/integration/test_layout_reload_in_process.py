"""server.layout_reload in one process: a refused file changes nothing, a valid one switches the context and
the services together, and a reload says what only a restart applies."""

from __future__ import annotations

import pytest

from server.app import stop
from server.layout_reload import fingerprint, reloader
from server.wiring import hall
from tests.conftest import make_app
from tests.support.live_server import ROOT

ORIGINAL = (ROOT / "tests" / "perf" / "big_hall.yaml").read_text(encoding="utf-8")
KIOSK = "  - id: k1\n    name: 1号取号机\n    zone: west\n"


@pytest.fixture
def hall_on_file(tmp_path):
    layout = tmp_path / "layout.yaml"
    layout.write_text(ORIGINAL, encoding="utf-8")
    app = make_app(f"sqlite:///{tmp_path / 'hall.db'}", LAYOUT_OBJECT=None, LAYOUT=str(layout))
    yield app, layout
    stop(app)


def test_a_refused_file_leaves_the_running_layout_and_reports_every_problem(hall_on_file, caplog):
    app, layout = hall_on_file
    running = hall(app).layout
    broken = ORIGINAL.replace("prefix: A", "prefix: 'A B'", 1).replace("kind: subject", "kind: x", 1)
    layout.write_text(broken, encoding="utf-8")
    result = reloader(app).reload()
    assert not result.ok and not result.changed and len(result.problems) == 2, result.problems
    assert all(problem.startswith(f"{layout}: sites[0].queues[0].") for problem in result.problems)
    assert hall(app).layout is running and hall(app).context.layout is running
    assert result.fingerprint == fingerprint(running)
    assert "the running layout stays" in caplog.text
    assert app.test_client().get("/healthz").get_json()["layout"]["last_reload"]["ok"] is False


def test_a_valid_file_switches_the_context_and_the_services_at_once(hall_on_file):
    app, layout = hall_on_file
    layout.write_text(ORIGINAL.replace("name: 1号窗口\n", "name: 一号窗口\n", 1), encoding="utf-8")
    result = reloader(app).reload()
    assert result.ok and result.changed and result.restart_needed == ()
    assert hall(app).layout is hall(app).context.layout
    assert hall(app).site("big").window("w1").name == "一号窗口"
    assert app.test_client().get("/api/v1/sites/big/layout").get_json()["windows"][0]["name"] == "一号窗口"
    again = reloader(app).reload()
    assert again.ok and not again.changed and again.fingerprint == result.fingerprint


def test_a_reload_that_changes_a_kiosk_printer_says_it_needs_a_restart(hall_on_file):
    app, layout = hall_on_file
    assert KIOSK in ORIGINAL
    layout.write_text(ORIGINAL.replace(KIOSK, KIOSK + "    printer: {type: agent, paper_mm: 58}\n", 1),
                      encoding="utf-8")
    result = reloader(app).reload()
    assert result.ok and result.changed
    assert len(result.restart_needed) == 1 and result.restart_needed[0].startswith("kiosk big/k1: ")


def test_a_reload_that_would_strand_todays_tickets_or_an_open_window_is_refused(hall_on_file):
    import re

    from tests.conftest import create_staff

    app, layout = hall_on_file
    client = app.test_client()
    assert client.post("/api/v1/sites/big/tickets", json={"service": "s0-1"}).status_code == 201  # A001, in q0
    running = hall(app).layout

    layout.write_text(re.sub(r"\bq0\b", "qa", ORIGINAL), encoding="utf-8")  # q0 renamed: same prefix A
    renamed = reloader(app).reload()
    assert not renamed.ok and hall(app).layout is running
    assert any("queue q0 is removed but 1 of today's tickets wait" in p for p in renamed.problems), renamed.problems
    assert any("takes the prefix A of the removed queue q0" in p for p in renamed.problems), renamed.problems

    clerk = create_staff(app)
    assert client.post("/api/v1/sites/big/windows/w100/open", headers=clerk).status_code == 200
    without_w100 = ORIGINAL[:ORIGINAL.index("  - id: w100\n")] + ORIGINAL[ORIGINAL.index("  priority:\n"):]
    layout.write_text(without_w100, encoding="utf-8")
    removed = reloader(app).reload()
    assert not removed.ok and removed.problems == ("big: window w100 is removed but is open today: finish its "
                                                   "ticket and close it first",)
    assert client.post("/api/v1/sites/big/windows/w100/close", headers=clerk).status_code == 200
    assert reloader(app).reload().ok and hall(app).site("big").window("w100") is None
