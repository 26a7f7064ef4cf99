"""A walk over every console route: none answers without a session, none changes anything
without the CSRF token. (The API's routes have their own walk: tests/e2e/test_route_walk.py.)"""
import re

import pytest
import sqlalchemy as sa

from service_app.extensions import db
from tests.console.support import console_sign_in

OPEN = {"console.static", "console.login", "console.sign_in"}
CHANGES = {"POST", "PUT", "PATCH", "DELETE"}


def console_routes(app):
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: (r.rule, r.endpoint)):
        if rule.endpoint.startswith("console.") and rule.endpoint not in OPEN:
            for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
                yield rule, method


def path_of(rule):
    return re.sub(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>", lambda m: "x" if m.group(1) in ("string", "path") else "1",
                  rule.rule)


def test_there_are_console_routes_to_walk(app):
    assert len(list(console_routes(app))) >= 3


def test_without_a_session_every_console_route_sends_to_the_sign_in(app, client):
    problems = []
    for rule, method in console_routes(app):
        response = client.open(path_of(rule), method=method)
        if response.status_code != 303 or "/console/login" not in response.headers.get("Location", ""):
            problems.append(f"{method} {rule.rule}: {response.status_code}")
    assert not problems


def _row_counts():
    return {table.name: db.session.scalar(sa.select(sa.func.count()).select_from(table))
            for table in db.metadata.sorted_tables}


@pytest.mark.parametrize("role", ["administrator", "manager"])
def test_with_a_session_but_no_csrf_token_no_change_goes_through(app, client, make_user, world, role):
    console_sign_in(client, make_user(role).login)
    with app.app_context():
        before = _row_counts()
    problems = []
    for rule, method in console_routes(app):
        if method in CHANGES:
            response = client.open(path_of(rule), method=method, data={"name": "x", "status": "closed"})
            if response.status_code != 403:
                problems.append(f"{method} {rule.rule}: {response.status_code}")
    with app.app_context():
        after = _row_counts()
    assert not problems
    before.pop("console_sessions"), after.pop("console_sessions")
    assert before == after
