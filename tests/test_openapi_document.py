"""The served OpenAPI document is valid OpenAPI: code generators refuse one that is not."""
from openapi_spec_validator import validate


def test_served_openapi_document_is_valid(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    validate(response.get_json())  # raises with the failing path on the first error


def test_every_response_has_a_description(client):
    """The rule the SLA report's two-media-type answer once broke (OpenAPI 3 requires it)."""
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    missing = [f"{method.upper()} {path} {status}" for path, item in paths.items() for method, operation in item.items()
               if isinstance(operation, dict) and "responses" in operation
               for status, answer in operation["responses"].items()
               if "$ref" not in answer and not answer.get("description")]
    assert not missing, missing
