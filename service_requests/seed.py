"""Demo categories, a few for each department."""
from service_app.extensions import db

from .models import Category

DEMO_CATEGORIES = [
    ("IT-PRINTER", "IT", {"ru": "Принтер, картридж", "kk": "Принтер, картридж", "en": "Printer, toner"}),
    ("IT-PC", "IT", {"ru": "Компьютер", "kk": "Компьютер", "en": "Computer"}),
    ("IT-NETWORK", "IT", {"ru": "Сеть и Wi-Fi", "kk": "Желі және Wi-Fi", "en": "Network, Wi-Fi"}),
    ("FAC-AC", "FAC", {"ru": "Кондиционер", "kk": "Кондиционер", "en": "Air conditioning"}),
    ("FAC-PLUMBING", "FAC", {"ru": "Сантехника", "kk": "Сантехника", "en": "Plumbing"}),
    ("FAC-CLEANING", "FAC", {"ru": "Уборка", "kk": "Тазалау", "en": "Cleaning"}),
    ("HR-DOCS", "HR", {"ru": "Справки и документы", "kk": "Анықтамалар мен құжаттар", "en": "Certificates, documents"}),
    ("HR-PASS", "HR", {"ru": "Пропуск", "kk": "Рұқсатнама", "en": "Access badge"}),
]


def seed_categories():
    lines = []
    for code, department, name in DEMO_CATEGORIES:
        if db.session.get(Category, code) is None:
            db.session.add(Category(code=code, department_code=department, name=name))
            lines.append(f"created category {code}")
    db.session.commit()
    return lines
