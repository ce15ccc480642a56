"""The app factory honours the configuration it is given, and without one it serves the shipped county."""

from __future__ import annotations

from server.app import create_app, stop
from server.wiring import hall
from tests.conftest import make_app
from tests.support.small_hall import small_hall


def test_the_test_configuration_is_honoured(tmp_path):
    url = f"sqlite:///{tmp_path / 'given.db'}"
    app = make_app(url, ISSUE_RATE_LIMIT="7/minute", TOKEN_MAX_AGE=60)
    try:
        assert app.testing and app.config["ASYNC_MODE"] == "threading"
        assert app.config["ISSUE_RATE_LIMIT"] == "7/minute" and app.config["TOKEN_MAX_AGE"] == 60
        assert hall(app).db.url == url and (tmp_path / "given.db").exists()
        assert hall(app).layout.source == small_hall().source
    finally:
        stop(app)


def test_without_a_test_configuration_the_app_serves_the_county_and_is_not_testing(tmp_path, monkeypatch):
    monkeypatch.setenv("HALL_DATABASE_URL", f"sqlite:///{tmp_path / 'default.db'}")
    monkeypatch.delenv("HALL_LAYOUT", raising=False)
    app = create_app()
    try:
        assert not app.testing
        assert {site.id for site in hall(app).layout.sites} >= {"county"}
    finally:
        stop(app)


def test_a_cli_runner_drives_the_test_app(runner):
    result = runner.invoke(args=["db", "upgrade"])
    assert result.exit_code == 0 and "database schema at revision" in result.output
