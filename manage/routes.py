"""The manager's page /manage/<site>: the live board (queues, windows, alerts, suggestions), statistics
with charts and exports; ``?view=wall`` is the read-only big-screen view for a wall TV."""

from __future__ import annotations

from flask import Blueprint, render_template, request

from server.domain.errors import NotFound
from server.service_layer.statistics import GROUPINGS
from server.vocabulary import page_vocabulary
from server.wiring import hall

pages = Blueprint("manage", __name__, static_folder="static", static_url_path="/static/manage",
                  template_folder="templates")
BY_NAMES = {"day": "按日", "hour": "按时段", "queue": "按队列", "service": "按事项", "department": "按部门",
            "window": "按窗口", "clerk": "按工作人员"}


@pages.errorhandler(NotFound)
def not_found(error: NotFound):
    return render_template("manage/problem.html", message=error.message), 404


@pages.get("/manage/<site_id>")
def board(site_id: str):
    site = hall().site(site_id)
    wall = request.args.get("view") == "wall"
    config = {
        "site": site.id, "site_name": site.name, "api": "/api/v1", "timezone": site.timezone, "wall": wall,
        "groupings": [{"id": by, "name": BY_NAMES[by]} for by in GROUPINGS],
        "vocabulary": page_vocabulary(),
        "hours": [{"days": list(p.days), "opens": p.opens.strftime("%H:%M"), "closes": p.closes.strftime("%H:%M")}
                  for p in site.hours],  # the default end of a window's assignment: the hall's closing
    }
    return render_template("manage/board.html", site=site, config=config, wall=wall)
