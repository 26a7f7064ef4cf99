"""openapi-python-client, run on the served OpenAPI document with the settings the repository
ships (``clients/openapi-python-client.yaml``, README "Generated clients"), generates the whole
client without a warning: the operations that answer an image or a PDF (photo downloads, a
room's QR code, an office's QR sheet) are generated and answer the bytes.

Without the settings the generator warned about each of them ("Unsupported content_type") and
generated them without their answer.
"""
import importlib
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SETTINGS = ROOT / "clients" / "openapi-python-client.yaml"
# What the generator reads as such (openapi_python_client.parser.responses): anything else needs an override.
READ_AS_IS = re.compile(r"^(application/json|application/octet-stream|text/.+|.+\+json)$")

pytest.importorskip("openapi_python_client")  # requirements-dev.txt
httpx = pytest.importorskip("httpx")

pytestmark = pytest.mark.slow  # about 10 s (the generator): `make test` runs it, `make test-fast` does not


def binary_answers(document):
    """``{operationId: (content type, path parameters)}`` of the operations answering neither JSON nor text."""
    found = {}
    for item in document["paths"].values():
        for operation in item.values():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            parameters = item.get("parameters", []) + operation.get("parameters", [])
            for content_type in (operation["responses"].get("200", {}).get("content") or {}):
                if not READ_AS_IS.match(content_type):
                    found[operation["operationId"]] = (content_type, [p["name"] for p in parameters
                                                                      if p["in"] == "path"])
    return found


def snake(name):
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def test_the_shipped_settings_generate_every_operation_without_a_warning(client, tmp_path, monkeypatch):
    document_path = tmp_path / "openapi.json"
    document_path.write_bytes(client.get("/api/v1/openapi.json").data)
    document = client.get("/api/v1/openapi.json").get_json()
    binary = binary_answers(document)
    assert {content_type for content_type, _ in binary.values()} >= {"image/*", "image/jpeg", "image/png",
                                                                      "application/pdf"}

    generated = subprocess.run(
        [sys.executable, "-m", "openapi_python_client", "generate", "--path", str(document_path),
         "--output-path", str(tmp_path / "client"), "--config", str(SETTINGS), "--fail-on-warning"],
        capture_output=True, text=True, timeout=300, check=False)

    output = generated.stdout + generated.stderr
    assert generated.returncode == 0, output
    assert "WARNING" not in output and "Unsupported" not in output and "omitted" not in output, output

    # Each of those operations is there and answers the bytes it is sent (a File), not nothing.
    package = next(path.parent for path in (tmp_path / "client").glob("*/client.py"))
    monkeypatch.syspath_prepend(str(package.parent))
    modules = {path.stem: path for path in (package / "api").glob("*/*.py")}
    api_client = importlib.import_module(f"{package.name}.client")
    sent = b"%PDF-1.4 or \x89PNG bytes"
    transport = httpx.MockTransport(lambda request: httpx.Response(200, content=sent))
    try:
        for operation_id, (content_type, path_parameters) in binary.items():
            assert snake(operation_id) in modules, f"{operation_id} ({content_type}) was not generated"
            tag = modules[snake(operation_id)].parent.name
            operation = importlib.import_module(f"{package.name}.api.{tag}.{snake(operation_id)}")
            caller = api_client.AuthenticatedClient(base_url="http://santrade.test", token="t",
                                                    httpx_args={"transport": transport})
            answer = operation.sync(client=caller, **dict.fromkeys(path_parameters, 1))
            assert answer is not None and answer.payload.read() == sent, (operation_id, content_type, answer)
    finally:
        for name in [name for name in sys.modules if name == package.name or name.startswith(f"{package.name}.")]:
            del sys.modules[name]
