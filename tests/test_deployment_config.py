"""The README's configuration table, the code and render.yaml agree, variable by variable."""
import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
LOCAL_ONLY = {"PORT", "TEST_DATABASE_URL"}  # Render sets PORT; the other is for the test suite
PER_SERVICE = {"DATABASE_URL", "WEB_CONCURRENCY", "RATELIMIT_STORAGE_URI"}


def readme_variables():
    rows = [line for line in (ROOT / "README.md").read_text(encoding="utf-8").splitlines() if line.startswith("| `")]
    return {name for row in rows for name in re.findall(r"`([A-Z][A-Z0-9_]{2,})`", row.split("|")[1])}


def code_variables():
    source = (ROOT / "service_app" / "config.py").read_text(encoding="utf-8")
    return set(re.findall(r'env_(?:str|int|bool)\(\s*"([A-Z0-9_]+)"', source)) | {"APP_ENV", "DATABASE_URL"}


def render_variables():
    blueprint = yaml.safe_load((ROOT / "render.yaml").read_text(encoding="utf-8"))
    group = {v["key"] for g in blueprint["envVarGroups"] for v in g["envVars"]}
    services = {v["key"] for s in blueprint["services"] for v in s.get("envVars", []) if "key" in v}
    return group, services, blueprint


def test_every_setting_the_code_reads_is_in_the_readme():
    assert code_variables() - readme_variables() == set()


def test_every_readme_setting_is_read_by_the_code_or_a_process():
    assert readme_variables() - code_variables() - {"PORT", "WEB_CONCURRENCY"} == set()


def test_render_declares_every_readme_setting_and_nothing_else():
    group, services, _ = render_variables()
    declared = group | services
    assert readme_variables() - LOCAL_ONLY - declared == set()
    assert declared - readme_variables() - {"PYTHON_VERSION", "FLASK_APP"} == set()


def test_render_secrets_are_generated_or_asked_for_never_committed():
    _, _, blueprint = render_variables()
    entries = [v for g in blueprint["envVarGroups"] for v in g["envVars"]]
    entries += [v for s in blueprint["services"] for v in s.get("envVars", []) if "key" in v]
    for entry in entries:
        if re.search(r"SECRET|_TOKEN$|CREDENTIALS|ACCESS_KEY", entry["key"]):
            assert entry.get("generateValue") or entry.get("sync") is False, entry["key"]


def test_render_runs_every_process_with_pinned_python():
    group, _, blueprint = render_variables()
    commands = {s["name"]: s.get("startCommand") for s in blueprint["services"]}
    assert commands["santrade-api"] == "gunicorn -c gunicorn.conf.py wsgi:app"
    assert commands["santrade-notifications"] == "flask notifications worker"
    assert commands["santrade-sla-sweep"] == "flask sla sweep"
    assert commands["santrade-retention"] == "flask retention run"
    web = next(s for s in blueprint["services"] if s["name"] == "santrade-api")
    assert web["preDeployCommand"] == "flask db upgrade" and web["healthCheckPath"] == "/healthz"
    version = next(v["value"] for g in blueprint["envVarGroups"] for v in g["envVars"] if v["key"] == "PYTHON_VERSION")
    assert re.fullmatch(r"3\.12\.\d+", version)
