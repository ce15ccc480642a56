"""HTTP hardening of every answer, pages and API alike: a Content-Security-Policy that lets the pages run only
the hall's own scripts and styles, no framing, no MIME sniffing, a referrer policy, and a limit on request
bodies (HALL_MAX_CONTENT_LENGTH) answered with a 413 JSON error before the body is read.

The pages load their scripts and style sheets from this origin. Their inline ``<script type="application/json">``
blocks carry configuration and are never executed, so ``script-src 'self'`` does not touch them. The few
inline ``<style>`` blocks of the templates are allowed by their SHA-256 hashes, computed from the templates
themselves, so no ``'unsafe-inline'`` is needed; a ``style="…"`` attribute or an inline script would be
blocked (tests/integration/test_security_headers.py keeps the templates free of them)."""

from __future__ import annotations

import base64
import hashlib
import logging
import re

from flask import Flask, Response, current_app, jsonify, request
from werkzeug.exceptions import RequestEntityTooLarge

log = logging.getLogger(__name__)

DEFAULT_MAX_CONTENT_LENGTH = 64 * 1024  # as server.config; a ticket or a window action is a few hundred bytes
REFERRER_POLICY = "same-origin"  # pages that need less (the phone page /t/<id>: no-referrer) set their own
_INLINE_STYLE = re.compile(r"<style(?:\s[^>]*)?>(.*?)</style>", re.DOTALL | re.IGNORECASE)
_CSP_KEY = "hall_content_security_policy"


def register(app: Flask) -> None:
    if not app.config.get("MAX_CONTENT_LENGTH"):
        app.config["MAX_CONTENT_LENGTH"] = DEFAULT_MAX_CONTENT_LENGTH
    app.before_request(_refuse_a_declared_large_body)
    app.after_request(_add_security_headers)
    app.register_error_handler(RequestEntityTooLarge, _payload_too_large)


def _refuse_a_declared_large_body() -> None:
    """A body whose Content-Length is over the limit is refused unread, whether or not the view reads it.
    A chunked body (no Content-Length; nginx sends one, a client talking to gunicorn directly may not) is
    read up to the limit here: werkzeug would hand the view the first ``limit`` bytes without a word."""
    limit = current_app.config.get("MAX_CONTENT_LENGTH")
    if not limit:
        return
    if request.content_length is not None:
        too_large = request.content_length > limit
    else:
        chunked = "chunked" in request.headers.get("Transfer-Encoding", "").lower()
        too_large = chunked and len(request.get_data(cache=True)) >= limit
    if too_large:
        raise RequestEntityTooLarge()


def _payload_too_large(_error: RequestEntityTooLarge) -> Response:
    limit = current_app.config.get("MAX_CONTENT_LENGTH")
    response = jsonify({"error": {"code": "payload_too_large",
                                  "message": f"请求内容过大（上限 {limit} 字节） / request body too large "
                                             f"(limit {limit} bytes)"}})
    response.status_code = 413
    return response


def _add_security_headers(response: Response) -> Response:
    headers = response.headers
    headers.setdefault("Content-Security-Policy", content_security_policy(current_app))
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", REFERRER_POLICY)
    return response


def content_security_policy(app: Flask) -> str:
    policy = app.extensions.get(_CSP_KEY)
    if policy is None:
        styles = " ".join(f"'sha256-{digest}'" for digest in sorted(inline_style_hashes(app)))
        policy = "; ".join((
            "default-src 'self'",
            "script-src 'self'",
            f"style-src 'self' {styles}".rstrip(),
            "img-src 'self' data:",  # data: for the pages' empty favicon (<link rel="icon" href="data:,">)
            "font-src 'self'",
            "connect-src 'self'",  # the API, the voice pack and Socket.IO (ws:/wss: to this host under CSP 3)
            "media-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ))
        app.extensions[_CSP_KEY] = policy
    return policy


def inline_style_hashes(app: Flask) -> set[str]:
    """SHA-256 (base64) of each inline ``<style>`` block of the app's templates, as a browser hashes it.
    Blocks that Jinja fills in differ per page and cannot be hashed ahead: they are logged, not allowed."""
    digests = set()
    environment = app.jinja_env
    for name in environment.list_templates(filter_func=lambda name: name.endswith((".html", ".htm"))):
        source = environment.loader.get_source(environment, name)[0]
        for block in _INLINE_STYLE.findall(source):
            if "{{" in block or "{%" in block:
                log.warning("template %s: an inline <style> with template code is blocked by the CSP", name)
                continue
            digests.add(base64.b64encode(hashlib.sha256(block.encode("utf-8")).digest()).decode("ascii"))
    return digests
