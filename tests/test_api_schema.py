"""The OpenAPI schema and the interactive docs: complete, valid, served locally."""

import re

import pytest
import yaml
from django.core.management import call_command

from tests.api_support import api_env  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("api_env")]


@pytest.fixture(scope="module")
def schema(django_db_blocker):
    with django_db_blocker.unblock():
        from drf_spectacular.generators import SchemaGenerator

        return SchemaGenerator().get_schema(request=None, public=True)


def test_the_schema_generates_without_warnings_and_validates(tmp_path):
    target = tmp_path / "schema.yaml"
    call_command("spectacular", "--file", str(target), "--validate", "--fail-on-warn")
    assert yaml.safe_load(target.read_text())["openapi"].startswith("3.")


def test_the_schema_is_served_as_openapi_3(client):
    response = client.get("/api/schema/?format=json")
    assert response.status_code == 200
    assert response.json()["info"]["title"] == "Parley API"


def test_every_operation_documents_its_errors_with_examples(schema):
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            assert operation.get("summary") or operation.get("description"), (method, path)
            errors = {code for code in operation["responses"] if code.startswith("4")}
            assert {"401", "403"} <= errors, (method, path)
            if method in ("patch",):
                assert {"400", "404", "412", "428"} <= errors, (method, path)
            for code in errors:
                content = operation["responses"][code]["content"]["application/json"]
                assert content.get("examples"), (method, path, code)


def test_every_parameter_has_a_description_and_an_example(schema):
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            for parameter in operation.get("parameters", []):
                where = (method, path, parameter["name"])
                assert "example" in parameter or "examples" in parameter, where
                if parameter["in"] != "path":
                    assert parameter.get("description"), where


def test_every_read_returns_documented_etags(schema):
    for path, operations in schema["paths"].items():
        if "get" in operations and path.startswith("/api/v1/") and "auth" not in path:
            ok = operations["get"]["responses"]["200"]
            assert "ETag" in ok.get("headers", {}), path
            assert "304" in operations["get"]["responses"], path


def test_updates_require_if_match(schema):
    for path, operations in schema["paths"].items():
        if "patch" in operations:
            headers = {
                p["name"]: p for p in operations["patch"]["parameters"] if p["in"] == "header"
            }
            assert headers["If-Match"]["required"] is True, path


def test_the_docs_load_their_assets_from_this_server_only(client):
    page = client.get("/api/docs/")
    assert page.status_code == 200
    html = page.content.decode()
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert assets and all(a.startswith("/") for a in assets), assets
    for asset in assets:
        assert client.get(asset.replace("&amp;", "&")).status_code == 200, asset
    script = client.get("/api/docs/?script=").content.decode()
    assert "/api/schema/" in script
    assert "https://" not in script


def test_the_docs_content_security_policy_allows_exactly_their_inline_style(client):
    import base64
    import hashlib

    page = client.get("/api/docs/")
    styles = re.findall(r"<style>(.*?)</style>", page.content.decode(), re.S)
    policy = page["Content-Security-Policy"]
    for style in styles:
        digest = base64.b64encode(hashlib.sha256(style.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in policy
    assert "unsafe-inline" not in policy
