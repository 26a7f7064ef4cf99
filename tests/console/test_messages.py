"""Every console text exists in ru and kk (English is the source: the msgid), with the same
placeholders, and every text a template or a view asks for is in the catalogues.

The texts asked for are found as ``make messages`` finds them: Babel's extraction with
``babel.cfg`` over the console's code and templates (``_``, ``pgettext``, ``ngettext``...).
"""
import re

import pytest
from flask import g

from console import messages
from service_app import catalogues
from tests.console.support import signed_in_client
from tests.support.texts import ROOT, TRANSLATED, asked_for, check_domain

def test_the_extraction_finds_the_texts():
    """The checks below would pass vacuously if the extraction found nothing."""
    asked = asked_for("console")
    assert len(asked) > 250
    assert (None, "Saved.") in asked and ("request status", "New") in asked
    assert (None, ("Done for {ok} of {total} request.", "Done for {ok} of {total} requests.")) in asked


def test_every_text_asked_for_is_translated_with_the_same_placeholders():
    assert check_domain("console", asked_for("console")) == []


def test_the_catalogues_declare_each_languages_plural_rule():
    for domain in catalogues.DOMAINS:
        for language in TRANSLATED:
            catalogue = catalogues.read_catalogue(language, domain)
            header = dict(catalogue.mime_headers)["Plural-Forms"].replace(" ", "")
            assert header == catalogues.PLURAL_FORMS[language].replace(" ", ""), (domain, language)


def test_no_key_style_lookups_are_left():
    """The console asks for English texts: no ``t("some.key")`` left in its code or templates."""
    left = [str(path) for path in (ROOT / "console").rglob("*") if path.suffix in (".py", ".html")
            and re.search(r"""\bt\(\s*["'][a-z0-9_]+\.[a-z0-9_.]+["']""", path.read_text(encoding="utf-8"))]
    assert left == []


# --- plural forms -----------------------------------------------------------------------

RUSSIAN_BULK = {
    1: "Выполнено для 1 из 1 заявки.",
    2: "Выполнено для 1 из 2 заявок.",
    5: "Выполнено для 1 из 5 заявок.",
    11: "Выполнено для 1 из 11 заявок.",
    21: "Выполнено для 1 из 21 заявки.",
    22: "Выполнено для 1 из 22 заявок.",
    111: "Выполнено для 1 из 111 заявок.",
}


@pytest.mark.parametrize("total, text", RUSSIAN_BULK.items())
def test_the_bulk_result_takes_the_russian_form_of_its_number(app, total, text):
    with app.test_request_context("/console/requests"):
        g.lang = "ru"
        done = messages.ngettext("Done for {ok} of {total} request.", "Done for {ok} of {total} requests.", total,
                                 ok=1, total=total)
    assert done == text


@pytest.mark.parametrize("language, texts", [
    ("en", {1: "Done for 1 of 1 request.", 2: "Done for 1 of 2 requests.", 21: "Done for 1 of 21 requests."}),
    ("kk", {1: "1 өтінімнің 1 өтінімі үшін орындалды.", 21: "21 өтінімнің 1 өтінімі үшін орындалды."}),
])
def test_the_bulk_result_in_english_and_kazakh(app, language, texts):
    for total, text in texts.items():
        with app.test_request_context("/console/requests"):
            g.lang = language
            assert messages.ngettext("Done for {ok} of {total} request.", "Done for {ok} of {total} requests.", total,
                                     ok=1, total=total) == text


@pytest.mark.parametrize("total", [1, 2, 5, 21])
def test_a_bulk_action_in_the_console_reports_its_count_in_russian(app, world, submit, total):
    """Through the console: one request changes, the others in the call do not exist."""
    made = submit()
    browser, token = signed_in_client(app, world.admin.login)
    browser.post("/console/language", data={"csrf_token": token, "language": "ru", "next": "/console/requests"})
    ids = [str(made["id"])] + [str(999000 + i) for i in range(total - 1)]
    response = browser.post("/console/requests/bulk", data={
        "csrf_token": token, "action": "status", "status": "in_progress", "ids": ids, "next": "/console/requests"})
    assert response.status_code == 303
    page = browser.get("/console/requests").get_data(as_text=True)
    assert RUSSIAN_BULK[total] in page
