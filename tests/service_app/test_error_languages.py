"""Error messages in the caller's language (API.md, "Languages"): the signed-in user's
``language``, else ``Accept-Language``, else ``ru``; ``code`` never changes.

The suite's client asks for English by default (``tests/conftest.py``); every test here
says which language it asks for, or removes the header to get the default.
"""
import ast
import inspect
import json
import pathlib
import re

import marshmallow as ma
import pytest
import webargs.core
from marshmallow import validate
from werkzeug.exceptions import default_exceptions

from service_app import catalogues, gunicorn_errors, i18n
from service_app.vocabulary import LANGUAGES
from service_requests.models import PRIORITIES, STATUSES
from tests.support.api import assert_error, bearer
from tests.support.places import ALA_POINT

ROOT = pathlib.Path(__file__).resolve().parents[2]
CYRILLIC = re.compile("[\u0400-\u04ff]")
KAZAKH_LETTERS = re.compile("[әғқңөұүһі]", re.IGNORECASE)


@pytest.fixture
def anonymous(client):
    """The test client without the suite's default ``Accept-Language: en``."""
    client.environ_base.pop("HTTP_ACCEPT_LANGUAGE", None)
    return client


def ask(language):
    return {} if language is None else {"Accept-Language": language}


# --- through HTTP ---------------------------------------------------------------------


BAD_LOGIN = {"login": "x", "password": 5}
LOGIN_MESSAGES = {
    "ru": ("password: Ожидается строка.", {"password": ["Ожидается строка."]}),
    "kk": ("password: Жол күтілген.", {"password": ["Жол күтілген."]}),
    "en": ("password: Not a valid string.", {"password": ["Not a valid string."]}),
}


@pytest.mark.parametrize("header, language", [
    (None, "ru"), ("kk", "kk"), ("en", "en"), ("ru", "ru"),
    ("kk-KZ,ru;q=0.8", "kk"), ("ru-RU, en;q=0.5", "ru"), ("de-DE, en;q=0.3", "en"), ("de", "ru"), ("*", "ru"),
])
def test_the_same_bad_input_answers_in_the_asked_language_with_the_same_code(anonymous, header, language):
    response = anonymous.post("/api/v1/auth/login", json=BAD_LOGIN, headers=ask(header))
    error = assert_error(response, 422, "validation_error")
    assert (error["message"], error["details"]) == LOGIN_MESSAGES[language]
    assert response.headers["Content-Language"] == language
    assert "Accept-Language" in response.headers["Vary"]


def create_request_error(client, headers):
    body = {"category": "FAC-AC", "location": ALA_POINT, "colour": "red"}
    return assert_error(client.post("/api/v1/requests", json=body, headers=headers), 422, "validation_error")


def test_details_of_a_create_request_body_are_translated(client, world):
    employee = world.employee.headers
    english = create_request_error(client, {**employee, "Accept-Language": "en"})
    assert english["details"] == {"title": ["Missing data for required field."], "colour": ["Unknown field."]}
    client.patch("/api/v1/me", json={"language": "ru"}, headers=employee)
    russian = create_request_error(client, employee)
    assert russian["details"] == {"title": ["Обязательное поле."], "colour": ["Неизвестное поле."]}
    assert russian["message"] in ("title: Обязательное поле.", "colour: Неизвестное поле.")
    client.patch("/api/v1/me", json={"language": "kk"}, headers=employee)
    kazakh = create_request_error(client, employee)
    assert kazakh["details"] == {"title": ["Міндетті өріс."], "colour": ["Белгісіз өріс."]}


def test_the_signed_in_users_language_wins_over_accept_language(client, auth):
    account = auth("employee", language="kk")
    headers = {**account.headers, "Accept-Language": "en"}
    error = assert_error(client.get("/api/v1/requests/999999", headers=headers), 404, "not_found")
    assert error["message"] == "мұндай өтінім жоқ"
    # Refused by a validation error before the view runs: the token still names the user.
    error = assert_error(client.post("/api/v1/requests", json={}, headers=headers), 422, "validation_error")
    assert error["details"]["title"] == ["Міндетті өріс."]
    # And a role refusal.
    error = assert_error(client.get("/api/v1/users", headers=headers), 403, "forbidden")
    assert error["message"] == "сіздің рөліңізге бұған рұқсат жоқ"


def test_a_user_who_changes_language_reads_errors_in_the_new_one(client, auth):
    account = auth("employee", language="en")
    assert assert_error(client.get("/api/v1/requests/999999", headers=account.headers), 404)["message"] == \
        "no such request"
    client.patch("/api/v1/me", json={"language": "ru"}, headers=account.headers)
    assert assert_error(client.get("/api/v1/requests/999999", headers=account.headers), 404)["message"] == \
        "нет такой заявки"


@pytest.mark.parametrize("header, message", [
    (None, "нужен токен (Authorization: Bearer)"),
    ("kk", "токен қажет (Authorization: Bearer)"),
    ("en", "a bearer token is required"),
])
def test_a_jwt_refusal_is_translated(anonymous, header, message):
    error = assert_error(anonymous.get("/api/v1/me", headers=ask(header)), 401, "unauthorized")
    assert error["message"] == message


def test_an_invalid_token_is_refused_in_the_asked_language_and_never_names_a_user(anonymous, auth):
    account = auth("employee", language="en")
    tampered = account.tokens["access_token"][:-4] + "AAAA"
    error = assert_error(anonymous.get("/api/v1/me", headers={**bearer(tampered), "Accept-Language": "kk"}),
                         401, "invalid_token")
    assert error["message"] == "токен жарамсыз: қолтаңба тексеруден өтпеді"
    error = assert_error(anonymous.get("/api/v1/me", headers=bearer("x.y.z")), 401, "invalid_token")
    assert error["message"].startswith("токен недействителен: ")
    # A refresh token where an access token is needed.
    error = assert_error(anonymous.get("/api/v1/me", headers=bearer(account.tokens["refresh_token"])),
                         401, "invalid_token")
    assert error["message"] == "токен недействителен: допускаются только access-токены"


def test_a_revoked_token_does_not_choose_the_language(anonymous, client, auth):
    account = auth("employee", language="en")
    client.post("/api/v1/auth/logout", headers=account.headers)
    error = assert_error(anonymous.get("/api/v1/requests/1", headers=account.headers), 401, "token_revoked")
    assert error["message"] == "токен отозван"


@pytest.mark.parametrize("header, not_found, not_allowed", [
    (None, "не найдено", "этот метод не разрешён для этого пути"),
    ("kk", "табылмады", "бұл жолда бұл әдіске рұқсат жоқ"),
    ("en", "not found", "method not allowed on this path"),
])
def test_404_and_405_are_translated(anonymous, header, not_found, not_allowed):
    assert assert_error(anonymous.get("/api/v1/nothing-here", headers=ask(header)), 404,
                        "not_found")["message"] == not_found
    response = anonymous.delete("/api/v1/auth/login", headers=ask(header))
    assert assert_error(response, 405, "method_not_allowed")["message"] == not_allowed
    assert "POST" in response.headers["Allow"]


def test_invalid_json_and_a_body_over_the_limit_are_translated(make_app):
    client = make_app(MAX_CONTENT_LENGTH=1024).test_client()
    response = client.post("/api/v1/auth/login", data="{not json", content_type="application/json",
                           headers={"Accept-Language": "kk"})
    assert assert_error(response, 400, "invalid_json")["message"] == "сұрау денесі дұрыс JSON емес"
    response = client.post("/api/v1/auth/login", json={"login": "x" * 2000}, headers={"Accept-Language": "ru"})
    assert assert_error(response, 413, "payload_too_large")["message"] == "тело запроса больше допустимого"


def test_a_chunked_body_over_the_limit_is_refused_in_the_asked_language(make_app):
    client = make_app(MAX_CONTENT_LENGTH=1024).test_client()

    response = client.post("/api/v1/auth/login", data=b"x" * 4096, content_type="application/json",
                           headers={"Transfer-Encoding": "chunked", "Accept-Language": "kk"},
                           environ_overrides={"CONTENT_LENGTH": "", "wsgi.input_terminated": True})
    assert assert_error(response, 413, "payload_too_large")["message"] == "сұрау денесі шектен үлкен"
    assert response.headers["Content-Language"] == "kk"


def test_a_message_with_values_keeps_them(client, world):
    headers = {**world.employee.headers}
    client.patch("/api/v1/me", json={"language": "ru"}, headers=headers)
    body = {"title": "ab", "category": "FAC-AC", "location": ALA_POINT, "priority": "whenever"}
    error = assert_error(client.post("/api/v1/requests", json=body, headers=headers), 422, "validation_error")
    assert error["details"]["title"] == ["Длина должна быть от 3 до 200."]
    assert error["details"]["priority"] == [f"Допустимые значения: {', '.join(PRIORITIES)}."]


def test_a_rate_limited_answer_is_translated(make_app):
    client = make_app(RATELIMIT_ENABLED=True, LOGIN_LIMIT_PER_ACCOUNT="1 per day").test_client()
    guess = {"login": "nobody-here", "password": "bad-guess-1"}
    first = client.post("/api/v1/auth/login", json=guess, headers={"Accept-Language": "ru"})
    assert assert_error(first, 401, "invalid_credentials")["message"] == "неверный логин или пароль"
    blocked = client.post("/api/v1/auth/login", json=guess, headers={"Accept-Language": "kk"})
    error = assert_error(blocked, 429, "rate_limited")
    assert error["message"] == "әрекет тым көп, кейінірек қайталаңыз (1 per 1 day)"


def test_invalid_transition_details_keep_their_values(client, world, submit):
    rid = submit()["id"]
    client.patch("/api/v1/me", json={"language": "kk"}, headers=world.employee.headers)
    response = client.post(f"/api/v1/requests/{rid}/status", json={"status": "closed"},
                           headers=world.employee.headers)
    error = assert_error(response, 409, "invalid_transition")
    assert error["details"]["from"] == "new" and error["details"]["to"] == "closed"
    assert error["message"].startswith("new күйінен closed күйіне ауыстыруға болмайды; рұқсат етілгені: ")


def test_gunicorn_refusals_are_in_the_default_language():
    raw = gunicorn_errors.json_error_page(414, "URI Too Long")
    head, _, body = raw.partition(b"\r\n\r\n")
    assert json.loads(body)["error"] == {"code": "uri_too_long", "message": "строка запроса длиннее допустимого",
                                         "details": None}
    assert f"Content-Length: {len(body)}".encode() in head and b"Content-Language: ru" in head


# --- the catalogue --------------------------------------------------------------------


def _entries(catalogue):
    return {m.id: m for m in catalogue if m.id}


TEMPLATE = _entries(catalogues.read_template("errors"))


def test_every_entry_has_russian_and_kazakh_with_the_same_placeholders():
    """Each message of ``errors.pot`` is translated in ``<lang>/LC_MESSAGES/errors.po``: every form,
    not fuzzy, in Cyrillic, with the English placeholders."""
    placeholder = re.compile(r"\{([a-z_][a-z0-9_]*)\}")
    assert len(TEMPLATE) > 350
    problems = []
    for language in ("ru", "kk"):
        catalogue = catalogues.read_catalogue(language, "errors")
        found = _entries(catalogue)
        if set(found) != set(TEMPLATE):
            problems.append((language, "differs from errors.pot: run make messages",
                             sorted(map(str, set(found) ^ set(TEMPLATE)))))
        for english, message in found.items():
            forms = message.string if isinstance(message.string, tuple) else (message.string,)
            englishes = english if isinstance(english, tuple) else (english,)
            if message.fuzzy or (isinstance(english, tuple) and len(forms) != catalogue.num_plurals):
                problems.append((language, english, "fuzzy or not every plural form"))
            for text in forms:
                if not (text and text not in englishes and CYRILLIC.search(text)):
                    problems.append((language, english, text))
                elif sorted(set(placeholder.findall(text))) != sorted(set(placeholder.findall(englishes[-1]))):
                    problems.append((language, english, text, "placeholders"))
    assert problems == []


def test_kazakh_is_not_russian():
    """A Kazakh rendering differs from the Russian one (a copy-paste slip would not)."""
    russian = _entries(catalogues.read_catalogue("ru", "errors"))
    kazakh = _entries(catalogues.read_catalogue("kk", "errors"))
    same = [english for english in TEMPLATE if kazakh[english].string == russian[english].string
            and not re.fullmatch(r"[\d\s\w]*цифр", str(russian[english].string))]
    assert same == []
    with_kazakh_letters = sum(bool(KAZAKH_LETTERS.search(str(m.string))) for m in kazakh.values())
    assert with_kazakh_letters > len(kazakh) * 0.6


@pytest.mark.parametrize("status", [400, 401, 403, 404, 405, 406, 408, 409, 410, 411, 412, 413, 414, 415, 416, 417, 418,
                                    421, 422, 423, 424, 428, 429, 431, 451, 500, 501, 502, 503, 504, 505])
def test_werkzeugs_own_texts_for_an_http_error_are_translated(status):
    """An HTTP error raised without a message answers werkzeug's own name or description."""
    error = default_exceptions[status]()
    for text in (error.name, error.description):
        for language in ("ru", "kk"):
            assert CYRILLIC.search(i18n.translate(text, language)), (status, text, language)


@pytest.mark.parametrize("message, russian", [
    ("to: the period is longer than 1 days", "to: период длиннее 1 дня"),
    ("to: the period is longer than 3 days", "to: период длиннее 3 дней"),
    ("to: the period is longer than 31 days", "to: период длиннее 31 дня"),
    ("to: the period is longer than 366 days", "to: период длиннее 366 дней"),
    ("at most 21 filters", "не более 21 фильтра"),
    ("at most 11 filters", "не более 11 фильтров"),
    ("at most 24 filters", "не более 24 фильтров"),
    ("the image has 41 pixels, more than the limit of 40 (or it looks like a decompression bomb)",
     "в изображении 41 пиксель, больше предела 40 (или оно похоже на декомпрессионную бомбу)"),
    ("the image has 42 pixels, more than the limit of 40 (or it looks like a decompression bomb)",
     "в изображении 42 пикселя, больше предела 40 (или оно похоже на декомпрессионную бомбу)"),
])
def test_a_number_of_things_takes_its_russian_form(message, russian):
    """A message with plural forms: its first whole number chooses the form (1, 21: one; 2-4, 22: few; 5, 11: many)."""
    assert i18n.translate(message, "ru") == russian


def test_a_message_with_plural_forms_is_recognised_in_the_singular_too():
    assert i18n.translate("at most 1 day", "ru") == "не более 1 дня"
    assert i18n.translate("at most 1 day", "kk") == "ең көбі 1 күн"


def test_values_that_are_data_are_never_translated():
    """Statuses, priorities and languages appear in details as data (``invalid_transition``)."""
    for word in (*STATUSES, *PRIORITIES, *LANGUAGES, "none"):
        for language in ("ru", "kk"):
            assert i18n.translate(word, language) == word


def test_an_unknown_message_stays_english_and_english_stays_english():
    assert i18n.translate("something nobody wrote yet", "ru") == "something nobody wrote yet"
    assert i18n.translate("title: something nobody wrote yet", "kk") == "title: something nobody wrote yet"
    assert i18n.translate("Unknown field.", "en") == "Unknown field."
    assert i18n.translate("x" * 5000, "ru") == "x" * 5000


def test_a_field_prefix_keeps_the_field_and_nested_messages_are_translated():
    assert i18n.translate("location.lat: Not a valid number.", "ru") == "location.lat: Ожидается число."
    assert i18n.translate("business_hours: mon: intervals overlap or are out of order", "kk") == \
        "business_hours: mon: аралықтар қиылысады немесе ретімен емес"
    assert i18n.translate("resolution_minutes: office ALA is open 60 minutes a week, a target of 9999 business "
                          "minutes would end more than 400 days later", "ru") == \
        "resolution_minutes: офис ALA: открыт 60 минут в неделю, срок в 9999 рабочих минут закончился бы " \
        "больше чем через 400 дней"


# --- every message has its translations -----------------------------------------------

PACKAGES = ("service_app", "offices", "service_requests", "notifications")
# Callables that take a message for the client, and which positional argument it is.
MESSAGE_ARGUMENT = {"ApiError": 2, "invalid": 1, "ValidationError": 0, "_invalid": 0, "_unsupported": 0,
                    "ImageRejected": 2, "get_or_404": 2, "GeometryError": 0, "error_response": 2,
                    "_refusal": 1, "envelope": 1, "translate": 0}
VALIDATORS = {"Regexp", "Length", "OneOf", "Range", "Equal", "NoneOf", "ContainsOnly", "ContainsNoneOf", "Predicate"}
# Modules whose ValueErrors reach the client as messages (``offices.hours`` passes them on).
VALUE_ERRORS_SHOWN = {"offices/calendar.py"}
NOT_FOR_CLIENTS = {
    "{name} must be a datetime, got {type(value).__name__}",  # a programming error, never a request's
    "{name} must be timezone-aware (naive datetimes are ambiguous)",
    "public_holidays must be a country code or None",
    "minutes must be a finite number >= 0, got {minutes}",
}


def _sample(node):
    """The message an argument writes, with each interpolated value as a plain word; None if not literal."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value, node.value
    if isinstance(node, ast.JoinedStr):
        sample, source, words = [], [], {}
        for part in node.values:
            if isinstance(part, ast.Constant):
                sample.append(part.value)
                source.append(part.value)
            else:
                expression = ast.unparse(part.value)
                sample.append(words.setdefault(expression, f"v{len(words) + 1}"))  # the same value, the same word
                source.append("{" + expression + "}")
        return "".join(sample), "".join(source)
    return None


def _name(func):
    return func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)


def _literal_messages():
    """Every literal message the code hands to a client: ``(place, sample, source)``."""
    found = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            relative = str(path.relative_to(ROOT))
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                candidates = []
                if isinstance(node, ast.Call):
                    name = _name(node.func)
                    index = MESSAGE_ARGUMENT.get(name)
                    if index is not None and len(node.args) > index:
                        candidates.append(node.args[index])
                    if name == "ValueError" and relative in VALUE_ERRORS_SHOWN and node.args:
                        candidates.append(node.args[0])
                    if name in VALIDATORS:  # validate.Regexp(..., error="...")
                        candidates.extend(k.value for k in node.keywords if k.arg == "error")
                    if name == "ApiError" and len(node.args) > 3 and isinstance(node.args[3], ast.Dict):
                        for value in node.args[3].values:
                            if isinstance(value, ast.List):
                                candidates.extend(value.elts)
                elif isinstance(node, ast.FunctionDef) and (node.name.endswith("problem") or node.name == "_unsupported"):
                    candidates.extend(sub.value for sub in ast.walk(node) if isinstance(sub, ast.Return) and sub.value)
                    candidates.extend(d for d in node.args.defaults)
                elif isinstance(node, ast.Assign) and any(
                        isinstance(t, ast.Name) and (t.id.endswith("NOT_FOUND") or t.id == "CODE_RULE")
                        for t in node.targets):
                    candidates.append(node.value)
                elif isinstance(node, ast.Dict) and relative == "service_app/gunicorn_errors.py":
                    candidates.extend(v.elts[1] for v in node.values if isinstance(v, ast.Tuple))
                elif isinstance(node, ast.DictComp) and relative == "service_app/users/scope_checks.py":
                    if isinstance(node.value, ast.List):
                        candidates.extend(node.value.elts)
                for candidate in candidates:
                    sample = _sample(candidate)
                    if sample and sample[1] not in NOT_FOR_CLIENTS and sample[0].strip():
                        found.append((f"{relative}:{candidate.lineno}", *sample))
    return found


def test_the_scan_finds_the_messages():
    """The scan below would pass vacuously if it found nothing."""
    sources = {source for _, _, source in _literal_messages()}
    assert len(sources) > 120
    assert "no such request" in sources and "your role may not do this" in sources
    assert "{where}: ring is not closed (first and last positions differ)" in sources


def test_every_message_the_code_writes_has_russian_and_kazakh():
    """Fails for a new English message without its entry in ``service_app/translations/errors.pot`` (and its
    translations in each language's ``errors.po``)."""
    missing = []
    for place, sample, source in _literal_messages():
        if re.fullmatch(r"(\{[^{}]+\}|[\w.-]+): \{[^{}]+\}", source):
            continue  # ``invalid``'s own shape, "{field}: {message}": the message is checked where it is written
        for language in ("ru", "kk"):
            rendered = i18n.translate(sample, language)
            if rendered == sample or not CYRILLIC.search(rendered):
                missing.append(f"{place}: {source!r} ({language})")
    assert missing == []


def _library_messages():
    """Every default message of marshmallow's fields and validators, of Schema, and webargs'."""
    messages = set()
    for _, cls in inspect.getmembers(ma.fields, inspect.isclass):
        for klass in cls.__mro__:
            messages.update(getattr(klass, "default_error_messages", {}).values())
    messages.update(ma.Schema._default_error_messages.values())
    for _, cls in inspect.getmembers(validate, inspect.isclass):
        for attribute, value in vars(cls).items():
            if isinstance(value, str) and (attribute == "default_message" or attribute.startswith("message_")):
                messages.add(value)
    messages.add(webargs.core.Parser.DEFAULT_VALIDATION_MESSAGE)
    messages.add("Invalid JSON body.")
    return messages


def _expand(message):
    """A library template as it is written to a client: its placeholders filled in."""
    samples = []
    if "{min_op}" in message or "{max_op}" in message:
        for low in ("greater than or equal to", "greater than"):
            for high in ("less than or equal to", "less than"):
                samples.append(message.format(min_op=low, max_op=high).format(min=1, max=9))
        return samples
    if message in ("greater than or equal to", "greater than", "less than or equal to", "less than"):
        return []  # Range's operator words, only ever inside the messages above
    values = {"input": "'x'", "obj_type": "datetime", "awareness": "aware", "choices": "a, b", "values": "a, b",
              "min": 1, "max": 9, "equal": 5, "other": "x"}
    rendered = message.replace("{input!r}", "{input}").format(**values)
    samples.append(rendered)
    if "{obj_type}" in message:
        for kind in ("date", "time", "datetime"):
            for awareness in ("aware", "naive"):
                samples.append(message.replace("{input!r}", "{input}").format(**{**values, "obj_type": kind,
                                                                                 "awareness": awareness}))
    return samples


def test_every_default_message_of_marshmallow_and_webargs_has_russian_and_kazakh():
    missing = []
    messages = _library_messages()
    assert "Missing data for required field." in messages and "Length must be between {min} and {max}." in messages
    for message in messages:
        for sample in _expand(message):
            for language in ("ru", "kk"):
                if not CYRILLIC.search(i18n.translate(sample, language)):
                    missing.append((sample, language))
    assert missing == []
