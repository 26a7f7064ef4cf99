"""The service's texts for people: gettext catalogues, one per language and domain.

Five domains, each a ``.po`` file per language in ``service_app/translations/<lang>/LC_MESSAGES/``:

- ``errors``: the API's error messages (``service_app.i18n`` translates an envelope when it is written);
- ``console``: the staff console's pages (``console.messages``);
- ``notifications``: the titles and bodies of pushes and feed entries (``notifications.messages``);
- ``requests``: the texts ``service_requests`` writes itself: the CSV export's column titles, the
  priorities' names the apps' configuration lists, the comment left on a merged request;
- ``accounts``: the texts of ``service_app.auth``: the password reset SMS.

English is the source language: a message id (``msgid``) is the English text itself, with a
context (``msgctxt``) where one English word needs two translations ("Created": a request, or a
count of them). English has no catalogue; ``ru`` and ``kk`` have one each. ``<domain>.pot`` beside
the languages lists every message of a domain; ``make messages`` extracts it from the code and
templates and merges it into the ``.po`` files (README, "Texts and translations"). Placeholders are
``{name}``, filled after translation, so a translation may put them in any order.

Plural forms follow each catalogue's ``Plural-Forms`` header: Russian has three
(``1 заявка``, ``2 заявки``, ``5 заявок``; ``11`` and ``111`` take the third, ``21`` the first),
Kazakh and English two. :func:`ngettext` picks the form for ``n``.

Why not Flask-Babel: its locale is chosen per request (one selector for the app), while this service
speaks three ways at once: the API answers in the caller's language (``service_app.i18n``), the
console in its reader's own choice, and notifications are rendered outside any request in each
recipient's language. So the language is an argument here, and a catalogue is Babel's
:class:`babel.support.Translations`, loaded once per language and domain and shared by every thread.

The ``.po`` files are read directly (``babel.messages.pofile``) and compiled in memory on first use:
there is no build step and no binary ``.mo`` in the repository. Reading all of them takes about
0.05 s once per process (``load_all`` at start-up, so no request pays it; the error templates
another 0.05 s). A fuzzy or empty translation is not used: the English text is shown until a
translator confirms it (the tests fail on both, so none reaches a release).
"""
import io
import pathlib
import threading

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

from .vocabulary import DEFAULT_LANGUAGE, LANGUAGES

DIRECTORY = pathlib.Path(__file__).resolve().parent / "translations"
DOMAINS = ("errors", "console", "notifications", "requests", "accounts")
SOURCE_LANGUAGE = "en"
# The plural rule each catalogue declares (its header); the tests hold the catalogues to these.
PLURAL_FORMS = {
    "ru": "nplurals=3; plural=(n%10==1 && n%100!=11 ? 0 : n%10>=2 && n%10<=4 && (n%100<10 || n%100>=20) ? 1 : 2);",
    "kk": "nplurals=2; plural=(n!=1);",
    "en": "nplurals=2; plural=(n!=1);",
}

_loaded = {}
_lock = threading.Lock()


def po_path(language, domain):
    return DIRECTORY / language / "LC_MESSAGES" / f"{domain}.po"


def pot_path(domain):
    return DIRECTORY / f"{domain}.pot"


def read_catalogue(language, domain):
    """The ``.po`` file of ``language`` and ``domain`` as a Babel ``Catalog`` (for tests and tools)."""
    with po_path(language, domain).open("rb") as po:
        return read_po(po, locale=language, domain=domain)


def read_template(domain):
    """The ``.pot`` file of ``domain``: every message id of the domain, in English."""
    with pot_path(domain).open("rb") as pot:
        return read_po(pot, domain=domain)


def _compile(language, domain):
    if language == SOURCE_LANGUAGE:
        return NullTranslations()
    compiled = io.BytesIO()
    write_mo(compiled, read_catalogue(language, domain), use_fuzzy=False)
    compiled.seek(0)
    return Translations(compiled, domain=domain)


def translations(language, domain):
    """The loaded catalogue of ``language`` (the default language when unknown) and ``domain``."""
    if language not in LANGUAGES:
        language = DEFAULT_LANGUAGE
    key = (language, domain)
    found = _loaded.get(key)
    if found is None:
        with _lock:
            found = _loaded.get(key)
            if found is None:
                found = _loaded[key] = _compile(language, domain)
    return found


def load_all():
    """Load every catalogue now (at start-up), so the first request of each language does not."""
    for domain in DOMAINS:
        for language in LANGUAGES:
            translations(language, domain)


def _fill(text, values):
    return text.format(**values) if values else text


def gettext(language, msgid, domain, context=None, /, **values):
    """``msgid`` (English) in ``language``, its ``{name}`` placeholders filled from ``values``."""
    catalogue = translations(language, domain)
    text = catalogue.gettext(msgid) if context is None else catalogue.pgettext(context, msgid)
    return _fill(text, values)


def ngettext(language, singular, plural, n, domain, context=None, /, **values):
    """The form of ``singular``/``plural`` (English) for the number ``n`` in ``language``, filled from ``values``."""
    catalogue = translations(language, domain)
    if context is None:
        text = catalogue.ngettext(singular, plural, n)
    else:
        text = catalogue.npgettext(context, singular, plural, n)
    return _fill(text, values)


class Domain:
    """One domain's :func:`gettext` and :func:`ngettext`, for the package whose texts it holds."""

    def __init__(self, name):
        if name not in DOMAINS:
            raise ValueError(f"no such text domain: {name}")
        self.name = name

    def gettext(self, language, msgid, /, **values):
        return gettext(language, msgid, self.name, **values)

    def pgettext(self, language, context, msgid, /, **values):
        return gettext(language, msgid, self.name, context, **values)

    def ngettext(self, language, singular, plural, n, /, **values):
        return ngettext(language, singular, plural, n, self.name, **values)

    def npgettext(self, language, context, singular, plural, n, /, **values):
        return ngettext(language, singular, plural, n, self.name, context, **values)

    def speaking(self, language):
        """This domain's texts in one ``language``: ``t.gettext(message)``, ``t.ngettext(...)``..."""
        return Speaking(self, language)


class Speaking:
    """A domain's texts in one language (the recipient's), as gettext's usual calls."""

    def __init__(self, domain, language):
        self.domain, self.language = domain, language

    def gettext(self, message, /, **values):
        return self.domain.gettext(self.language, message, **values)

    def pgettext(self, context, message, /, **values):
        return self.domain.pgettext(self.language, context, message, **values)

    def ngettext(self, singular, plural, n, /, **values):
        return self.domain.ngettext(self.language, singular, plural, n, **values)

    def npgettext(self, context, singular, plural, n, /, **values):
        return self.domain.npgettext(self.language, context, singular, plural, n, **values)
