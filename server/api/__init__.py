"""The public HTTP contract v1, under /api/v1."""

from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")

from server.api import (  # noqa: E402,F401  (register the routes on bp)
    appointments,
    cases,  # 办件: tracking, back office, pickups
    openapi,
    ratings,  # 好差评
    routes,
)
