"""``access.covers_condition`` (SQL) and ``access.covers`` (Python) are one rule: they agree on every user."""
import itertools

import sqlalchemy as sa

from service_app.auth.passwords import hash_password
from service_app.extensions import db
from service_app.users.models import User
from service_requests.access import covers, covers_condition

OFFICES = (1, 2)
DEPARTMENTS = ("FAC", "IT")
SCOPES_OFFICE = ([], [1], [2], [1, 2])
SCOPES_DEPARTMENT = ([], ["FAC"], ["IT"], ["FAC", "IT"])


def test_sql_twin_agrees_with_covers_on_a_matrix_of_users(app):
    with app.app_context():
        password = hash_password("not-used-here-1")
        matrix = itertools.product(("employee", "manager", "administrator"), (True, False),
                                   SCOPES_OFFICE, SCOPES_DEPARTMENT)
        users = [User(login=f"u{n}", full_name="Person", role=role, is_active=active, office_ids=offices,
                      department_codes=departments, password_hash=password, language="en")
                 for n, (role, active, offices, departments) in enumerate(matrix)]
        db.session.add_all(users)
        db.session.commit()
        dialect = db.session.get_bind().dialect.name
        checked = 0
        for office_id, department in itertools.product((*OFFICES, 3), (*DEPARTMENTS, "HR", None)):
            in_sql = set(db.session.scalars(sa.select(User.id).where(covers_condition(office_id, department,
                                                                                      dialect))))
            in_python = {user.id for user in users if covers(user, office_id, department)}
            assert in_sql == in_python, (office_id, department)
            checked += bool(in_python)
        assert checked > 0  # the rule selected someone, not only nobody on both sides
