import marshmallow as ma

from ..api import Schema
from ..fields import Password, Pattern, Text
from ..users.schemas import UserSchema


class LoginSchema(Schema):
    login = Text(required=True, validate=ma.validate.Length(min=1, max=64))
    password = Text(required=True, load_only=True, validate=ma.validate.Length(min=1, max=128))


class TokenPairSchema(Schema):
    access_token = Text(required=True)
    refresh_token = Text(required=True)
    token_type = Text(required=True, metadata={"example": "Bearer"})
    expires_in = ma.fields.Integer(required=True, metadata={"description": "access token lifetime, seconds"})


class LoginResponseSchema(TokenPairSchema):
    user = ma.fields.Nested(UserSchema, required=True)


class ResetRequestSchema(Schema):
    login = Text(required=True, validate=ma.validate.Length(min=1, max=64))


class ResetConfirmSchema(Schema):
    login = Text(required=True, validate=ma.validate.Length(min=1, max=64))
    code = Text(required=True, validate=Pattern(r"^[0-9]{6}$", error="6 digits"))
    new_password = Password(required=True, load_only=True)
