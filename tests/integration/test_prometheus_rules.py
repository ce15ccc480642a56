"""deploy/prometheus/yichuang-rules.yml: every alert reads series that /metrics really serves, and the printer
alerts match exactly the states in which a ticket cannot come out — a healthy printer reports ``online``,
so the old idea ``yichuang_printer_state{state!="ok"}`` would have fired all day. With promtool present
(``apt-get install prometheus``, or HALL_PROMTOOL=/path/to/promtool) the file is also checked by promtool
and the alerts' unit tests in yichuang-rules.test.yml are run."""

from __future__ import annotations

import os
import re
import shutil
import subprocess

import pytest
import yaml

from kiosk.printing.status_query import CANNOT_PRINT, STATE_NAMES
from tests.support.live_server import ROOT

RULES = ROOT / "deploy" / "prometheus" / "yichuang-rules.yml"
RULE_TESTS = ROOT / "deploy" / "prometheus" / "yichuang-rules.test.yml"
PROMETHEUS_OWN_SERIES = {"up"}  # written by Prometheus for every scrape, not by the server
SELECTOR = re.compile(r"(yichuang_printer_state)\{([^}]*)\}")
MATCHER = re.compile(r'(\w+)\s*(=~|!~|!=|=)\s*"([^"]*)"')


@pytest.fixture
def database_url(tmp_path):
    return f"sqlite:///{tmp_path / 'hall.db'}"


def alerts() -> list[dict]:
    document = yaml.safe_load(RULES.read_text(encoding="utf-8"))
    return [rule for group in document["groups"] for rule in group["rules"]]


def served_series(metrics_text: str) -> set[str]:
    """Series names /metrics declares (a histogram declares its _bucket, _sum and _count)."""
    names = set()
    for line in metrics_text.splitlines():
        if line.startswith("# TYPE "):
            _, _, name, kind = line.split()
            names |= {f"{name}_bucket", f"{name}_sum", f"{name}_count"} if kind == "histogram" else {name}
    return names


def selects(matchers: str, labels: dict[str, str]) -> bool:
    """Whether a PromQL label matcher list such as ``state=~"a|b",site="x"`` selects ``labels``."""
    for name, operator, value in MATCHER.findall(matchers):
        actual = labels.get(name, "")
        matched = {"=": actual == value, "!=": actual != value,
                   "=~": re.fullmatch(value, actual) is not None,
                   "!~": re.fullmatch(value, actual) is None}[operator]
        if not matched:
            return False
    return True


def printer_states_selected(expression: str) -> set[str]:
    selected = set()
    for _name, matchers in SELECTOR.findall(expression):
        selected |= {state for state in STATE_NAMES if selects(matchers, {"state": state})}
    return selected


def test_every_alert_is_complete_and_says_it_in_chinese_first():
    rules = alerts()
    assert len(rules) >= 5
    names = [rule["alert"] for rule in rules]
    assert len(set(names)) == len(names)
    for rule in rules:
        assert rule["expr"].strip() and rule["labels"]["severity"] in ("critical", "warning", "info"), rule
        chinese, _, english = rule["annotations"]["summary"].partition(" / ")
        assert re.search(r"[\u4e00-\u9fff]", chinese) and english.isascii(), f"{rule['alert']}: 中文 / English"
        assert rule["annotations"]["description"].strip()


def test_every_series_an_alert_reads_is_served_by_metrics(client):
    response = client.get("/metrics")
    assert response.status_code == 200
    served = served_series(response.text) | PROMETHEUS_OWN_SERIES
    assert {"yichuang_printer_state", "yichuang_wait_seconds_bucket", "yichuang_outcomes_total",
            "yichuang_service_seconds_bucket"} <= served
    for rule in alerts():
        used = set(re.findall(r"\b(yichuang_[a-z_]+)", rule["expr"])) | set(re.findall(r"\b(up)\{", rule["expr"]))
        assert used, rule["expr"]
        assert used <= served, f"{rule['alert']} reads series /metrics does not serve: {used - served}"


def test_the_printer_alerts_fire_only_for_states_that_stop_printing():
    by_name = {rule["alert"]: rule for rule in alerts()}
    assert printer_states_selected(by_name["YichuangPrinterCannotPrint"]["expr"]) == set(CANNOT_PRINT)
    assert printer_states_selected(by_name["YichuangPrinterPaperLow"]["expr"]) == {"paper_low"}
    for rule in alerts():
        assert "online" not in printer_states_selected(rule["expr"]), f"{rule['alert']} fires for a healthy printer"


def test_the_alert_the_docs_used_to_suggest_would_fire_for_a_healthy_printer():
    assert printer_states_selected('yichuang_printer_state{state!="ok"}') == set(STATE_NAMES)
    assert "online" in STATE_NAMES and "ok" not in STATE_NAMES


def promtool() -> str:
    found = os.environ.get("HALL_PROMTOOL") or shutil.which("promtool")
    if not found:
        pytest.skip("promtool is not installed (Debian: apt-get install prometheus)")
    return found


@pytest.mark.parametrize("command", [["check", "rules", str(RULES)], ["test", "rules", str(RULE_TESTS)]],
                         ids=["check", "unit-tests"])
def test_promtool_accepts_the_rules_and_their_unit_tests(command):
    result = subprocess.run([promtool(), *command], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "SUCCESS" in result.stdout
