import marshmallow as ma

from ..api import Output, Schema
from ..database import utcnow
from ..fields import Code, Email, Id, Login, Password, Phone, Text, TrimmedString
from ..pagination import DEFAULT_LIMIT, MAX_LIMIT, PageArgsSchema, page_schema
from ..vocabulary import LANGUAGES, ROLES


class UserSchema(Output):
    id = ma.fields.Integer(dump_only=True)
    login = Text()
    full_name = Text()
    email = Text(allow_none=True)
    phone = Text(allow_none=True)
    role = Text(metadata={"enum": list(ROLES)})
    office_id = ma.fields.Integer(allow_none=True)
    office_ids = ma.fields.List(ma.fields.Integer())
    department_codes = ma.fields.List(Text())
    language = Text(metadata={"enum": list(LANGUAGES)})
    is_active = ma.fields.Boolean()
    available = ma.fields.Function(lambda user: user.is_available(utcnow()), metadata={
        "type": "boolean", "description": "false while away: auto-assignment skips them"})
    available_until = ma.fields.AwareDateTime(allow_none=True, metadata={
        "description": "the end of the latest absence: available again from then on (null: until changed)"})
    created_at = ma.fields.AwareDateTime()


class UserCreateSchema(Schema):
    login = Login(required=True)
    full_name = TrimmedString(required=True, validate=ma.validate.Length(min=1, max=200))
    password = Password(required=True, load_only=True)
    role = Text(required=True, validate=ma.validate.OneOf(ROLES))
    phone = Phone(allow_none=True)
    email = Email(allow_none=True, validate=ma.validate.Length(max=254))
    office_id = Id(allow_none=True, strict=True)
    office_ids = ma.fields.List(Id(strict=True),
                                validate=ma.validate.Length(max=500))
    department_codes = ma.fields.List(Code(), validate=ma.validate.Length(max=100))
    language = Text(validate=ma.validate.OneOf(LANGUAGES))


class UserUpdateSchema(UserCreateSchema):
    """Every field optional; ``password`` sets a new one and signs the user out everywhere."""

    login = Login()
    full_name = TrimmedString(validate=ma.validate.Length(min=1, max=200))
    password = Password(load_only=True)
    role = Text(validate=ma.validate.OneOf(ROLES))
    is_active = ma.fields.Boolean()


class UserListArgsSchema(PageArgsSchema):
    role = Text(validate=ma.validate.OneOf(ROLES))
    office_id = Id()
    q = Text(validate=ma.validate.Length(min=1, max=100))
    is_active = ma.fields.Boolean()


UserPageSchema = page_schema(UserSchema)


class MeUpdateSchema(Schema):
    language = Text(validate=ma.validate.OneOf(LANGUAGES))
    email = Email(allow_none=True, validate=ma.validate.Length(max=254))


class PasswordChangeSchema(Schema):
    current_password = Text(required=True, load_only=True,
                                        validate=ma.validate.Length(max=128))
    new_password = Password(required=True, load_only=True)


class MyDataSchema(Output):
    """Everything stored about the caller (PRIVACY.md P16): the profile and the first page of each section.

    A section with more has a cursor in `next_cursors`; follow it with
    `GET /api/v1/me/data/{section}?cursor=` until `next_cursor` is null to read the rest.
    """

    profile = ma.fields.Nested(UserSchema, required=True)
    requests = ma.fields.List(ma.fields.Dict(), metadata={"description": "requests you submitted, with location"})
    comments = ma.fields.List(ma.fields.Dict(), metadata={"description": "comments you wrote"})
    attachments = ma.fields.List(ma.fields.Dict(), metadata={"description": "photos on your requests (metadata)"})
    devices = ma.fields.List(ma.fields.Dict(), metadata={"description": "your registered phones"})
    notifications = ma.fields.List(ma.fields.Dict(), metadata={"description": "your notification feed"})
    views = ma.fields.List(ma.fields.Dict(), metadata={"description": "saved views of the request list you made (staff)"})
    replies = ma.fields.List(ma.fields.Dict(), metadata={"description": "canned replies you made (staff)"})
    followed_notices = ma.fields.List(ma.fields.Dict(), metadata={"description": "office notices you follow"})
    following = ma.fields.List(ma.fields.Dict(), metadata={"description": "requests you follow"})
    next_cursors = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.String(allow_none=True), required=True,
                                  metadata={"description": "per section: the cursor of its next page, null when "
                                                           "this answer holds all of it"})


class MyDataArgsSchema(Schema):
    limit = ma.fields.Integer(load_default=DEFAULT_LIMIT, validate=ma.validate.Range(min=1, max=MAX_LIMIT),
                              metadata={"description": "items per section"})


class MyDataPageSchema(ma.Schema):
    """One page of one section of your data."""

    items = ma.fields.List(ma.fields.Dict(), required=True)
    next_cursor = ma.fields.String(allow_none=True, required=True)
