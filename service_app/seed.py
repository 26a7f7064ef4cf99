"""Demo data for local runs: one account of each role (password ``demo12345``).

Idempotent: what already exists is left as it is. Each domain package adds
its part at the ``Hook.SEEDERS`` hook point (``service_app.plugins``).
"""
import sqlalchemy as sa

from .auth.passwords import hash_password
from .extensions import db
from .plugins import Hook, hooks
from .users.models import User

DEMO_PASSWORD = "demo12345"  # nosec B105  # public demo password; seed-demo refuses production
DEMO_USERS = [
    {"login": "demo-employee", "full_name": "Айгерим Сапарова", "role": "employee",
     "phone": "+77010000001", "email": "employee@demo.santrade.kz", "language": "ru"},
    {"login": "demo-admin", "full_name": "Ерлан Ахметов", "role": "administrator",
     "phone": "+77010000002", "email": "admin@demo.santrade.kz", "language": "ru"},
    {"login": "demo-manager", "full_name": "Dana Karimova", "role": "manager",
     "phone": "+77010000003", "email": "manager@demo.santrade.kz", "language": "en"},
]

def seed_users():
    lines = []
    for spec in DEMO_USERS:
        user = db.session.scalar(sa.select(User).where(User.login == spec["login"]))
        if user is None:
            db.session.add(User(**spec, password_hash=hash_password(DEMO_PASSWORD)))
            lines.append(f"created {spec['login']} ({spec['role']}) password {DEMO_PASSWORD}")
        else:
            lines.append(f"exists  {spec['login']} ({spec['role']})")
    db.session.commit()
    return lines


def seed_demo():
    lines = seed_users()
    for seeder in hooks().get(Hook.SEEDERS):
        lines.extend(seeder())
    return lines
