"""The export behind ``GET /api/v1/me/data`` (PRIVACY.md P16).

Each package that stores something about a person registers a section, so a
new kind of personal data joins the export where it is defined.
"""
_sections = {}


def register_section(name, func):
    """``func(user) -> JSON-able`` adds ``name`` to the export."""
    _sections[name] = func


def collect(user):
    data = {"profile": user}
    for name, func in _sections.items():
        data[name] = func(user)
    return data
