"""The OpenAPI description (server/api/openapi.yaml, served at /api/v1/openapi.json) names every route of the
API with its methods and nothing else, is valid OpenAPI 3.1, and the server keeps it: schemathesis sends
generated requests (valid and invalid) to every operation and checks that no answer is a 5xx and every answer
has a described status, content type and body."""

from __future__ import annotations

import dataclasses
import re

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from layout.loader import load_layout
from layout.model import PrinterConfig
from server.api.openapi import DESCRIPTION, description
from server.app import stop
from server.config import ROOT
from server.device_tokens import devices
from tests.conftest import create_staff, make_app

METHODS = {"get", "put", "post", "delete", "patch"}
ALSO_DESCRIBED = ("/healthz", "/metrics")
EXAMPLE_LAYOUT = ROOT / "layout" / "examples" / "county.yaml"
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


def routes(app) -> dict[str, set[str]]:
    """Every API route as the description spells it (``/sites/{site_id}``), with its methods."""
    found: dict[str, set[str]] = {}
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/") or rule.rule in ALSO_DESCRIBED:
            path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule)
            methods = {method.lower() for method in rule.methods} & METHODS
            found.setdefault(path, set()).update(methods)
    return found


def described() -> dict[str, set[str]]:
    return {path: set(item) & METHODS for path, item in description()["paths"].items()}


def county_with_a_printer(tmp_path):
    """The shipped example layout, its first kiosk printing to a file (so print jobs exist)."""
    layout = load_layout(str(EXAMPLE_LAYOUT))
    county = layout.site("county")
    kiosk = dataclasses.replace(county.kiosks[0], printer=PrinterConfig(type="file", device=str(tmp_path / "k1.bin")))
    county = dataclasses.replace(county, kiosks=(kiosk, *county.kiosks[1:]))
    return dataclasses.replace(layout, sites=tuple(county if s.id == "county" else s for s in layout.sites))


@pytest.fixture(scope="module")
def fuzzed_hall(tmp_path_factory):
    """The example county on SQLite, with a manager (a clerk's rights, plus monitoring and statistics)."""
    folder = tmp_path_factory.mktemp("openapi")
    layout = county_with_a_printer(folder)
    tokens = {device.key: f"device-token-of-{device.key}" for device in devices(layout)}
    app = make_app(f"sqlite:///{folder / 'hall.db'}", layout=layout, DEVICE_TOKENS=tokens)
    headers = create_staff(app, username="fuzz-manager", role="manager")
    client = app.test_client()
    # Something to act on: tickets waiting and called, a window open, a print job.
    for service in ("company-registration", "company-change", "company-registration"):
        client.post("/api/v1/sites/county/tickets", json={"service": service, "kiosk": "k1"},
                    headers={"X-Kiosk-Token": tokens["county/kiosk/k1"]})
    client.post("/api/v1/sites/county/windows/w1/open", headers=headers)
    client.post("/api/v1/sites/county/windows/w1/call-next", headers=headers)
    yield app, headers
    stop(app)


def test_every_api_route_is_described_with_its_methods(fuzzed_hall):
    app, _ = fuzzed_hall
    missing = {path: sorted(methods - described().get(path, set())) for path, methods in routes(app).items()}
    missing = {path: methods for path, methods in missing.items() if methods}
    assert not missing, f"describe these routes in {DESCRIPTION.relative_to(ROOT)}: {missing}"


def test_every_described_operation_is_a_route(fuzzed_hall):
    app, _ = fuzzed_hall
    extra = {path: sorted(methods - routes(app).get(path, set())) for path, methods in described().items()}
    extra = {path: methods for path, methods in extra.items() if methods}
    assert not extra, f"{DESCRIPTION.relative_to(ROOT)} describes operations that no route serves: {extra}"


def test_every_path_parameter_is_declared():
    for path, item in description()["paths"].items():
        names = set(re.findall(r"{([^}]+)}", path))
        for method in set(item) & METHODS:
            declared = {parameter["$ref"].rsplit("/", 1)[-1] if "$ref" in parameter else parameter["name"]
                        for parameter in item[method].get("parameters", [])
                        if "$ref" in parameter or parameter["in"] == "path"}
            assert names <= declared, (method, path, names - declared)


def test_the_description_is_valid_openapi_3_1():
    assert description()["openapi"].startswith("3.1")
    schemathesis.openapi.from_dict(description()).validate()


def test_the_server_serves_the_description(fuzzed_hall):
    app, _ = fuzzed_hall
    response = app.test_client().get("/api/v1/openapi.json")
    assert response.status_code == 200 and response.is_json
    assert response.get_json() == description()


def test_every_error_answer_is_described_with_the_error_schema():
    for path, item in description()["paths"].items():
        for method in set(item) & METHODS:
            for status, answer in item[method]["responses"].items():
                if status.startswith("4") or (status == "503" and not path.startswith("/healthz")):
                    assert answer.get("$ref", "").startswith("#/components/responses/"), (method, path, status)


schema = schemathesis.openapi.from_path(str(DESCRIPTION))


@pytest.mark.slow  # about a minute: every operation, each with its coverage cases and 25 generated ones
@schema.parametrize()
@settings(max_examples=25, derandomize=True, database=None, deadline=None,
          suppress_health_check=list(HealthCheck))
def test_the_api_keeps_its_description_and_never_answers_5xx(case, fuzzed_hall):
    app, headers = fuzzed_hall
    case.call_and_validate(app=app, headers=headers, checks=CHECKS)


def test_the_csv_export_names_its_type_and_charset_once(fuzzed_hall):
    app, headers = fuzzed_hall
    response = app.test_client().get("/api/v1/sites/county/stats.csv?from=2026-01-01&to=2026-01-02", headers=headers)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
