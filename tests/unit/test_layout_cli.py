"""``flask layout check PATH``."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskCliRunner

from layout.cli import register_layout_cli
from layout.loader import load_layout

EXAMPLES = Path(__file__).resolve().parents[2] / "layout" / "examples"


@pytest.fixture
def runner() -> FlaskCliRunner:
    app = Flask(__name__)
    register_layout_cli(app)
    return app.test_cli_runner()


def test_checking_the_example_prints_the_counts_and_exits_zero(runner: FlaskCliRunner) -> None:
    result = runner.invoke(args=["layout", "check", str(EXAMPLES / "county.yaml")])
    assert result.exit_code == 0, result.output
    layout = load_layout(EXAMPLES / "county.yaml")
    services = sum(len(site.services) for site in layout.sites)
    windows = sum(len(site.windows) for site in layout.sites)
    assert result.stdout == f"OK: 5 sites, {services} services, {windows} windows\n"
    assert result.stderr == ""


def test_checking_a_broken_file_prints_every_problem_to_stderr_and_exits_one(runner: FlaskCliRunner) -> None:
    file = EXAMPLES / "bad" / "three-problems.yaml"
    result = runner.invoke(args=["layout", "check", str(file)])
    assert result.exit_code == 1
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 3
    assert all(line.startswith(f"{file}: sites[0].") for line in lines)


def test_checking_a_missing_file_exits_one_and_says_why(runner: FlaskCliRunner, tmp_path: Path) -> None:
    result = runner.invoke(args=["layout", "check", str(tmp_path / "nowhere.yaml")])
    assert result.exit_code == 1
    assert "cannot read file" in result.stderr
