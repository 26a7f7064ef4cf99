"""Request categories, configured by administrators."""
import sqlalchemy as sa

from offices.models import Department
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
    return _checked(category, code)


def active_category_and_department(code):
    """``(category, department)``: ``active_category`` with its department read in the same query."""
    row = None
    if isinstance(code, str):
        row = db.session.execute(sa.select(Category, Department)
                                 .outerjoin(Department, Department.code == Category.department_code)
                                 .where(Category.code == code.upper())).first()
    return _checked(row[0] if row else None, code), (row[1] if row else None)


def _checked(category, code):
    if category is None or not category.is_active:
        raise ApiError(422, "validation_error", f"category: unknown or inactive category {code!r}",
                       {"category": ["unknown or inactive category"]})
    return category
