"""The audit log, for administrators (PRIVACY.md P14)."""
import marshmallow as ma
import sqlalchemy as sa

from .api import Blueprint, Output
from .audit import AuditEntry
from .extensions import db
from .fields import Id, Text
from .pagination import PageArgsSchema, page_schema, paginate

blp = Blueprint("audit", __name__, url_prefix="/api/v1", description="Audit log")


class AuditEntrySchema(Output):
    id = ma.fields.Integer()
    actor_id = ma.fields.Integer(allow_none=True)
    action = Text(metadata={"example": "attachment.view"})
    target_type = Text()
    target_id = ma.fields.Integer(allow_none=True, metadata={"description": "null for a list or search"})
    details = ma.fields.Dict(allow_none=True, metadata={"description": "the filter of a list or search"})
    created_at = ma.fields.AwareDateTime()


class AuditArgsSchema(PageArgsSchema):
    actor_id = Id()
    action = Text(validate=ma.validate.Length(max=64))
    target_type = Text(validate=ma.validate.Length(max=32))
    target_id = Id()


@blp.route("/audit-log", methods=["GET"])
@blp.doc(operationId="listAuditLog")
@blp.login_required("administrator", company_wide=True)
@blp.arguments(AuditArgsSchema, location="query")
@blp.response(200, page_schema(AuditEntrySchema))
def audit_log(args):
    """Who viewed which photo, person's record or list of people, and when, newest first"""
    stmt = sa.select(AuditEntry)
    for field in ("actor_id", "action", "target_type", "target_id"):
        if field in args:
            stmt = stmt.where(getattr(AuditEntry, field) == args[field])
    return paginate(db.session, stmt, AuditEntry, args["limit"], args.get("cursor"))
