"""``q`` on GET /requests (service_requests.search): number, title, description and public
comments for everyone who sees the request; internal notes for the staff responsible for it.

On both databases: the plain match, the number, comments, the internal-note rule, edits and
retention keeping the searched words current. On PostgreSQL: Russian stemming, typos, Kazakh
word forms and English through the full-text search and trigrams.
"""
from datetime import timedelta

import pytest

from service_app.database import utcnow
from service_app.extensions import db
from service_requests.models import ServiceRequest
from tests.support.api import assert_error, move

postgres_only = pytest.mark.postgres_only


@pytest.fixture
def found(client, world):
    """The ids ``who`` (default: the administrator with every office) finds with ``q``."""

    def do(q, who=None):
        response = client.get("/api/v1/requests", query_string={"q": q, "limit": 100},
                              headers=(who or world.admin).headers)
        assert response.status_code == 200, response.get_json()
        return {item["id"] for item in response.get_json()["items"]}

    return do


def comment(client, who, rid, body, internal=False):
    response = client.post(f"/api/v1/requests/{rid}/comments", json={"body": body, "internal": internal},
                           headers=who.headers)
    assert response.status_code == 201, response.get_json()


def test_title_and_description_words_are_found_whatever_their_case(submit, found):
    ac = submit(title="Кондиционер не работает", description="В переговорной ЖАРКО, ёлки-палки")["id"]
    printer = submit(title="Printer is jammed", description="Paper stuck in tray 2")["id"]
    assert found("кондиционер") == {ac}
    assert found("КОНДИЦИОНЕР") == {ac}  # Cyrillic folded, which SQLite's lower() would not do
    assert found("жарко") == {ac}
    assert found("елки") == {ac}  # ё is searched as е
    assert found("PRINTER") == {printer}
    assert found("tray") == {printer}
    assert found("холодильник") == set()


def test_a_number_is_not_matched_by_a_similar_number(client, world, submit, found):
    """A number written in another request's conversation differs in a digit or two: not a typo."""
    first, second = submit(title="Течёт кран")["id"], submit(title="Кондиционер шумит")["id"]
    comment(client, world.admin, second, f"См. заявку SR-{second + 7:06d} и комнату 305")
    assert found(f"SR-{first:06d}") == {first}
    assert found("306") == set() and found("305") == {second}


def test_the_number_finds_its_request(submit, found):
    first = submit(title="Кондиционер не работает")["id"]
    second = submit(title="Printer is jammed")["id"]
    assert found(f"SR-{second:06d}") == found(f"sr-{second:06d}") == found(str(second)) == {second}
    assert found(f"SR-{first:06d}") == {first}
    assert found("SR-999999") == set()


def test_public_comments_are_found_by_everyone_who_sees_the_request(client, world, submit, found):
    rid = submit(title="Кондиционер не работает")["id"]
    other = submit(title="Printer is jammed")["id"]
    comment(client, world.admin_ala, rid, "Мастер придёт в пятницу")
    assert found("пятницу") == {rid}
    assert found("пятницу", world.employee) == {rid}
    assert found("пятницу", world.manager_fac_ala) == {rid}
    assert other not in found("мастер")


def test_internal_notes_are_found_by_the_staff_responsible_only(client, world, submit, found):
    rid = submit(title="Кондиционер не работает")["id"]
    # A manager of IT writes about the air conditioning as an employee would: they see it as its author only.
    by_manager = submit(who=world.manager_it, title="Кондиционер в серверной")["id"]
    for target in (rid, by_manager):
        comment(client, world.admin_ala, target, "Поставщик Арктика, договор 77", internal=True)
    for staff in (world.admin, world.admin_ala, world.manager_fac_ala):
        assert found("арктика", staff) == {rid, by_manager}
    assert found("арктика", world.employee) == set()  # the author of rid
    assert found("кондиционер", world.employee) == {rid}  # who still finds it by its title
    assert found("арктика", world.manager_it) == set()  # the author of by_manager, out of its scope
    assert found("серверной", world.manager_it) == {by_manager}
    assert found("арктика", world.admin_ast) == set()


def test_after_an_edit_the_old_words_no_longer_match(client, world, submit, found, etag_of):
    rid = submit(title="Кондиционер не работает", description="Жарко")["id"]
    comment(client, world.employee, rid, "Уже третий день")
    response = client.patch(f"/api/v1/requests/{rid}", json={"title": "Окно не закрывается"},
                            headers={**world.employee.headers, "If-Match": etag_of(rid)})
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["version"] == 2  # one change, one version: the words went with it
    assert found("кондиционер") == set()
    assert found("окно") == found("жарко") == found("третий") == {rid}
    client.patch(f"/api/v1/requests/{rid}", json={"description": "Дует"},
                 headers={**world.employee.headers, "If-Match": etag_of(rid)})
    assert found("жарко") == set()
    assert found("дует") == found("окно") == found("третий") == {rid}


def test_a_comment_leaves_the_version_and_the_update_time_alone(client, world, submit):
    rid = submit(title="Кондиционер не работает")["id"]
    before = client.get(f"/api/v1/requests/{rid}", headers=world.admin.headers).get_json()
    comment(client, world.admin_ala, rid, "Посмотрим", internal=True)
    comment(client, world.employee, rid, "Спасибо")
    after = client.get(f"/api/v1/requests/{rid}", headers=world.admin.headers).get_json()
    assert (after["version"], after["updated_at"]) == (before["version"], before["updated_at"])


def test_an_anonymised_request_is_no_longer_found_by_its_words(app, client, world, submit, found, runner):
    rid = submit(title="Кондиционер не работает", description="Телефон 8 701 123 45 67")["id"]
    comment(client, world.employee, rid, "Позвоните Айгерим")
    comment(client, world.admin_ala, rid, "Арктика", internal=True)
    move(client, world.employee, rid, "cancelled")
    assert found("айгерим") == found("арктика") == {rid}
    with app.app_context():
        db.session.get(ServiceRequest, rid).closed_at = utcnow() - timedelta(days=1900)
        db.session.commit()
    assert "requests anonymised: 1" in runner.invoke(args=["retention", "run"]).output
    for word in ("кондиционер", "телефон", "айгерим", "арктика", "removed"):
        assert found(word) == set(), word
    assert found(f"SR-{rid:06d}") == {rid}  # still listed, by its number


@pytest.mark.parametrize("q", ["", "x" * 201])
def test_q_is_1_to_200_characters(client, world, q):
    response = client.get("/api/v1/requests", query_string={"q": q}, headers=world.admin.headers)
    assert "q" in assert_error(response, 422, "validation_error")["details"]


def test_a_200_character_q_is_searched(submit, found):
    submit(title="Кондиционер не работает")
    assert found("к" * 200) == set()


@postgres_only
def test_russian_words_are_found_in_their_other_forms(submit, found):
    ac = submit(title="Кондиционер не работает", description="Сломался кондиционер в переговорной")["id"]
    submit(title="Printer is jammed")
    assert found("кондиционеры") == {ac}
    assert found("кондиционерами") == {ac}
    assert found("переговорных") == {ac}
    assert found("сломались кондиционеры") == {ac}


@postgres_only
def test_typos_are_tolerated_and_unrelated_words_are_not_found(submit, found):
    ac = submit(title="Кондиционер не работает")["id"]
    printer = submit(title="Принтер зажевал бумагу")["id"]
    assert found("кондиционр") == {ac}
    assert found("кандиционер") == {ac}
    assert found("принтр") == {printer}
    assert found("кондиционр принтр") == set()  # every word must be there
    for unrelated in ("холодильник", "кондитер", "бумажник", "работник"):
        assert found(unrelated) == set(), unrelated


@postgres_only
def test_kazakh_word_forms_are_found_both_ways(submit, found):
    ac = submit(title="Кондиционер не работает")["id"]
    printer = submit(title="Принтері істемейді", description="Үшінші қабаттағы принтер")["id"]
    assert found("кондиционерді") == {ac}  # a Kazakh form of a Russian word
    assert found("кондиционерлер") == {ac}
    assert found("принтер") == {printer}  # a Russian word in a Kazakh text
    assert found("принтерді") == {printer}
    assert found("қабаттағы") == found("қабатта") == {printer}
    assert found("істемейді") == {printer}


@postgres_only
def test_english_words_are_stemmed(submit, found):
    printer = submit(title="Printer is jammed", description="Paper stuck in the tray")["id"]
    submit(title="Кондиционер не работает")
    assert found("printers") == {printer}
    assert found("jamming") == {printer}
    assert found("printr") == {printer}
    assert found("keyboard") == set()


@postgres_only
def test_internal_notes_tolerate_typos_for_staff_only(client, world, submit, found):
    rid = submit(title="Кондиционер не работает")["id"]
    comment(client, world.admin_ala, rid, "Вызвали подрядчика из Арктики", internal=True)
    assert found("подрядчики", world.manager_fac_ala) == {rid}
    assert found("подрядчк", world.admin_ala) == {rid}
    assert found("подрядчики", world.employee) == found("подрядчк", world.employee) == set()
