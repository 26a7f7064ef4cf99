"""Accounts: administrators manage them (office-scoped ones only employees of their
offices, see ``scope_checks``); everyone reads and edits their own profile."""
from flask.views import MethodView
from flask_jwt_extended import current_user, get_jwt

from ..api import Blueprint
from ..extensions import limiter
from . import personal_data, service
from ..pagination import PageArgsSchema
from .schemas import (MeUpdateSchema, MyDataArgsSchema, MyDataPageSchema, MyDataSchema, PasswordChangeSchema,
                      UserCreateSchema, UserListArgsSchema, UserPageSchema, UserSchema, UserUpdateSchema)

blp = Blueprint("users", __name__, url_prefix="/api/v1", description="Accounts and own profile")


@blp.route("/users")
class Users(MethodView):
    @blp.doc(operationId="listUsers")
    @blp.login_required("administrator")
    @blp.arguments(UserListArgsSchema, location="query")
    @blp.response(200, UserPageSchema)
    def get(self, args):
        """List or search accounts (each call is written to the audit log)"""
        return service.list_users(current_user, args)

    @blp.doc(operationId="createUser")
    @blp.login_required("administrator")
    @blp.arguments(UserCreateSchema)
    @blp.response(201, UserSchema)
    @blp.errors(409)
    def post(self, data):
        """Create an account"""
        return service.create_user(data, current_user)


@blp.route("/users/<int:user_id>")
class UserItem(MethodView):
    @blp.doc(operationId="getUser")
    @blp.login_required("administrator")
    @blp.response(200, UserSchema)
    @blp.errors(404)
    def get(self, user_id):
        """Read an account (the view is written to the audit log)"""
        return service.view_user(current_user, user_id)

    @blp.doc(operationId="updateUser")
    @blp.login_required("administrator")
    @blp.arguments(UserUpdateSchema)
    @blp.response(200, UserSchema)
    @blp.errors(404, 409)
    def patch(self, data, user_id):
        """Edit an account; `is_active: false` signs that user out (roles, scopes: company-wide admins only)"""
        return service.update_user(current_user, service.get_user(user_id), data)


@blp.route("/me")
class Me(MethodView):
    @blp.doc(operationId="getMe")
    @blp.login_required()
    @blp.conditional
    @blp.response(200, UserSchema)
    def get(self):
        """Read your own profile"""
        return current_user

    @blp.doc(operationId="updateMe")
    @blp.login_required()
    @blp.arguments(MeUpdateSchema)
    @blp.response(200, UserSchema)
    def patch(self, data):
        """Change your language or email"""
        return service.update_me(current_user, data)


@blp.route("/me/password", methods=["POST"])
@blp.doc(operationId="changeMyPassword")
@blp.login_required()
@limiter.limit(lambda: "10 per 15 minutes", key_func=lambda: f"pw:{get_jwt()['sub']}",
               deduct_when=lambda response: response.status_code == 422)
@blp.arguments(PasswordChangeSchema)
@blp.response(204)
def change_password(data):
    """Change your password; your other devices are signed out"""
    service.change_password(current_user, data["current_password"], data["new_password"],
                            get_jwt()["sid"])


@blp.route("/me/data", methods=["GET"])
@blp.doc(operationId="getMyData")
@blp.login_required()
@blp.arguments(MyDataArgsSchema, location="query")
@blp.response(200, MyDataSchema)
def my_data(args):
    """Everything stored about you (PRIVACY.md P16): your profile and the first page of each section

    The export is paged so that no answer grows with the account: each section
    (`requests`, `comments`, `attachments`, `devices`, `notifications`, `views`, `replies`,
    `followed_notices`) holds
    at most `limit` items, in a stable order. `next_cursors` gives, per section, the
    cursor of its next page (null when this answer already holds all of it);
    read the rest with `GET /api/v1/me/data/{section}?cursor=`, following
    `next_cursor` until it is null. Together the pages are everything held.
    """
    return personal_data.collect(current_user, args["limit"])


@blp.route("/me/data/<string:section>", methods=["GET"])
@blp.doc(operationId="getMyDataSection")
@blp.login_required()
@blp.arguments(PageArgsSchema, location="query")
@blp.response(200, MyDataPageSchema)
@blp.errors(404)
def my_data_section(args, section):
    """The next page of one section of your data (follow `next_cursor` until it is null)

    `section` is one of the keys of `next_cursors` in `GET /api/v1/me/data`;
    another answers 404.
    """
    return personal_data.page(current_user, section, args["limit"], args.get("cursor"))
