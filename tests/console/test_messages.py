"""Every console text exists in ru, kk and en, with the same placeholders, and every text a
template or a view asks for is registered."""
import re
from pathlib import Path
from string import Formatter

from console import messages
from service_app.vocabulary import LANGUAGES

CONSOLE = Path(__file__).resolve().parents[2] / "console"
ASKED = re.compile(r"""\bt\(\s*["']([a-z0-9_.\-]+)["']""")


def _placeholders(text):
    return {name for _, name, _, _ in Formatter().parse(text) if name}


def test_every_text_has_all_three_languages_and_the_same_placeholders(app):
    problems = []
    for key, texts in messages.CATALOGUE.items():
        missing = [lang for lang in LANGUAGES if not (texts.get(lang) or "").strip()]
        if missing:
            problems.append(f"{key}: no {missing}")
        elif len({frozenset(_placeholders(texts[lang])) for lang in LANGUAGES}) != 1:
            problems.append(f"{key}: placeholders differ between languages")
    assert not problems


def test_every_text_asked_for_is_registered(app):
    asked = set()
    for path in list(CONSOLE.rglob("*.html")) + list(CONSOLE.rglob("*.py")):
        asked |= set(ASKED.findall(path.read_text(encoding="utf-8")))
    # A key ending in "." is a prefix completed at run time (``t("dashboard.card." ~ name)``):
    # some text must be registered under it; the pages' own tests render every such text.
    missing = sorted(key for key in asked if key not in messages.CATALOGUE and not (
        key.endswith(".") and any(name.startswith(key) for name in messages.CATALOGUE)))
    assert asked and not missing
