"""Who takes tickets at POST /sites/<site>/tickets, and how a kiosk retries without a phantom ticket.

Tickets are for kiosks: a kiosk proves it is one with its device token in ``X-Kiosk-Token`` (its page reads
it from its address, ``/kiosk/<site>/<kiosk>#token=…``; server/device_tokens.py) and names itself in the
body's ``kiosk``; such requests are not rate-limited. Anyone else is held to ``HALL_ISSUE_RATE_LIMIT`` per
address (a few per hour by default), unless the address is in ``HALL_RATE_LIMIT_EXEMPT``. A wrong token is
refused (401 ``invalid_token``), never taken for an anonymous request.

``Idempotency-Key`` (16 to 100 of ``A-Z a-z 0-9 . _ : -``) makes a retry safe: the first request with a key
makes the ticket (201); every later one with the same key, from the same kiosk (or, without a token, the same
address), answers that ticket (200, header ``Idempotent-Replayed: true``) and makes none.
"""

from __future__ import annotations

import hashlib
import re

from flask import request

from server.device_tokens import require_token
from server.domain.errors import BadRequest, DomainError

KIOSK_TOKEN_HEADER = "X-Kiosk-Token"
IDEMPOTENCY_HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
_KEY_PATTERN = re.compile(r"^[A-Za-z0-9._:-]{16,100}$")


def issuing_kiosk(site_id: str) -> str | None:
    """The kiosk whose token the request carries (checked); None for a request without one."""
    presented = request.headers.get(KIOSK_TOKEN_HEADER)
    if presented is None:
        return None
    body = request.get_json(silent=True)
    kiosk = body.get("kiosk") if isinstance(body, dict) else None
    if not isinstance(kiosk, str):
        raise BadRequest("kiosk_required", f"带 {KIOSK_TOKEN_HEADER} 的取号请求须写明 kiosk / a request with "
                                           f"{KIOSK_TOKEN_HEADER} names its kiosk in 'kiosk'")
    require_token(site_id, "kiosk", kiosk, presented)
    return kiosk


def from_a_kiosk() -> bool:
    """For the rate limit, which asks before the view runs: a request carrying a valid kiosk token."""
    try:
        return issuing_kiosk((request.view_args or {}).get("site_id", "")) is not None
    except DomainError:
        return False  # refused by the view, after being counted


def idempotency_key(kiosk: str | None) -> str | None:
    """The request's key, scoped to its kiosk or, without one, its address: none replays another's ticket."""
    key = request.headers.get(IDEMPOTENCY_HEADER)
    if key is None:
        return None
    if not _KEY_PATTERN.match(key):
        raise BadRequest("invalid_idempotency_key",
                         f"{IDEMPOTENCY_HEADER} 应为 16 至 100 个字母、数字或 . _ : - / "
                         f"{IDEMPOTENCY_HEADER} must be 16 to 100 letters, digits or . _ : -")
    scope = f"kiosk:{kiosk}" if kiosk is not None else f"address:{request.remote_addr}"
    return hashlib.sha256(f"{scope}\n{key}".encode()).hexdigest()  # fits the column whatever the kiosk id
