"""The browser modules every page shares — the site stream, the API client, the page kit (DOM helpers,
the hall's clock, the vocabulary lookups) — served from one folder at ``/static/common/``."""

from __future__ import annotations

from flask import Blueprint, Flask

bp = Blueprint("common_assets", __name__, static_folder="static", static_url_path="/static/common")


def register(app: Flask) -> None:
    app.register_blueprint(bp)
