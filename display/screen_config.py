"""What a screen page needs to know about its hall, given to the browser as JSON in the page."""

from __future__ import annotations

from layout.model import Display, Site, Window
from server.vocabulary import page_vocabulary

VOICE_MODES = ("clips", "speech")
RECENT_CALLS_SHOWN = 8


class BadScreenOption(ValueError):
    """A query option of a screen URL that names nothing we can do."""


def voice_mode(requested: str | None, default: str | None) -> str | None:
    """``?voice=clips|speech|off``; without it, the screen's default (None: silent)."""
    if requested is None or requested == "":
        return default
    if requested == "off":
        return None
    if requested not in VOICE_MODES:
        raise BadScreenOption(f"参数 voice 只能是 clips、speech 或 off，收到“{requested}” / "
                              f"voice must be clips, speech or off")
    return requested


def window_subtitle(window: Window) -> str:
    """The window's name without the number the screen already shows big ("17号窗口 企业登记" → "企业登记")."""
    label = f"{window.number}号窗口"
    rest = window.name.removeprefix(label).strip()
    return rest or window.name


def _queues(site: Site, windows: list[Window]) -> list[dict]:
    seen: list[str] = []
    for window in windows:
        seen.extend(queue for queue in window.queues if queue not in seen)
    return [{"id": queue.id, "name": queue.name, "prefix": queue.prefix}
            for queue in (site.queue(queue_id) for queue_id in seen) if queue is not None]


def _voice(site: Site, mode: str | None, repeat: int, pack_url: str) -> dict:
    return {"enabled": mode is not None, "mode": mode or "clips", "repeat": repeat,
            "template": site.call_template, "pack_url": pack_url}


def _floors(site: Site, zone_ids: tuple[str, ...]) -> list[str]:
    floors: list[str] = []
    for zone in (site.zone(zone_id) for zone_id in zone_ids):
        if zone is not None and zone.floor and zone.floor not in floors:
            floors.append(zone.floor)
    return floors


def lobby_config(site: Site, display: Display, mode: str | None, pack_url: str) -> dict:
    """The display's zones and their floors, the queues served by windows in them, its notice and its
    voice. The screen shows a call of a window in its zones, and a call of a ticket its zones' windows
    serve (a queue's own windows) wherever the calling window is (overflow to another floor)."""
    windows = [window for window in site.windows if window.zone in display.zones]
    return {
        "kind": "lobby", "site": site.id, "site_name": site.name, "timezone": site.timezone,
        "display": display.id, "display_name": display.name, "zones": list(display.zones),
        "floors": _floors(site, display.zones),
        "windows": [window.id for window in windows], "queues": _queues(site, windows),
        "notice": display.notice, "recent_limit": RECENT_CALLS_SHOWN,
        "voice": _voice(site, mode, display.voice_repeat, pack_url),
    }


def window_config(site: Site, window: Window, mode: str | None, pack_url: str) -> dict:
    return {
        "kind": "window", "site": site.id, "site_name": site.name, "timezone": site.timezone,
        "display": window.id, "window": window.id, "window_number": window.number, "window_name": window.name,
        "window_subtitle": window_subtitle(window),
        "zone": window.zone, "queues": _queues(site, [window]),
        "voice": _voice(site, mode, 1, pack_url), "vocabulary": page_vocabulary(),
    }
