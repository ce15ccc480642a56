"""Device tokens: each kiosk (its touch page and its print agent), lobby display and window screen proves
which device it is with a token of its own.

The tokens live in one file (``HALL_DEVICE_TOKENS``, default ``instance/device_tokens.json``, mode 0600), a
JSON object ``{"<site>/<kind>/<id>": "<token>"}`` with kind ``kiosk``, ``display`` or ``window``. It is not in
the layout, which is no secret. ``flask --app server devices tokens`` makes the missing ones and prints every
device's address with its token; ``devices rotate`` replaces one. The processes of a hall share the file
(same checkout, or the same path); each reads it at start and again within a second of a change, so new and
rotated tokens work without a restart.

A device's page carries its token in the address's fragment, ``…/kiosk/county/k1#token=…``: the browser never
sends a fragment to the server, so it stays out of access logs and Referer headers; the page's script sends
it (the kiosk in ``X-Kiosk-Token`` when it issues a ticket, a screen in ``screen_status``). A print agent
sends it in ``agent_hello``.
"""

from __future__ import annotations

import hmac
import json
import logging
import os
import secrets
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from flask import Flask, current_app

from layout.model import Kiosk, Layout
from server.domain.errors import AuthError

log = logging.getLogger(__name__)
KINDS = ("kiosk", "display", "window", "pad")  # pad: a window's rating pad (评价器), /rate/<site>/<window>
RECHECK_SECONDS = 1.0  # how often a process looks whether the file changed
FILE_NAME = "device_tokens.json"
MAKE_TOKENS = "flask --app server devices tokens"


@dataclass(frozen=True)
class Device:
    site: str
    kind: str  # kiosk | display | window | pad
    id: str
    name: str
    agent: bool = False  # a kiosk whose printer is driven by a print agent

    @property
    def key(self) -> str:
        return device_key(self.site, self.kind, self.id)

    @property
    def page(self) -> str:
        if self.kind == "kiosk":
            return f"/kiosk/{self.site}/{self.id}"
        if self.kind == "display":
            return f"/display/{self.site}/{self.id}"
        if self.kind == "pad":
            return f"/rate/{self.site}/{self.id}"
        return f"/display/{self.site}/window/{self.id}"


def device_key(site: str, kind: str, ident: str) -> str:
    return f"{site}/{kind}/{ident}"


def devices(layout: Layout) -> list[Device]:
    """Every device of the layout that has a token: kiosks, lobby displays and window screens."""
    found = []
    for site in layout.sites:
        found += [Device(site.id, "kiosk", kiosk.id, kiosk.name, agent=_prints_through_an_agent(kiosk))
                  for kiosk in site.kiosks]
        found += [Device(site.id, "display", display.id, display.name) for display in site.displays]
        found += [Device(site.id, "window", window.id, window.name) for window in site.windows]
        found += [Device(site.id, "pad", window.id, f"{window.name} 评价器") for window in site.windows]
    return found


def _prints_through_an_agent(kiosk: Kiosk) -> bool:
    return kiosk.printer is not None and kiosk.printer.type == "agent"


def tokens_file(instance_path: Path) -> Path:
    return Path(os.environ.get("HALL_DEVICE_TOKENS") or instance_path / FILE_NAME)


class TokenFile(dict):
    """The tokens read from a file, with what it takes to notice the file changed (``current_tokens``)."""

    def __init__(self, path: Path, tokens: dict[str, str], stamp: tuple | None) -> None:
        super().__init__(tokens)
        self.path, self.stamp, self.checked = path, stamp, time.monotonic()


def _stamp(path: Path) -> tuple | None:
    try:
        info = path.stat()
    except FileNotFoundError:
        return None
    return info.st_mtime_ns, info.st_size, info.st_ino


def read_tokens(path: Path) -> TokenFile:
    """The tokens kept in ``path``; none when there is no file yet."""
    stamp = _stamp(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return TokenFile(path, {}, None)
    try:
        tokens = json.loads(text)
    except ValueError as error:
        raise ValueError(f"{path}: 设备口令文件不是有效的 JSON / the device token file is not valid JSON "
                         f"({error}); remove it and run `{MAKE_TOKENS}`") from error
    if not isinstance(tokens, dict) or not all(isinstance(k, str) and isinstance(v, str) and len(v) >= 16
                                               for k, v in tokens.items()):
        raise ValueError(f"{path}: expected {{\"site/kind/id\": \"token of 16 or more characters\"}}")
    return TokenFile(path, tokens, stamp)


def current_tokens(app: Flask | None = None) -> dict[str, str]:
    """The app's tokens: as configured (tests give a plain dict), or the file's, read again after a change."""
    app = app or current_app
    tokens = app.config.get("DEVICE_TOKENS")
    if tokens is None:
        return {}
    if isinstance(tokens, TokenFile) and time.monotonic() - tokens.checked >= RECHECK_SECONDS:
        tokens.checked = time.monotonic()
        stamp = _stamp(tokens.path)
        if stamp != tokens.stamp:
            try:
                app.config["DEVICE_TOKENS"] = tokens = read_tokens(tokens.path)
            except (OSError, ValueError) as error:
                tokens.stamp = stamp  # said once per change of the file
                log.error("device tokens: %s; the tokens read before stay in use", error)
    return tokens


def write_tokens(path: Path, tokens: dict[str, str]) -> None:
    """Replace the file at once (a process starting meanwhile reads the old or the new one, never half)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".device_tokens.")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            json.dump(dict(sorted(tokens.items())), out, indent=1, ensure_ascii=False)
            out.write("\n")
        os.chmod(temporary, 0o600)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def new_token() -> str:
    return secrets.token_urlsafe(24)  # 192 random bits, safe in a URL


def issue_missing(layout: Layout, path: Path) -> dict[str, str]:
    """Make a token for every device of ``layout`` that has none; returns them all (kept ones included)."""
    tokens = read_tokens(path)
    missing = [device.key for device in devices(layout) if device.key not in tokens]
    if missing:
        tokens.update({key: new_token() for key in missing})
        write_tokens(path, tokens)
    return tokens


def rotate(path: Path, key: str) -> str:
    """A new token for one device (a stolen kiosk PC): the old one stops working at the servers' restart."""
    tokens = read_tokens(path)
    tokens[key] = new_token()
    write_tokens(path, tokens)
    return tokens[key]


def missing_agent_tokens(layout: Layout, tokens: dict[str, str]) -> list[str]:
    return [device.key for device in devices(layout) if device.agent and device.key not in tokens]


def token_matches(site: str, kind: str, ident: str, presented: object, app: Flask | None = None) -> bool:
    expected = current_tokens(app).get(device_key(site, kind, ident))
    return (expected is not None and isinstance(presented, str)
            and hmac.compare_digest(presented.encode("utf-8", "replace"), expected.encode("utf-8")))


def require_token(site: str, kind: str, ident: str, presented: object) -> None:
    """Raise 401 ``token_required`` without a token and ``invalid_token`` with another device's or none's."""
    if presented is None or presented == "":
        raise AuthError("token_required", f"缺少设备口令（{device_key(site, kind, ident)}）/ this device "
                                          f"must present its token (see `{MAKE_TOKENS}`)")
    if not token_matches(site, kind, ident, presented):
        raise AuthError("invalid_token", f"设备口令错误（{device_key(site, kind, ident)}）/ wrong token for "
                                         f"{kind} {site}/{ident}")
