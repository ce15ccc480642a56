"""Configuration from the environment (HALL_*), with defaults that serve the demo hall."""

from __future__ import annotations

import ipaddress
import os
import secrets
from pathlib import Path

from server.device_tokens import read_tokens, tokens_file

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_LAYOUT = ROOT / "layout" / "examples" / "county.yaml"
ASYNC_MODES = ("threading", "gevent")


def _flag(value: str | None) -> bool:
    return (value or "").strip().lower() in {"1", "true", "yes", "on"}


ENV_EXAMPLE = ROOT / "deploy" / "yichuang.env.example"
MIN_SECRET_KEY_BYTES = 32
DEFAULT_MAX_CONTENT_LENGTH = 64 * 1024
DEFAULT_ISSUE_RATE_LIMIT = "5/hour"
MAKE_A_KEY = "python3 -c 'import secrets; print(secrets.token_urlsafe(48))'"


def _example_value(name: str) -> str | None:
    """The value deploy/yichuang.env.example shows for ``name``: copied unchanged, it is known to everyone."""
    try:
        lines = ENV_EXAMPLE.read_text(encoding="utf-8").splitlines()
    except OSError:
        return None
    values = [line.split("=", 1)[1].strip() for line in lines if line.startswith(f"{name}=")]
    return values[-1] if values else None


def _is_placeholder(name: str, value: str) -> bool:
    folded = "".join(char for char in value.upper() if char.isalnum())
    return "CHANGEME" in folded or value.strip() == _example_value(name)


def _secret_key(instance_path: Path) -> str:
    """A configured key, or one kept in instance/ so tokens survive a restart of the demo.

    A configured key signs every clerk's and admin's token: a placeholder (the example's value, anything
    with CHANGE-ME) or a key under 32 bytes would let anyone who guesses it forge an admin token, so the
    server refuses to start with one."""
    configured = os.environ.get("HALL_SECRET_KEY")
    if configured:
        if _is_placeholder("HALL_SECRET_KEY", configured):
            raise ValueError(
                "HALL_SECRET_KEY 仍是示例中的占位值，请生成随机密钥：" + MAKE_A_KEY
                + " / HALL_SECRET_KEY is still a placeholder (CHANGE-ME); make a random key with: " + MAKE_A_KEY)
        if len(configured.encode("utf-8")) < MIN_SECRET_KEY_BYTES:
            raise ValueError(
                f"HALL_SECRET_KEY 太短（至少 {MIN_SECRET_KEY_BYTES} 字节），请生成随机密钥：{MAKE_A_KEY}"
                f" / HALL_SECRET_KEY is shorter than {MIN_SECRET_KEY_BYTES} bytes; make a random key with: "
                f"{MAKE_A_KEY}")
        return configured
    key_file = instance_path / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    key = secrets.token_urlsafe(48)
    key_file.write_text(key)
    key_file.chmod(0o600)
    return key


def _no_shared_agent_token() -> None:
    """One token shared by every print agent let a kiosk's agent say hello as any other kiosk; each kiosk now
    has its own (server/device_tokens.py). A server still given the old setting says so rather than ignore it."""
    token = os.environ.get("HALL_AGENT_TOKEN") or None
    if token is not None:
        raise ValueError(
            "HALL_AGENT_TOKEN 已停用：每台取号机有自己的设备口令，请从环境文件中删除它，再运行 "
            "flask --app server devices tokens / HALL_AGENT_TOKEN is no longer used: each kiosk has a token of "
            "its own. Remove it from the environment file and run `flask --app server devices tokens`, which "
            "prints each print agent's AGENT_TOKEN.")


def _max_content_length() -> int:
    """The largest request body accepted, in bytes (a ticket or a window action is a few hundred)."""
    value = os.environ.get("HALL_MAX_CONTENT_LENGTH", str(DEFAULT_MAX_CONTENT_LENGTH)).strip()
    if not value.isdigit() or int(value) < 1024:
        raise ValueError(f"HALL_MAX_CONTENT_LENGTH 应为不小于 1024 的字节数 / HALL_MAX_CONTENT_LENGTH must be a whole "
                         f"number of bytes, at least 1024 (default {DEFAULT_MAX_CONTENT_LENGTH}), not {value!r}")
    return int(value)


def _networks(value: str) -> tuple:
    try:
        return tuple(ipaddress.ip_network(part.strip(), strict=False) for part in value.split(",") if part.strip())
    except ValueError as exc:
        raise ValueError(f"HALL_RATE_LIMIT_EXEMPT: {exc}") from exc


def from_environment(instance_path: Path) -> dict:
    instance_path.mkdir(parents=True, exist_ok=True)
    _no_shared_agent_token()
    async_mode = os.environ.get("HALL_ASYNC_MODE", "threading")
    if async_mode not in ASYNC_MODES:
        raise ValueError(f"HALL_ASYNC_MODE must be one of {ASYNC_MODES}, not {async_mode!r}")
    return {
        "DATABASE_URL": os.environ.get("HALL_DATABASE_URL") or f"sqlite:///{instance_path / 'hall.db'}",
        "LAYOUT": os.environ.get("HALL_LAYOUT") or str(DEFAULT_LAYOUT),
        "REDIS_URL": os.environ.get("HALL_REDIS_URL") or None,
        "SECRET_KEY": _secret_key(instance_path),
        "IGNORE_HOURS": _flag(os.environ.get("HALL_IGNORE_HOURS")),
        # Tickets per address for callers without a kiosk token (kiosks with one are not limited).
        "ISSUE_RATE_LIMIT": os.environ.get("HALL_ISSUE_RATE_LIMIT", DEFAULT_ISSUE_RATE_LIMIT),
        "ASYNC_MODE": async_mode,
        "TOKEN_MAX_AGE": int(os.environ.get("HALL_TOKEN_MAX_AGE", str(12 * 3600))),
        "PUBLIC_URL": os.environ.get("HALL_PUBLIC_URL") or None,
        "PRINTER_POLL_SECONDS": float(os.environ.get("HALL_PRINTER_POLL_SECONDS", "10")),
        "PRINT_ACK_SECONDS": float(os.environ.get("HALL_PRINT_ACK_SECONDS", "20")),
        # Each kiosk's, print agent's and screen's own token (server/device_tokens.py), from HALL_DEVICE_TOKENS.
        "DEVICE_TOKENS_FILE": str(tokens_file(instance_path)),
        "DEVICE_TOKENS": read_tokens(tokens_file(instance_path)),
        # Kiosks issue every ticket of their hall from one address: these addresses/networks are not limited.
        "RATE_LIMIT_EXEMPT": _networks(os.environ.get("HALL_RATE_LIMIT_EXEMPT", "")),
        # Behind nginx: how many proxies set X-Forwarded-For/-Proto, so the rate limit counts kiosks, not nginx.
        # How often every site's alert rules run even when nothing happens (0: never, as in tests).
        "ALERT_SECONDS": float(os.environ.get("HALL_ALERT_SECONDS", "15")),
        # How often the tokens of open staff subscriptions are checked again (server/staff_sessions.py; 0: never).
        "STAFF_RECHECK_SECONDS": float(os.environ.get("HALL_STAFF_RECHECK_SECONDS", "30")),
        "PROXY_HOPS": int(os.environ.get("HALL_PROXY_HOPS", "0")),
        # Request bodies over this are refused with 413 before they are read (server/security.py).
        "MAX_CONTENT_LENGTH": _max_content_length(),
    }
