"""How offices and departments plug into accounts, the CLI and the demo seed."""
import sqlalchemy as sa

from service_app.extensions import db

from .models import Department, Office


def check_user_references(data):
    """Unknown home office, scope offices or departments in a user body."""
    problems = {}
    office_ids = set(data.get("office_ids") or [])
    if data.get("office_id") is not None:
        office_ids.add(data["office_id"])
    if office_ids:
        known = set(db.session.scalars(sa.select(Office.id).where(Office.id.in_(office_ids))))
        if data.get("office_id") is not None and data["office_id"] not in known:
            problems["office_id"] = [f"no office with id {data['office_id']}"]
        missing = sorted(set(data.get("office_ids") or []) - known)
        if missing:
            problems["office_ids"] = [f"no office with id {', '.join(map(str, missing))}"]
    codes = {c.upper() for c in data.get("department_codes") or []}
    if codes:
        known = set(db.session.scalars(sa.select(Department.code).where(Department.code.in_(codes))))
        missing = sorted(codes - known)
        if missing:
            problems["department_codes"] = [f"no department {', '.join(missing)}"]
        data["department_codes"] = sorted(codes)
    return problems


def office_id_by_code(code):
    return db.session.scalar(sa.select(Office.id).where(Office.code == code.upper()))
