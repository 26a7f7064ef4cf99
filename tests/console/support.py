"""Signing in to the staff console with Flask's test client."""
import re

from tests.support.api import DEMO_PASSWORD

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def console_sign_in(client, login, password=DEMO_PASSWORD):
    """Sign ``client`` in to the console; returns the CSRF token of the session."""
    response = client.post("/console/login", data={"login": login, "password": password})
    assert response.status_code == 303, response.get_data(as_text=True)[:500]
    return csrf_of(client)


def signed_in_client(app, login, password=DEMO_PASSWORD):
    """A fresh test client signed in to the console; returns (client, CSRF token)."""
    client = app.test_client()
    return client, console_sign_in(client, login, password)


def csrf_of(client, path="/console/"):
    page = client.get(path, follow_redirects=True)
    match = CSRF.search(page.get_data(as_text=True))
    assert match, page.get_data(as_text=True)[:500]
    return match.group(1)
