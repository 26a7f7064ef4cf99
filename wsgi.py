"""Entry point for gunicorn: ``gunicorn wsgi:app``."""
from service_app import create_app

app = create_app()
