"""The README's configuration table, the declared settings and render.yaml agree, variable by variable."""
import re
from pathlib import Path

import yaml

from service_app.config import ENVIRONMENTS, FIXED, SETTINGS, environment_variables

ROOT = Path(__file__).resolve().parent.parent
LOCAL_ONLY = {"PORT", "TEST_DATABASE_URL"}  # Render sets PORT; the other is for the test suite
PER_SERVICE = {"DATABASE_URL", "WEB_CONCURRENCY", "RATELIMIT_STORAGE_URI"}


# What render.yaml sets on purpose to something else than the development default.
RENDER_CHOICES = {"APP_ENV": "production", "PUSH_SENDER": "fcm", "STORAGE_BACKEND": "s3"}


def readme_rows():
    """``{variable: default as the README writes it (a code span), or None}``."""
    rows = {}
    for line in (ROOT / "README.md").read_text(encoding="utf-8").splitlines():
        if line.startswith("| `"):
            cells = line.split("|")
            names = re.findall(r"`([A-Z][A-Z0-9_]{2,})`", cells[1])
            defaults = re.findall(r"`([^`]*)`", cells[2])
            rows.update({name: defaults[i] if i < len(defaults) else None for i, name in enumerate(names)})
    return rows


def readme_variables():
    return set(readme_rows())


def code_variables():
    return environment_variables()


def by_variable():
    return {setting.env: setting for setting in SETTINGS}


def render_variables():
    blueprint = yaml.safe_load((ROOT / "render.yaml").read_text(encoding="utf-8"))
    group = {v["key"] for g in blueprint["envVarGroups"] for v in g["envVars"]}
    services = {v["key"] for s in blueprint["services"] for v in s.get("envVars", []) if "key" in v}
    return group, services, blueprint


def test_every_setting_the_code_reads_is_in_the_readme():
    assert code_variables() - readme_variables() == set()


def test_every_readme_setting_is_read_by_the_code_or_a_process():
    assert readme_variables() - code_variables() - {"PORT", "WEB_CONCURRENCY"} == set()


def test_every_setting_is_declared_once():
    variables = [setting.env for setting in SETTINGS]
    keys = [setting.key for setting in SETTINGS] + list(FIXED)
    assert len(variables) == len(set(variables)) and len(keys) == len(set(keys))


def test_every_declared_default_reads_as_its_type():
    for setting in SETTINGS:
        assert setting.default == "" or setting.parse(setting.default) is not None, setting.key


def test_readme_defaults_are_the_declared_ones():
    """A default the README writes as a value is the declared one (a missing default is described in words)."""
    for variable, written in readme_rows().items():
        setting = by_variable().get(variable)
        if setting is not None and written is not None and setting.default:
            assert setting.parse(written) == setting.parse(setting.default), variable


def test_render_values_are_the_declared_production_defaults():
    production = ENVIRONMENTS["production"]
    _, _, blueprint = render_variables()
    entries = [v for g in blueprint["envVarGroups"] for v in g["envVars"]]
    entries += [v for s in blueprint["services"] for v in s.get("envVars", []) if "key" in v]
    for entry in entries:
        setting = by_variable().get(entry["key"])
        if setting is None or "value" not in entry:
            continue
        expected = RENDER_CHOICES.get(entry["key"], production.defaults.get(setting.key, setting.default))
        assert setting.parse(str(entry["value"])) == setting.parse(expected), entry["key"]


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
            assert entry.get("generateValue") or entry.get("sync") is False or "fromService" in entry, entry["key"]


def test_secrets_asked_for_are_asked_on_the_web_service_and_shared_with_every_other_process():
    """Render never asks for a ``sync: false`` variable inside an environment group: each is asked
    for on the web service, and every other process reads it from there (``fromService``)."""
    _, _, blueprint = render_variables()
    assert [v["key"] for g in blueprint["envVarGroups"] for v in g["envVars"] if "sync" in v] == []
    web = next(s for s in blueprint["services"] if s["name"] == "santrade-api")
    asked = [v["key"] for v in web["envVars"] if v.get("sync") is False]
    assert asked
    for service in blueprint["services"]:
        if service["type"] in ("keyvalue", "web"):
            continue
        shared = {v["key"]: v["fromService"] for v in service.get("envVars", []) if "fromService" in v}
        assert sorted(shared) == sorted(asked), service["name"]
        for key, source in shared.items():
            assert source == {"type": "web", "name": "santrade-api", "envVarKey": key}, (service["name"], key)


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
