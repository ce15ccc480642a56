"""HALL_SECRET_KEY signs the clerks' tokens: a placeholder or a short key from the environment is refused at
start, so nobody can forge an admin token with the value printed in deploy/yichuang.env.example. Without
the variable (the demo) a random key is kept in instance/."""

from __future__ import annotations

import re
import secrets
from pathlib import Path

import pytest

from server.config import from_environment

ROOT = Path(__file__).resolve().parents[2]


def example_value(name: str) -> str:
    text = (ROOT / "deploy" / "yichuang.env.example").read_text(encoding="utf-8")
    return re.search(rf"^{name}=(.*)$", text, re.MULTILINE).group(1)


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch):
    for name in ("HALL_SECRET_KEY", "HALL_AGENT_TOKEN", "HALL_MAX_CONTENT_LENGTH"):
        monkeypatch.delenv(name, raising=False)


@pytest.mark.parametrize(
    "key",
    [
        example_value("HALL_SECRET_KEY"),
        "CHANGE-ME-LONG-RANDOM-STRING",
        "change-me-" + "x" * 40,  # long enough, still the placeholder
        "x" * 30 + "CHANGE_ME" + "y" * 20,
        "s3cret",
        "a" * 31,
        "密钥" * 5,  # 30 bytes in UTF-8
    ],
)
def test_a_placeholder_or_short_secret_key_is_refused_with_how_to_make_one(monkeypatch, tmp_path, key):
    monkeypatch.setenv("HALL_SECRET_KEY", key)
    with pytest.raises(ValueError) as refused:
        from_environment(tmp_path)
    message = str(refused.value)
    assert "HALL_SECRET_KEY" in message
    assert "python3 -c 'import secrets; print(secrets.token_urlsafe(48))'" in message
    assert key not in message, "the refused key is not written to the log"


def test_a_long_random_key_is_accepted_as_it_is(monkeypatch, tmp_path):
    key = secrets.token_urlsafe(48)
    monkeypatch.setenv("HALL_SECRET_KEY", key)
    assert from_environment(tmp_path)["SECRET_KEY"] == key
    assert not (tmp_path / "secret_key").exists()


def test_a_key_of_exactly_32_bytes_is_enough(monkeypatch, tmp_path):
    monkeypatch.setenv("HALL_SECRET_KEY", "k" * 16 + secrets.token_hex(8))
    assert len(from_environment(tmp_path)["SECRET_KEY"]) == 32


def test_without_a_configured_key_the_demo_keeps_a_generated_one_in_instance(tmp_path):
    first = from_environment(tmp_path)["SECRET_KEY"]
    assert len(first) >= 48
    assert (tmp_path / "secret_key").read_text() == first
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600
    assert from_environment(tmp_path)["SECRET_KEY"] == first, "tokens survive a restart of the demo"


def test_the_placeholder_agent_token_is_refused(monkeypatch, tmp_path):
    # Any HALL_AGENT_TOKEN is refused now (each kiosk has its own token: test_agent_tokens.py).
    monkeypatch.setenv("HALL_AGENT_TOKEN", "CHANGE-ME-ANOTHER-RANDOM-STRING")
    with pytest.raises(ValueError, match="HALL_AGENT_TOKEN"):
        from_environment(tmp_path)


def test_the_app_does_not_start_with_the_example_key(monkeypatch, tmp_path):
    from server import create_app

    monkeypatch.setenv("HALL_SECRET_KEY", example_value("HALL_SECRET_KEY"))
    monkeypatch.setenv("HALL_DATABASE_URL", f"sqlite:///{tmp_path / 'hall.db'}")
    with pytest.raises(ValueError, match="HALL_SECRET_KEY"):
        create_app({"TESTING": True})
