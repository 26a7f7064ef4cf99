"""Request categories."""
from flask.views import MethodView

from service_app.api import Blueprint

from . import categories
from .schemas import CategoryCreateSchema, CategoryListSchema, CategorySchema, CategoryUpdateSchema

blp = Blueprint("categories", __name__, url_prefix="/api/v1", description="Request categories")


@blp.route("/categories")
class Categories(MethodView):
    @blp.doc(operationId="listCategories")
    @blp.login_required()
    @blp.conditional
    @blp.response(200, CategoryListSchema)
    def get(self):
        """List categories"""
        return categories.list_categories()

    @blp.doc(operationId="createCategory")
    @blp.login_required("administrator", company_wide=True)
    @blp.arguments(CategoryCreateSchema)
    @blp.response(201, CategorySchema)
    @blp.errors(409)
    def post(self, data):
        """Create a category"""
        return categories.create_category(data)


@blp.route("/categories/<string:code>")
class CategoryItem(MethodView):
    @blp.doc(operationId="getCategory")
    @blp.login_required()
    @blp.response(200, CategorySchema)
    @blp.errors(404)
    def get(self, code):
        """Read a category"""
        return categories.get_category(code)

    @blp.doc(operationId="updateCategory")
    @blp.login_required("administrator", company_wide=True)
    @blp.arguments(CategoryUpdateSchema)
    @blp.response(200, CategorySchema)
    @blp.errors(404)
    def patch(self, data, code):
        """Rename, re-assign to a department, deactivate a category, or make it discoverable (or not)"""
        return categories.update_category(categories.get_category(code), data)
