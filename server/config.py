"""Configuration from the environment (HALL_*), with defaults that serve the demo hall."""

from __future__ import annotations

import ipaddress
import os
import secrets
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_LAYOUT = ROOT / "layout" / "examples" / "county.yaml"
ASYNC_MODES = ("threading", "gevent")


def _flag(value: str | None) -> bool:
    return (value or "").strip().lower() in {"1", "true", "yes", "on"}


def _secret_key(instance_path: Path) -> str:
    """A configured key, or one kept in instance/ so tokens survive a restart of the demo."""
    configured = os.environ.get("HALL_SECRET_KEY")
    if configured:
        return configured
    key_file = instance_path / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    key = secrets.token_urlsafe(48)
    key_file.write_text(key)
    key_file.chmod(0o600)
    return key


def _networks(value: str) -> tuple:
    try:
        return tuple(ipaddress.ip_network(part.strip(), strict=False) for part in value.split(",") if part.strip())
    except ValueError as exc:
        raise ValueError(f"HALL_RATE_LIMIT_EXEMPT: {exc}") from exc


def from_environment(instance_path: Path) -> dict:
    instance_path.mkdir(parents=True, exist_ok=True)
    async_mode = os.environ.get("HALL_ASYNC_MODE", "threading")
    if async_mode not in ASYNC_MODES:
        raise ValueError(f"HALL_ASYNC_MODE must be one of {ASYNC_MODES}, not {async_mode!r}")
    return {
        "DATABASE_URL": os.environ.get("HALL_DATABASE_URL") or f"sqlite:///{instance_path / 'hall.db'}",
        "LAYOUT": os.environ.get("HALL_LAYOUT") or str(DEFAULT_LAYOUT),
        "REDIS_URL": os.environ.get("HALL_REDIS_URL") or None,
        "SECRET_KEY": _secret_key(instance_path),
        "IGNORE_HOURS": _flag(os.environ.get("HALL_IGNORE_HOURS")),
        "ISSUE_RATE_LIMIT": os.environ.get("HALL_ISSUE_RATE_LIMIT", "30/minute"),
        "ASYNC_MODE": async_mode,
        "TOKEN_MAX_AGE": int(os.environ.get("HALL_TOKEN_MAX_AGE", str(12 * 3600))),
        "PUBLIC_URL": os.environ.get("HALL_PUBLIC_URL") or None,
        "PRINTER_POLL_SECONDS": float(os.environ.get("HALL_PRINTER_POLL_SECONDS", "10")),
        "PRINT_ACK_SECONDS": float(os.environ.get("HALL_PRINT_ACK_SECONDS", "20")),
        "AGENT_TOKEN": os.environ.get("HALL_AGENT_TOKEN") or None,
        # Kiosks issue every ticket of their hall from one address: these addresses/networks are not limited.
        "RATE_LIMIT_EXEMPT": _networks(os.environ.get("HALL_RATE_LIMIT_EXEMPT", "")),
        # Behind nginx: how many proxies set X-Forwarded-For/-Proto, so the rate limit counts kiosks, not nginx.
        "PROXY_HOPS": int(os.environ.get("HALL_PROXY_HOPS", "0")),
    }
