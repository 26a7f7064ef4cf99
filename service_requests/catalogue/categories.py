"""Request categories, configured by administrators."""
import sqlalchemy as sa

from offices.models import Department, Office
from service_app.database import assign, get_or_404
from service_app.errors import ApiError, invalid
from service_app.extensions import db

from .models import Category


def list_categories():
    return {"items": list(db.session.scalars(sa.select(Category).order_by(Category.code))), "next_cursor": None}


def get_category(code):
    return get_or_404(Category, code.upper(), "no such category")


def _check_department(data):
    if "department" in data:
        code = data.pop("department")
        if code is not None:
            code = code.upper()
            if db.session.get(Department, code) is None:
                raise invalid("department", f"no department {code}")
        data["department_code"] = code
    return data


def create_category(data):
    data["code"] = data["code"].upper()
    if db.session.get(Category, data["code"]) is not None:
        raise ApiError(409, "conflict", "code: already taken", {"code": ["already taken"]})
    category = Category(**_check_department(data))
    db.session.add(category)
    db.session.commit()
    return category


def update_category(category, data):
    assign(category, _check_department(data))
    db.session.commit()
    return category


def active_category(code):
    """The active category with this code, or a 422 naming the field ``category``."""
    category = db.session.get(Category, code.upper()) if isinstance(code, str) else None
    return check_active(category, code)


def active_category_and_department(code, also=None, on=None, office_id=None, value=None):
    """``(category, department, others, office, value)``: ``active_category`` with its department read
    in the same query, the rows of the model ``also`` joined ``on`` a condition (``others``, a list),
    the office ``office_id`` (None when there is none, or no id), and the scalar SQL expression
    ``value`` (e.g. a correlated subquery over the category; None when not given)."""
    rows = []
    value_column = (value if value is not None else sa.null()).label("value")
    if isinstance(code, str):
        stmt = (sa.select(Category, Department, Office, value_column, *([also] if also is not None else []))
                .outerjoin(Department, Department.code == Category.department_code)
                .outerjoin(Office, Office.id == office_id if office_id is not None else sa.false())
                .where(Category.code == code.upper()))
        if also is not None:
            stmt = stmt.outerjoin(also, on)
        rows = db.session.execute(stmt).all()
    category = check_active(rows[0][0] if rows else None, code)
    others = [row[4] for row in rows if also is not None and row[4] is not None]
    return category, rows[0][1], others, rows[0][2], rows[0][3]


def check_active(category, code):
    if category is None or not category.is_active:
        raise ApiError(422, "validation_error", f"category: unknown or inactive category {code!r}",
                       {"category": ["unknown or inactive category"]})
    return category
