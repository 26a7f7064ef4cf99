"""GET /app-config and the upgrade gate (API.md, Additions: app versions)."""
import pytest

from service_app.app_versions import parse_version
from service_app.config import ConfigError, environment
from tests.support.api import assert_error


@pytest.fixture
def versioned(make_app):
    return make_app(MIN_APP_VERSION_ANDROID="2.4.0", MIN_APP_VERSION_IOS="3.0", LATEST_APP_VERSION_ANDROID="2.6.1",
                    LATEST_APP_VERSION_IOS="3.2.0", SUPPORT_CONTACT="+7 727 000 00 00").test_client()


def app_headers(version, platform="android"):
    return {"X-App-Version": version, "X-App-Platform": platform}


def test_app_config_needs_no_token_and_says_everything(versioned):
    response = versioned.get("/api/v1/app-config")
    assert response.status_code == 200
    body = response.get_json()
    assert body["min_app_version"] == {"android": "2.4.0", "ios": "3.0"}
    assert body["latest_app_version"] == {"android": "2.6.1", "ios": "3.2.0"}
    assert body["languages"] == ["ru", "kk", "en"]
    statuses = {s["code"]: s for s in body["statuses"]}
    assert statuses["new"] == {"code": "new", "label": {"ru": "новая", "kk": "жаңа", "en": "new"}, "final": False}
    assert {code for code, s in statuses.items() if s["final"]} == {"closed", "rejected", "cancelled", "duplicate"}
    assert [p["code"] for p in body["priorities"]] == ["low", "normal", "high", "urgent"]
    assert all(set(p["label"]) == {"ru", "kk", "en"} for p in body["priorities"] + body["statuses"])
    assert body["limits"] == {"attachment_max_bytes": 10485760, "attachment_max_per_request": 10,
                              "title_max_length": 200, "description_max_length": 5000}
    assert body["privacy_policy_version"] == "1.1"
    assert body["support_contact"] == "+7 727 000 00 00"


APP_CONFIG = (  # the answer for the ``versioned`` settings, as it is sent
    '{"min_app_version":{"android":"2.4.0","ios":"3.0"},"latest_app_version":{"android":"2.6.1","ios":"3.2.0"},"languages":["ru","kk","en"],'
    '"statuses":[{"code":"new","label":{"ru":"новая","kk":"жаңа","en":"new"},"final":false},'
    '{"code":"in_progress","label":{"ru":"в работе","kk":"орындалуда","en":"in progress"},"final":false},'
    '{"code":"waiting","label":{"ru":"ждёт вашего ответа","kk":"сіздің жауабыңызды күтуде","en":"waiting for you"},"final":false},'
    '{"code":"resolved","label":{"ru":"выполнена","kk":"орындалды","en":"resolved"},"final":false},'
    '{"code":"closed","label":{"ru":"закрыта","kk":"жабылды","en":"closed"},"final":true},'
    '{"code":"rejected","label":{"ru":"отклонена","kk":"қабылданбады","en":"rejected"},"final":true},'
    '{"code":"cancelled","label":{"ru":"отменена","kk":"тоқтатылды","en":"cancelled"},"final":true},'
    '{"code":"duplicate","label":{"ru":"объединена с другой","kk":"басқа өтініммен біріктірілді",'
    '"en":"merged into another"},"final":true}],'
    '"priorities":[{"code":"low","label":{"ru":"низкий","kk":"төмен","en":"low"}},'
    '{"code":"normal","label":{"ru":"обычный","kk":"қалыпты","en":"normal"}},'
    '{"code":"high","label":{"ru":"высокий","kk":"жоғары","en":"high"}},'
    '{"code":"urgent","label":{"ru":"срочный","kk":"шұғыл","en":"urgent"}}],'
    '"limits":{"attachment_max_bytes":10485760,"attachment_max_per_request":10,"title_max_length":200,'
    '"description_max_length":5000},"privacy_policy_version":"1.1","support_contact":"+7 727 000 00 00"}\n'
)


def test_app_config_answers_the_same_bytes(versioned):
    """The statuses' and priorities' names come from the text catalogues; the answer stays byte for byte."""
    response = versioned.get("/api/v1/app-config")
    assert response.data == APP_CONFIG.encode("utf-8")
    assert response.headers["ETag"] == 'W/"620243955361387f10711abea473628507224cad"'


def test_app_config_is_conditional(versioned, make_app):
    first = versioned.get("/api/v1/app-config")
    tag = first.headers["ETag"]
    again = versioned.get("/api/v1/app-config", headers={"If-None-Match": tag})
    assert again.status_code == 304 and again.data == b"" and again.headers["ETag"] == tag
    raised = make_app(MIN_APP_VERSION_ANDROID="2.5.0", MIN_APP_VERSION_IOS="3.0", LATEST_APP_VERSION_ANDROID="2.6.1",
                      LATEST_APP_VERSION_IOS="3.2.0", SUPPORT_CONTACT="+7 727 000 00 00").test_client()
    changed = raised.get("/api/v1/app-config", headers={"If-None-Match": tag})
    assert changed.status_code == 200 and changed.headers["ETag"] != tag


def test_an_outdated_app_gets_426_everywhere_but_the_exempt_paths(versioned, world):
    old = app_headers("2.3.9")
    for path in ("/api/v1/me", "/api/v1/requests", "/api/v1/offices"):
        error = assert_error(versioned.get(path, headers={**world.employee.headers, **old}), 426, "upgrade_required")
        assert error["details"] == {"platform": "android", "min_version": "2.4.0", "latest_version": "2.6.1"}
    # Before sign-in too: the app learns it must update instead of failing to log in.
    assert_error(versioned.post("/api/v1/auth/login", json={"login": "x", "password": "y"}, headers=old), 426)
    for path in ("/api/v1/app-config", "/privacy", "/healthz", "/readyz", "/api/v1/openapi.json"):
        assert versioned.get(path, headers=old).status_code == 200, path
    ios = assert_error(versioned.get("/api/v1/me", headers={**world.employee.headers, **app_headers("2.9.9", "ios")}),
                       426)
    assert ios["details"]["min_version"] == "3.0"


@pytest.mark.parametrize("version, platform", [
    ("2.4.0", "android"), ("2.4", "android"), ("2.4.0.0", "android"), ("2.4.1+317", "android"),
    ("2.10.0", "Android"), ("3.0.0-beta.2", "ios"), ("10", "ios"),
])
def test_a_current_app_passes(versioned, world, version, platform):
    response = versioned.get("/api/v1/me", headers={**world.employee.headers, **app_headers(version, platform)})
    assert response.status_code == 200


@pytest.mark.parametrize("headers", [
    app_headers("abc"), app_headers("1..2"), app_headers("1.2.3.4.5"), app_headers(""), app_headers("v2.4.0"),
    app_headers("1" * 40), app_headers("2.4.0-" + "x" * 40), app_headers("2.4.0", "web"),
    app_headers("2.4.0", "windows"), {"X-App-Version": "2.4.0"}, {"X-App-Platform": "ios"},
])
def test_a_malformed_version_or_platform_is_400(versioned, world, headers):
    assert_error(versioned.get("/api/v1/me", headers={**world.employee.headers, **headers}), 400, "bad_request")


def test_no_headers_no_gate(versioned, world):
    assert versioned.get("/api/v1/me", headers=world.employee.headers).status_code == 200


def test_versions_compare_by_number():
    assert parse_version("2.10") > parse_version("2.9.9") > parse_version("2.9")
    assert parse_version("2.4") == parse_version("2.4.0.0") == parse_version("2.4.0+build.7")


def test_a_configured_version_must_be_a_version():
    with pytest.raises(ConfigError, match="MIN_APP_VERSION_IOS"):
        environment("development").read({"MIN_APP_VERSION_IOS": "latest"})


def test_the_426_is_documented(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    assert "426" in spec["paths"]["/api/v1/me"]["get"]["responses"]
    config = spec["paths"]["/api/v1/app-config"]["get"]
    assert config["operationId"] == "getAppConfig" and "304" in config["responses"]
