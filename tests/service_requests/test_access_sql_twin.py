"""The access rules written twice, in SQL and in Python, are one rule: ``access.covers_condition`` and
``access.covers``, ``access.staff_condition`` and ``access.is_staff_for`` agree on every user."""
import itertools
from types import SimpleNamespace

import sqlalchemy as sa

from service_app.auth.passwords import hash_password
from service_app.extensions import db
from service_app.users.models import User
from service_requests.access import covers, covers_condition, is_staff_for, staff_condition

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


def test_staff_condition_agrees_with_is_staff_for_on_a_matrix_of_users_and_requests(app):
    """``access.staff_condition`` (who finds a request by its internal notes) is ``is_staff_for`` in SQL."""
    matrix = itertools.product(("employee", "manager", "administrator"), (True, False),
                               SCOPES_OFFICE, SCOPES_DEPARTMENT)
    users = [User(id=n, login=f"u{n}", full_name="Person", role=role, is_active=active, office_ids=offices,
                  department_codes=departments) for n, (role, active, offices, departments) in enumerate(matrix, 1)]
    places = list(itertools.product((None, 1, 2), (*OFFICES, 3), (*DEPARTMENTS, "HR", None)))
    with app.app_context():
        rows = sa.union_all(*(sa.select(sa.literal(n).label("n"),
                                        sa.literal(assignee, sa.Integer).label("assignee_id"),
                                        sa.literal(office_id).label("office_id"),
                                        sa.literal(department, sa.String).label("department_code"))
                              for n, (assignee, office_id, department) in enumerate(places))).subquery()
        checked = 0
        for user in users:
            in_sql = set(db.session.scalars(sa.select(rows.c.n).where(
                staff_condition(user, rows.c.assignee_id, rows.c.office_id, rows.c.department_code))))
            in_python = {n for n, (assignee, office_id, department) in enumerate(places)
                         if is_staff_for(user, SimpleNamespace(assignee_id=assignee, office_id=office_id,
                                                               department_code=department))}
            assert in_sql == in_python, (user.role, user.is_active, user.office_ids, user.department_codes)
            checked += len(in_python)
        assert checked > 0
