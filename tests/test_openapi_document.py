"""The served OpenAPI document is valid OpenAPI, and written so code generators build typed clients from it."""
import json
import re
from collections import Counter

import pytest
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


# --- What code generators need (API.md, "The mobile apps' contract") ------------------------

CAMEL_CASE = re.compile(r"^[a-z][a-zA-Z0-9]*$")


def _operations(document):
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if isinstance(operation, dict) and "responses" in operation:
                yield f"{method.upper()} {path}", operation


@pytest.fixture
def document(client):
    return client.get("/api/v1/openapi.json").get_json()


def test_every_operation_has_a_unique_camel_case_operation_id(document):
    ids = {label: operation.get("operationId") for label, operation in _operations(document)}
    assert not [label for label, op_id in ids.items() if not op_id], "operations without an operationId"
    assert not [op_id for op_id in ids.values() if not CAMEL_CASE.match(op_id)], "not camelCase"
    repeated = [op_id for op_id, count in Counter(ids.values()).items() if count > 1]
    assert not repeated, repeated


def test_the_operation_ids_the_apps_call_are_stable(document):
    ids = {label: operation["operationId"] for label, operation in _operations(document)}
    assert ids["POST /api/v1/auth/login"] == "login"
    assert ids["POST /api/v1/auth/refresh"] == "refreshTokens"
    assert ids["POST /api/v1/auth/logout"] == "logout"
    assert ids["POST /api/v1/requests"] == "createRequest"
    assert ids["GET /api/v1/requests"] == "listRequests"
    assert ids["GET /api/v1/requests/{request_id}"] == "getRequest"
    assert ids["PATCH /api/v1/requests/{request_id}"] == "updateRequest"
    assert ids["POST /api/v1/requests/{request_id}/status"] == "changeRequestStatus"
    assert ids["GET /api/v1/requests/{request_id}/comments"] == "listComments"
    assert ids["POST /api/v1/requests/{request_id}/comments"] == "addComment"
    assert ids["POST /api/v1/requests/{request_id}/attachments"] == "uploadAttachment"
    assert ids["GET /api/v1/reports/sla"] == "getSlaReport"
    assert ids["GET /api/v1/reports/sla.csv"] == "getSlaReportCsv"
    assert ids["GET /api/v1/sync"] == "syncChanges"


def _response_schemas(document):
    """Names of the component schemas an answer reaches (through $ref, arrays, allOf/oneOf)."""
    schemas = document["components"]["schemas"]
    found, stack = set(), []
    for _, operation in _operations(document):
        for answer in operation["responses"].values():
            answer = _resolve(document, answer)
            stack.extend(media.get("schema", {}) for media in answer.get("content", {}).values())
    while stack:
        schema = stack.pop()
        if "$ref" in schema:
            name = schema["$ref"].rsplit("/", 1)[1]
            if name not in found:
                found.add(name)
                stack.append(schemas[name])
            continue
        stack.extend(schema.get("properties", {}).values())
        stack.extend(schema.get(key) for key in ("items", "additionalProperties") if isinstance(schema.get(key), dict))
        for key in ("allOf", "oneOf", "anyOf"):
            stack.extend(schema.get(key, []))
    return found


def _resolve(document, answer):
    if "$ref" in answer:
        _, section, name = answer["$ref"].rsplit("/", 2)
        return document["components"][section][name]
    return answer


def test_every_response_object_lists_its_required_properties(document):
    schemas = document["components"]["schemas"]
    reached = _response_schemas(document)
    assert {"Request", "Person", "Sla", "ErrorResponse", "SlaReport"} <= reached
    # LocalizedText has no property that is always there ({ru}, {kk, en}, ... are all valid).
    missing = {name for name in reached - {"LocalizedText"}
               if schemas[name].get("properties") and not schemas[name].get("required")}
    assert not missing, missing
    request = schemas["Request"]
    # Always present, even when null; `location` is the author's only and stays optional.
    assert {"assignee", "sla", "department", "closed_at", "rating"} <= set(request["required"])
    assert "location" not in request["required"]


def test_nullable_objects_are_typed(document):
    """A Person or null is `allOf: [Person]` + `nullable` (OpenAPI 3.0), never `anyOf` an untyped object."""
    assert document["openapi"].startswith("3.0")
    request = document["components"]["schemas"]["Request"]["properties"]
    assert request["assignee"] == {"allOf": [{"$ref": "#/components/schemas/Person"}], "nullable": True}
    assert request["sla"] == {"$ref": "#/components/schemas/Sla"}
    assert "Point" in request["location"]["allOf"][0]["$ref"]
    assert "anyOf" not in json.dumps(document)


def test_no_property_lacks_a_type(document):
    untyped = [f"{name}.{prop}" for name, schema in document["components"]["schemas"].items()
               for prop, value in schema.get("properties", {}).items()
               if not {"type", "$ref", "allOf", "oneOf"} & set(value)]
    assert not untyped, untyped


def test_localized_names_are_one_localized_text_schema(document):
    schemas = document["components"]["schemas"]
    assert set(schemas["LocalizedText"]["properties"]) == {"ru", "kk", "en"}
    # Answers give the object only; requests may send a string too.
    localized = {"$ref": "#/components/schemas/LocalizedText"}
    assert schemas["Category"]["properties"]["name"] == localized
    assert schemas["Department"]["properties"]["name"] == localized
    assert schemas["DepartmentRef"]["properties"]["name"] == localized
    assert schemas["CategoryCreate"]["properties"]["name"] == {"oneOf": [{"type": "string"}, localized]}


def test_one_media_type_per_response(document):
    several = [f"{label} {status}" for label, operation in _operations(document)
               for status, answer in operation["responses"].items()
               if len(_resolve(document, answer).get("content", {})) > 1]
    assert not several, several
    paths = document["paths"]
    assert list(paths["/api/v1/reports/sla"]["get"]["responses"]["200"]["content"]) == ["application/json"]
    assert paths["/api/v1/reports/sla.csv"]["get"]["responses"]["200"]["content"] == {
        "text/csv": {"schema": {"type": "string"}}}


def test_errors_are_error_response_and_refresh_has_its_own_scheme(document):
    schemas = document["components"]["schemas"]
    assert "ErrorResponse" in schemas and "Error" not in schemas
    assert set(schemas["ErrorBody"]["required"]) == {"code", "message", "details"}
    schemes = document["components"]["securitySchemes"]
    assert schemes["refreshToken"]["scheme"] == "bearer"
    assert document["paths"]["/api/v1/auth/refresh"]["post"]["security"] == [{"refreshToken": []}]
    assert document["paths"]["/api/v1/auth/logout"]["post"]["security"] == [{"bearerAuth": []}]
