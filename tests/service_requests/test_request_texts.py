"""The texts ``service_requests`` writes itself (the ``requests`` domain: the CSV export's column titles,
the priorities' names in the apps' configuration, the merge comment, the word that stands for an
author's name in what followers read) and the password reset SMS (the
``accounts`` domain, ``service_app/auth``): every one in ru and kk, with the English's placeholders."""
import pytest

from service_app.vocabulary import LANGUAGES
from service_requests.lifecycle import merging
from service_requests.mobile import app_config
from service_requests.models import PRIORITIES
from service_requests.reports import export
from service_requests.staff import replies
from tests.support.texts import asked_for, check_domain

MERGE_COMMENT = "This request was merged into {target}: follow it there; you now get its updates."
SMS = "Santrade: your password reset code is {code}. Do not share it."


def test_the_extraction_finds_the_texts():
    """The checks below would pass vacuously if the extraction found nothing."""
    asked = asked_for("service_requests")
    assert len(asked) == 25
    assert ("CSV column", "Number") in asked and ("CSV column", "Rating") in asked
    assert ("a person, in place of their name", "colleague") in asked
    assert ("request priority", "urgent") in asked and (None, MERGE_COMMENT) in asked
    assert asked_for("service_app/auth") == {(None, SMS)}


@pytest.mark.parametrize("domain, folder", [("requests", "service_requests"), ("accounts", "service_app/auth")])
def test_every_text_is_translated_with_the_same_placeholders(domain, folder):
    assert check_domain(domain, asked_for(folder)) == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_text_has_a_word_in_every_language(language):
    titles = export.titles(export.TEXTS.speaking(language))
    assert len(titles) == len(set(titles)) == 19 and all(titles)
    assert set(app_config.PRIORITY_WORDS) == set(PRIORITIES)
    assert all(words[language] for words in app_config.PRIORITY_WORDS.values())
    assert "SR-000007" in merging.merged_comment(language, "SR-000007")
    assert replies.neutral_name(language) == {"ru": "коллега", "kk": "әріптес", "en": "colleague"}[language]


def test_an_unknown_language_reads_russian_as_before():
    """The tables answered ``ru`` for a language they lacked; the catalogues answer their default, ``ru``."""
    assert merging.merged_comment("de", "SR-1") == merging.merged_comment("ru", "SR-1")
    assert merging.merged_comment(None, "SR-1") == merging.merged_comment("ru", "SR-1")
