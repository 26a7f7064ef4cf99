"""The text catalogues against the code: what ``make messages`` would extract, and what each language has."""
import re
from pathlib import Path

from babel.messages.extract import extract_from_dir

from service_app import catalogues

ROOT = Path(__file__).resolve().parents[2]
TRANSLATED = ("ru", "kk")
PLACEHOLDER = re.compile(r"\{([a-z_][a-z0-9_]*)\}")


def _method_map():
    """``babel.cfg``'s sections as extraction's method map: ``[(pattern, method)]``."""
    sections = re.findall(r"^\[(\w+):\s*([^\]]+)\]", (ROOT / "babel.cfg").read_text(encoding="utf-8"), re.M)
    return [(pattern.strip(), method) for method, pattern in sections]


def asked_for(package):
    """``{(context, msgid)}`` of every text ``package``'s code and templates ask for."""
    found = set()
    for _filename, _line, message, _comments, context in extract_from_dir(ROOT / package, _method_map()):
        if message is None:
            continue
        if isinstance(message, tuple):
            message = tuple(m for m in message if m is not None)
            message = message if len(message) > 1 else message[0]
        found.add((context, message))
    return found


def entries(catalogue):
    return {(m.context, m.id): m for m in catalogue if m.id}


def placeholders(text):
    return set(PLACEHOLDER.findall(text))


def check_domain(domain, asked):
    """Problems of ``domain``'s catalogues against the texts ``asked`` for; [] when all is well."""
    problems = []
    template = entries(catalogues.read_template(domain))
    if missing := asked - set(template):
        problems.append(f"{domain}.pot lacks {sorted(map(str, missing))} (run make messages)")
    if stale := set(template) - asked:
        problems.append(f"{domain}.pot has texts nothing asks for: {sorted(map(str, stale))} (run make messages)")
    for language in TRANSLATED:
        catalogue = catalogues.read_catalogue(language, domain)
        found = entries(catalogue)
        for key in sorted(asked, key=str):
            message = found.get(key)
            if message is None:
                problems.append(f"{language}/{domain}.po lacks {key}")
                continue
            if message.fuzzy:
                problems.append(f"{language}/{domain}.po: {key} is fuzzy (confirm or correct the translation)")
            english = message.id if isinstance(message.id, tuple) else (message.id,)
            forms = message.string if isinstance(message.string, tuple) else (message.string,)
            if len(english) > 1 and len(forms) != catalogue.num_plurals:
                problems.append(f"{language}/{domain}.po: {key} has {len(forms)} forms, not {catalogue.num_plurals}")
            for form in forms:
                if not (form or "").strip():
                    problems.append(f"{language}/{domain}.po: {key} is not translated")
                elif placeholders(form) != placeholders(english[-1]):
                    problems.append(f"{language}/{domain}.po: {key}: placeholders {placeholders(form)} differ")
    return problems
