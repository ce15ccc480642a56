"""The screens' pages (lobby display, window screen, an index for setting up the TVs) and
GET /api/v1/sites/<site>/screens."""

from __future__ import annotations

from flask import Blueprint, jsonify, render_template, request, url_for

from display.screen_config import BadScreenOption, lobby_config, voice_mode, window_config
from display.screens import screen_registry
from server.auth import optional_staff
from server.domain.errors import NotFound
from server.wiring import hall

pages = Blueprint("display", __name__, static_folder="static", static_url_path="/static/display",
                  template_folder="templates")
api = Blueprint("display_api", __name__, url_prefix="/api/v1")


def _pack_url() -> str:
    return url_for("display.static", filename="voice/default/")


@pages.errorhandler(NotFound)
def not_found(error: NotFound):
    return render_template("display/problem.html", title="找不到页面", status=404, message=error.message), 404


@pages.errorhandler(BadScreenOption)
def bad_option(error: BadScreenOption):
    return render_template("display/problem.html", title="地址有误", status=400, message=str(error)), 400


@pages.get("/display/<site_id>")
def index(site_id: str):
    """Every screen URL of a site, for whoever sets up the TVs."""
    return render_template("display/index.html", site=hall().site(site_id))


@pages.get("/display/<site_id>/<display_id>")
def lobby(site_id: str, display_id: str):
    site = hall().site(site_id)
    display = site.display(display_id)
    if display is None:
        raise NotFound("display", display_id)
    mode = voice_mode(request.args.get("voice"), "clips" if display.voice else None)
    return render_template("display/lobby.html", site=site, display=display,
                           config=lobby_config(site, display, mode, _pack_url()))


@pages.get("/display/<site_id>/window/<window_id>")
def window_screen(site_id: str, window_id: str):
    site = hall().site(site_id)
    window = site.window(window_id)
    if window is None:
        raise NotFound("window", window_id)
    # Silent unless asked: the lobby display speaks; a voice above every counter would echo it.
    mode = voice_mode(request.args.get("voice"), None)
    return render_template("display/window.html", site=site, window=window,
                           config=window_config(site, window, mode, _pack_url()))


@api.get("/sites/<site_id>/screens")
def screens(site_id: str):
    """The screens connected to this server process now, with their sound state; where they are
    (address, since when) only for staff."""
    site = hall().site(site_id)
    staff = optional_staff(site.id) is not None
    connected = screen_registry().screens(site.id)
    for screen in connected:
        screen.pop("sid")
        if not staff:
            screen.pop("address")
            screen.pop("since")
        # a screen keeps its entry until it leaves, even if a new layout has dropped its display
        if screen["kind"] == "lobby":
            display = site.display(screen["display"])
            screen["name"] = display.name if display else screen["display"]
            screen["voice"] = display.voice if display else None
        else:
            # the layout gives window screens no voice (a page may still turn it on with ?voice=)
            window = site.window(screen["display"])
            screen["name"], screen["voice"] = (window.name if window else screen["display"]), False
    return jsonify(connected)
