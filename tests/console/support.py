"""Signing in to the staff console with Flask's test client."""
import re

from tests.support.api import DEMO_PASSWORD

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def console_sign_in(client, login, password=DEMO_PASSWORD):
    """Sign ``client`` in to the console; returns the CSRF token of the session."""
    response = console_post_login(client, {"login": login, "password": password})
    assert response.status_code == 303, response.get_data(as_text=True)[:500]
    return csrf_of(client)


LOGIN_COOKIE = "santrade_console_login"


def login_token(client):
    """The CSRF token of the sign-in form the console gives ``client`` (with its pre-session cookie)."""
    page = client.get("/console/login")
    match = CSRF.search(page.get_data(as_text=True))
    return match.group(1) if match else ""


def console_post_login(client, form):
    """Post the console's sign-in form ``form`` as a browser does, from the sign-in page."""
    return client.post("/console/login", data={"csrf_token": login_token(client), **form})


def signed_in_client(app, login, password=DEMO_PASSWORD):
    """A fresh test client signed in to the console; returns (client, CSRF token)."""
    client = app.test_client()
    return client, console_sign_in(client, login, password)


def csrf_of(client, path="/console/"):
    page = client.get(path, follow_redirects=True)
    match = CSRF.search(page.get_data(as_text=True))
    assert match, page.get_data(as_text=True)[:500]
    return match.group(1)


# A request whose every part a follower may not read is recognisable in a page.
SECRET_DESCRIPTION = "I am pregnant and need the HR certificate by Friday"
FORM_QUESTION = {"key": "symptom", "type": "choice", "required": False,
                 "label": {"ru": "Что случилось", "kk": "Не болды", "en": "What happened"},
                 "options": [{"value": "not_cooling", "label": {"ru": "Не охлаждает", "kk": "Салқындатпайды",
                                                                "en": "Does not cool"}}]}
STAFF_REPLY = "A technician comes at noon"
INTERNAL_NOTE = "The compressor relay is worn"


def followed_request(app, client, world, submit, follower):
    """A request of the employee Aigerim (Almaty, facilities) with a description, a form answer, a
    photo, a public staff reply, an internal note and a status move, followed by ``follower``.

    The follower row is written as ``following.follow`` writes it (``add_followers``), whatever
    the rules of who may follow what: what is tested is what a follower reads."""
    from service_app.extensions import db
    from service_requests.following import add_followers
    from tests.support.photos import attach_photo

    changed = client.patch("/api/v1/categories/FAC-AC", json={"fields": [FORM_QUESTION]}, headers=world.admin.headers)
    assert changed.status_code == 200, changed.get_json()
    made = submit(title="Certificate for the office", description=SECRET_DESCRIPTION, fields={"symptom": "not_cooling"})
    attach_photo(client, world.employee, made["id"])
    for body in ({"body": STAFF_REPLY}, {"body": INTERNAL_NOTE, "internal": True}):
        posted = client.post(f"/api/v1/requests/{made['id']}/comments", json=body, headers=world.admin.headers)
        assert posted.status_code == 201, posted.get_json()
    moved = client.post(f"/api/v1/requests/{made['id']}/status", json={"status": "in_progress"},
                        headers=world.admin.headers)
    assert moved.status_code == 200, moved.get_json()
    with app.app_context():
        add_followers(made["id"], [follower.id])
        db.session.commit()
    return client.get(f"/api/v1/requests/{made['id']}", headers=world.admin.headers).get_json()
