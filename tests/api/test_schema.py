"""The OpenAPI 3 schema at /api/schema/ and the docs at /api/docs/ (Swagger UI, offline, under the site's CSP)."""

import re

import pytest
from django.contrib.staticfiles import finders
from django.test import Client
from drf_spectacular.validation import validate_schema

from .conftest import site_routes

pytestmark = pytest.mark.django_db

NOT_IN_SCHEMA = {"api/schema/", "api/docs/"}


@pytest.fixture
def schema(client: Client) -> dict:
    response = client.get("/api/schema/?format=json")
    assert response.status_code == 200
    return response.json()


def _openapi_path(route: str) -> str:
    """api/sandboxes/<int:sandbox_id>/ as OpenAPI writes it: /api/sandboxes/{sandbox_id}/."""
    return "/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route)


def test_it_is_valid_openapi_3(schema):
    validate_schema(schema)
    assert schema["openapi"].startswith("3.")
    assert schema["info"]["title"] == "IAM Sandbox API"


def test_it_lists_every_api_route(schema):
    routes = {r for r in site_routes() if r.startswith("api/")} - NOT_IN_SCHEMA
    assert {_openapi_path(r) for r in routes} == set(schema["paths"])
    assert len(schema["paths"]) > 60


def test_every_operation_is_titled_and_documents_the_error_shape(schema):
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            assert operation.get("summary"), f"{method} {path}"
            assert operation["responses"]["401"]["content"]["application/json"]["schema"] == {
                "$ref": "#/components/schemas/Error"
            }


def test_operations_are_titled_by_the_aws_action_they_perform(schema):
    paths = {
        path.removeprefix("/api/sandboxes/{sandbox_id}/accounts/{account_id}"): p for path, p in schema["paths"].items()
    }
    assert paths["/users/"]["post"]["summary"] == "CreateUser"
    assert paths["/roles/{role_name}/attached-policies/"]["post"]["summary"] == "AttachRolePolicy"
    assert paths["/groups/{group_name}/policies/{policy_name}/"]["put"]["summary"] == "PutGroupPolicy"


def test_account_endpoints_document_the_acting_identity(schema):
    operation = schema["paths"]["/api/sandboxes/{sandbox_id}/accounts/{account_id}/users/"]["post"]
    names = {(p["in"], p["name"]) for p in operation["parameters"]}
    assert {("header", "X-Sandbox-Principal"), ("query", "as")} <= names
    assert "X-Sandbox-Principal" in schema["info"]["description"]


def test_it_documents_both_ways_to_authenticate(schema):
    assert set(schema["components"]["securitySchemes"]) == {"tokenAuth", "cookieAuth"}
    assert "POST /api/token/" in schema["info"]["description"]


def test_the_docs_page_loads_nothing_from_elsewhere(client: Client):
    response = client.get("/api/docs/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "<script>" not in html and "<style" not in html and "style=" not in html
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert sources and all(s.startswith("/") and not s.startswith("//") for s in sources), sources
    assert "http://" not in html and "https://" not in html
    for source in sources:
        if source.startswith("/static/"):
            assert finders.find(source.removeprefix("/static/")), source


def test_the_docs_page_is_served_under_the_sites_strict_csp(client: Client):
    policy = client.get("/api/docs/")["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy


def test_the_docs_start_up_script_is_a_file_of_its_own(client: Client):
    response = client.get("/api/docs/?script=")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/javascript"
    assert "SwaggerUIBundle(" in response.content.decode()
    assert '"/api/schema/"' in response.content.decode()


def test_every_operation_is_in_a_documented_section(schema):
    sections = [tag["name"] for tag in schema["tags"]]
    used = {operation["tags"][0] for methods in schema["paths"].values() for operation in methods.values()}
    assert used == set(sections)
