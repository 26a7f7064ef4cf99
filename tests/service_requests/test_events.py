"""One vocabulary of history events (``service_requests.history.Event``): writers can name no
other, and each reader maps every one of them: the console labels it in ru, kk and en, and
``lifecycle.notify.NOTIFIED`` decides who is told, with a text in each language."""
import pytest
from flask import g

from console import messages
from notifications.messages import render
from service_app.vocabulary import LANGUAGES
from service_requests import history
from service_requests.history import Event
from service_requests.lifecycle.notify import NOTIFIED

PARAMS = {"number": "SR-000001", "title": "AC", "status": "resolved", "comment": "ok", "target": "SR-000002",
          "count": 2, "notice_id": 1}


def test_every_event_has_a_console_label_in_each_language(app):
    labels = {}
    for language in LANGUAGES:
        with app.test_request_context():
            g.lang = language
            labels[language] = messages.event_labels()
    for event in Event:
        texts = {language: labels[language].get(event.value) for language in LANGUAGES}
        assert all(texts.values()), (event, texts)
        assert len(set(texts.values())) == len(LANGUAGES), (event, texts)  # translated, not copied


def test_every_event_is_a_decision_of_who_is_told():
    assert set(NOTIFIED) == set(Event)


@pytest.mark.parametrize("kind", sorted({kind for kind in NOTIFIED.values() if kind}))
def test_every_notification_an_event_sends_has_a_text_in_each_language(kind):
    rendered = {language: render(kind, language, PARAMS) for language in LANGUAGES}
    assert all(title and body for title, body in rendered.values()), rendered
    assert len({title for title, _ in rendered.values()}) == len(LANGUAGES), rendered


def test_an_event_no_reader_knows_is_refused_before_anything_is_written(app):
    with app.app_context(), pytest.raises(ValueError):
        history.record(object(), "exploded", None)
