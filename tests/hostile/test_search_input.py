"""Hostile ``q``: the search words are bounded (API.md: at most 200 characters and 10 words) wherever
the request list's filters are read: the list, its CSV, saved views and the console's queue. Beyond
the bound the answer is 422 (the console's error page), never a 500, and nothing is written."""
import json

import pytest

from tests.console.support import signed_in_client as console_client
from tests.support.api import all_rows as snapshot
from tests.support.api import assert_error

ELEVEN_WORDS = " ".join(["шум"] * 11)
# Words joined by punctuation are words all the same: the search reads each one.
TOO_MANY = [ELEVEN_WORDS, "-".join("abcdefghijk"), "a,b,c,d,e,f,g,h,i,j,k", "sr-1 " * 6, "я" * 201,
            "x " * 100 + "x"]
# 10 words, 200 characters, as one description: what q may at most be, and still finds its request.
LONGEST = " ".join(word * 19 + "ь" * (1 if i == 0 else 0)
                   for i, word in enumerate("абвгдежзик"))[:200]


def test_the_longest_q_is_200_characters_and_10_words():
    assert len(LONGEST) == 200 and len(LONGEST.split()) == 10


@pytest.mark.parametrize("q", TOO_MANY)
@pytest.mark.parametrize("path", ["/api/v1/requests", "/api/v1/requests.csv"])
def test_q_over_200_characters_or_10_words_is_a_422(app, client, world, submit, path, q):
    submit(title="Кондиционер шумит")
    before = snapshot(app)
    response = client.get(path, query_string={"q": q}, headers=world.admin.headers)
    assert "q" in assert_error(response, 422, "validation_error")["details"]
    assert snapshot(app) == before


@pytest.mark.parametrize("language, text", [("en", "more than 10 words"), ("ru", "больше 10 слов"),
                                            ("kk", "10 сөзден көп")])
def test_the_refusal_says_why_in_the_readers_language(client, auth, language, text):
    reader = auth("employee", language=language)
    response = client.get("/api/v1/requests", query_string={"q": ELEVEN_WORDS}, headers=reader.headers)
    assert assert_error(response, 422, "validation_error")["details"]["q"] == [text]


@pytest.mark.parametrize("q", ["-шум", "-шум -свет", "  -кондиционер  ", "-sr-000001"])
def test_q_that_only_excludes_words_is_a_422(client, world, submit, q):
    """Looking for no word, such a search could only read every request (and ``-word`` alone cannot be
    looked up in an index)."""
    submit(title="Кондиционер шумит")
    response = client.get("/api/v1/requests", query_string={"q": q}, headers=world.admin.headers)
    assert assert_error(response, 422, "validation_error")["details"]["q"] == [
        "only excluded words (-word): name a word to look for"]


@pytest.mark.parametrize("q", ["кондиционер -шум", "-шум кондиционер", "%", "-", "шум-свет", "SR-000001"])
def test_q_with_a_word_to_look_for_is_searched(client, world, submit, q):
    submit(title="Кондиционер шумит")
    response = client.get("/api/v1/requests", query_string={"q": q}, headers=world.admin.headers)
    assert response.status_code == 200, response.get_json()


def test_q_of_200_characters_and_10_words_is_searched(client, world, submit):
    rid = submit(title="Длинное описание", description=LONGEST)["id"]
    submit(title="Кондиционер шумит")
    response = client.get("/api/v1/requests", query_string={"q": LONGEST}, headers=world.admin.headers)
    assert response.status_code == 200, response.get_json()
    assert [item["id"] for item in response.get_json()["items"]] == [rid]


def _refused(response):
    """The details of a view's 422: the list's own (``q``), or the view's bound on a filter's value."""
    details = assert_error(response, 422, "validation_error")["details"]
    return details.get("filters", details)


@pytest.mark.parametrize("q", [ELEVEN_WORDS, "я" * 201])
def test_a_saved_view_with_such_a_q_is_a_422_and_saves_nothing(app, client, world, q):
    before = snapshot(app)
    response = client.post("/api/v1/views", data=json.dumps({"name": "Шум", "filters": {"q": q}}),
                           headers={**world.admin.headers, "Content-Type": "application/json"})
    assert "q" in _refused(response)
    assert snapshot(app) == before
    made = client.post("/api/v1/views", json={"name": "Шум", "filters": {"q": "шум"}}, headers=world.admin.headers)
    assert made.status_code == 201, made.get_json()
    before = snapshot(app)
    response = client.patch(f"/api/v1/views/{made.get_json()['id']}", json={"filters": {"q": q}},
                            headers=world.admin.headers)
    assert "q" in _refused(response)
    assert snapshot(app) == before


@pytest.mark.parametrize("q", [ELEVEN_WORDS, "я" * 201])
def test_the_consoles_search_box_refuses_it_with_an_error_page(app, world, submit, q):
    submit(title="Кондиционер шумит")
    browser, _ = console_client(app, world.admin.login)
    before = snapshot(app)
    response = browser.get("/console/requests", query_string={"q": q})
    assert response.status_code == 422
    assert "text/html" in response.content_type
    page = response.get_data(as_text=True)
    assert 'data-testid="error-message"' in page and "q:" in page
    assert snapshot(app) == before


def test_the_consoles_search_box_takes_the_longest_q(app, world, submit):
    made = submit(title="Длинное описание", description=LONGEST)
    browser, _ = console_client(app, world.admin.login)
    response = browser.get("/console/requests", query_string={"q": LONGEST})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert page.count('data-testid="queue-row"') == 1 and made["number"] in page
    assert 'maxlength="200"' in page
