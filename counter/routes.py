"""The counter page. Everything it does goes through the public API (/api/v1) with the clerk's token;
the page itself carries only what the API does not give: pinyin keys to search items by, and the names
of the codes it shows (server.vocabulary)."""

from __future__ import annotations

from flask import Blueprint, render_template

from server.domain.errors import NotFound
from server.search_keys import service_search_keys
from server.vocabulary import page_vocabulary
from server.wiring import hall

pages = Blueprint("counter", __name__, static_folder="static", static_url_path="/static/counter",
                  template_folder="templates")


@pages.errorhandler(NotFound)
def not_found(error: NotFound):
    return render_template("counter/problem.html", title="找不到页面", status=404, message=error.message), 404


@pages.get("/counter/<site_id>")
def counter(site_id: str):
    site = hall().site(site_id)
    config = {
        "site": site.id, "site_name": site.name, "api": "/api/v1",
        "search_keys": service_search_keys(site.services), "vocabulary": page_vocabulary(),
    }
    config["timezone"] = site.timezone  # 我的评价 shows the hall's times
    return render_template("counter/counter.html", site=site, config=config)
