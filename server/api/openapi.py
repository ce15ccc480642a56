"""GET /api/v1/openapi.json: the OpenAPI 3.1 description of the HTTP API, kept beside this module as
openapi.yaml (tests/integration/test_openapi.py holds it to the routes and runs schemathesis against it)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import yaml
from flask import jsonify

from server.api import bp

DESCRIPTION = Path(__file__).with_name("openapi.yaml")


@cache
def description() -> dict:
    """The description as a JSON-ready dict (YAML anchors expanded), read once per process."""
    with DESCRIPTION.open(encoding="utf-8") as source:
        return yaml.safe_load(source)


@bp.get("/openapi.json")
def openapi():
    return jsonify(description())
