"""The queue's search box in a real browser: it takes at most 200 characters, a search of more than
10 words is refused with the console's error page (not a 500), and a search within the bound finds
its request."""
from playwright.sync_api import expect

from tests.browser.conftest import sign_in


def test_the_search_box_is_bounded_and_a_refusal_is_an_error_page(page, live_server, submit, world):
    made = submit(title="Кондиционер шумит в переговорной")
    submit(title="Лампа мигает")
    sign_in(page, world.admin.login)
    box = page.get_by_label("Search")
    box.fill("ш" * 250)
    expect(box).to_have_value("ш" * 200)  # maxlength: the browser keeps the first 200

    box.fill(" ".join(["шум"] * 11))
    with page.expect_response(lambda r: "/console/requests" in r.url) as answer:
        page.get_by_test_id("queue-filters").get_by_role("button").first.click()
    assert answer.value.status == 422
    expect(page.get_by_test_id("error-message")).to_contain_text("q:")

    page.goto("/console/requests")
    page.get_by_label("Search").fill("кондиционер шумит")
    page.get_by_test_id("queue-filters").get_by_role("button").first.click()
    rows = page.get_by_test_id("queue-row")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(made["number"])
