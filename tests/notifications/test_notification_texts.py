"""The texts of notifications: every one in ru, kk and en, plural forms right, in the recipient's language."""
import pytest

from notifications import messages
from service_app.vocabulary import LANGUAGES
from tests.support.texts import asked_for, check_domain

PARAMS = {"number": "SR-000021", "title": {"ru": "Кондиционер", "en": "Air conditioner"}, "status": "waiting",
          "comment": "Please check", "count": 3, "notice_id": 4, "target": "SR-000001"}


def test_the_extraction_finds_the_texts():
    asked = asked_for("notifications")
    assert (None, "New request {number}") in asked
    assert (None, ("{count} request changed", "{count} requests changed")) in asked
    assert ("request status", "waiting for you") in asked


def test_every_text_is_translated_with_the_same_placeholders():
    assert check_domain("notifications", asked_for("notifications")) == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_event_renders_in_every_language(language):
    for event in messages.EVENTS:
        title, body = messages.render(event, language, PARAMS)
        assert title and body and "{" not in title + body, (event, language)


RUSSIAN = {1: "Изменена 1 заявка", 2: "Изменены 2 заявки", 4: "Изменены 4 заявки", 5: "Изменено 5 заявок",
           11: "Изменено 11 заявок", 12: "Изменено 12 заявок", 21: "Изменена 21 заявка", 22: "Изменены 22 заявки",
           25: "Изменено 25 заявок", 111: "Изменено 111 заявок"}


@pytest.mark.parametrize("count, title", RUSSIAN.items())
def test_a_bulk_change_counts_its_requests_in_russian(count, title):
    assert messages.render("bulk_updated", "ru", {"count": count})[0] == title


@pytest.mark.parametrize("language, count, title", [
    ("en", 1, "1 request changed"), ("en", 2, "2 requests changed"), ("en", 21, "21 requests changed"),
    ("kk", 1, "1 өтінім өзгерді"), ("kk", 5, "5 өтінім өзгерді"),
])
def test_a_bulk_change_counts_its_requests_in_english_and_kazakh(language, count, title):
    assert messages.render("bulk_updated", language, {"count": count})[0] == title


def test_a_title_in_several_languages_follows_the_one_fallback_order():
    """The recipient's language, else ru, else en, else kk (``service_app.vocabulary.in_language``)."""
    title = {"en": "Air conditioner", "kk": "Кондиционер (kk)"}
    assert messages.render("request_created", "ru", {"number": "SR-1", "title": title})[1] == "Air conditioner"
    assert messages.render("request_created", "kk", {"number": "SR-1", "title": title})[1] == "Кондиционер (kk)"


def test_the_status_words_of_the_app_configuration_have_every_language():
    assert set(messages.STATUS_WORDS) >= {"new", "in_progress", "waiting", "resolved", "closed", "rejected"}
    for code, words in messages.STATUS_WORDS.items():
        assert set(words) == set(LANGUAGES) and all(words.values()), code
    assert messages.STATUS_WORDS["waiting"] == {"ru": "ждёт вашего ответа", "kk": "сіздің жауабыңызды күтуде",
                                                "en": "waiting for you"}


def test_an_entry_whose_parameters_no_longer_fit_keeps_its_stored_text():
    fallback = ("stored title", "stored body")
    assert messages.render_or("bulk_updated", "ru", {"count": None}, fallback) == fallback
    assert messages.render_or("request_created", "ru", {}, fallback) == fallback
    assert messages.render_or("no_such_event", "ru", PARAMS, fallback) == fallback
