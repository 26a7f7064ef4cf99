"""The texts' catalogues (``service_app.catalogues``) and the one fallback order of a text kept in
several languages (``service_app.vocabulary.in_language``)."""
import ast
import time

import pytest

from service_app import catalogues
from service_app.vocabulary import in_language


@pytest.mark.parametrize("text, language, expected", [
    ({"ru": "Кондиционер", "kk": "Кондиционер (kk)", "en": "Air conditioner"}, "kk", "Кондиционер (kk)"),
    ({"ru": "Кондиционер", "en": "Air conditioner"}, "kk", "Кондиционер"),  # the reader's, else ru
    ({"en": "Air conditioner", "kk": "Кондиционер (kk)"}, "ru", "Air conditioner"),  # else en
    ({"kk": "Кондиционер (kk)"}, "en", "Кондиционер (kk)"),  # else kk
    ({"ru": "", "en": "Air conditioner"}, "ru", "Air conditioner"),  # an empty text counts as missing
    ({"de": "Klimaanlage"}, "ru", "Klimaanlage"),  # else whatever it has
    ({}, "ru", ""),
    ("Plain", "kk", "Plain"),
    (None, "ru", ""),
])
def test_in_language_has_one_fallback_order(text, language, expected):
    assert in_language(text, language) == expected


def test_the_other_modules_use_the_one_function():
    from console import web
    from service_requests.reports import reports
    from service_requests.staff import replies
    assert replies.in_language is in_language and reports.localized is in_language
    assert web.localized.__module__ == "console.web"  # a thin wrapper: the reader's language (g.lang)


@pytest.fixture
def po_directory(tmp_path, monkeypatch):
    """Catalogues read from ``tmp_path`` instead of the service's own, for this test only."""
    monkeypatch.setattr(catalogues, "DIRECTORY", tmp_path)
    monkeypatch.setattr(catalogues, "_loaded", {})
    return tmp_path


def write_po(directory, language, body):
    path = directory / language / "LC_MESSAGES" / "console.po"
    path.parent.mkdir(parents=True)
    path.write_text(f'''msgid ""
msgstr ""
"Language: {language}\\n"
"Plural-Forms: {catalogues.PLURAL_FORMS[language]}\\n"
"Content-Type: text/plain; charset=utf-8\\n"

{body}''', encoding="utf-8")


def test_a_fuzzy_or_empty_translation_shows_the_english(po_directory):
    write_po(po_directory, "ru", '''#, fuzzy
msgid "Saved."
msgstr "Сохранено?"

msgid "Cancel"
msgstr ""

msgid "Save"
msgstr "Сохранить"
''')
    assert catalogues.gettext("ru", "Saved.", "console") == "Saved."
    assert catalogues.gettext("ru", "Cancel", "console") == "Cancel"
    assert catalogues.gettext("ru", "Save", "console") == "Сохранить"


def test_an_unknown_language_reads_the_default_one_and_english_is_the_source():
    assert catalogues.gettext("de", "Saved.", "console") == catalogues.gettext("ru", "Saved.", "console") == "Сохранено."
    assert catalogues.gettext("en", "Saved.", "console") == "Saved."
    assert catalogues.ngettext("en", "{count} request changed", "{count} requests changed", 1, "notifications",
                               count=1) == "1 request changed"


def test_placeholders_are_filled_after_translation_and_may_be_named_anything():
    text = catalogues.gettext("kk", "{number}: {message}", "console", number="SR-1", message="қате")
    assert text == "SR-1: қате"
    assert catalogues.Domain("console").gettext("ru", "Signed in as {name}", name="Ann") == "Вы вошли как Ann"


def test_loading_every_catalogue_is_quick(po_directory, monkeypatch):
    """Start-up reads and compiles every .po once: a fraction of a second for all of them."""
    monkeypatch.setattr(catalogues, "DIRECTORY", catalogues.pathlib.Path(catalogues.__file__).parent / "translations")
    started = time.perf_counter()
    catalogues.load_all()
    assert time.perf_counter() - started < 2.0
    assert len(catalogues._loaded) == len(catalogues.DOMAINS) * 3


# Each gettext domain and the folder ``make messages`` extracts it from (``errors`` is kept by hand).
EXTRACTED = {"console": "console", "notifications": "notifications", "requests": "service_requests",
             "accounts": "service_app/auth"}


def test_make_messages_extracts_and_merges_every_domain():
    makefile = (catalogues.DIRECTORY.parents[1] / "Makefile").read_text(encoding="utf-8")
    assert set(EXTRACTED) | {"errors"} == set(catalogues.DOMAINS)
    for domain, folder in EXTRACTED.items():
        assert f"-o $(TRANSLATIONS)/{domain}.pot {folder}\n" in makefile, domain
    assert f"for domain in {' '.join(catalogues.DOMAINS)}; do" in makefile


# The ``{ru, kk, en}`` literals allowed in the code: names that are not translated.
NOT_TRANSLATIONS = {("console/messages.py", "LANGUAGE_NAMES"), ("service_app/catalogues.py", "PLURAL_FORMS")}


def test_no_text_table_is_left_outside_the_catalogues():
    """A text for people is a message in a ``.po`` catalogue, not a ``{"ru": ..., "kk": ..., "en": ...}`` dict
    in the code (demo data, ``seed.py``, excepted)."""
    root = catalogues.DIRECTORY.parents[1]
    found = set()
    for package in ("service_app", "offices", "service_requests", "notifications", "console"):
        for path in (root / package).rglob("*.py"):
            if path.name == "seed.py":
                continue
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                value = node.value if isinstance(node, ast.Assign | ast.AnnAssign) else None
                if isinstance(value, ast.Dict) and _languages_table(value) or isinstance(value, ast.Dict) and any(
                        isinstance(v, ast.Dict) and _languages_table(v) for v in value.values):
                    name = node.targets[0].id if isinstance(node, ast.Assign) else node.target.id
                    found.add((str(path.relative_to(root)), name))
    assert found == NOT_TRANSLATIONS


def _languages_table(node):
    keys = {k.value for k in node.keys if isinstance(k, ast.Constant)}
    return len(keys) >= 2 and keys <= {"ru", "kk", "en"}
