"""What a scanned QR tag opens: the room, its office and what can be asked there."""
import marshmallow as ma
import sqlalchemy as sa
from flask.views import MethodView
from flask_jwt_extended import current_user

from offices.rooms import resolve_token
from service_app.api import Blueprint, Output
from service_app.extensions import db
from service_requests.catalogue.models import Category
from service_requests.catalogue.schemas import CategorySchema
from service_requests.schemas import OfficeRefSchema, RoomRefSchema

from . import notices, similar
from .schemas import NoticeSchema, SimilarSchema

blp = Blueprint("qr", __name__, url_prefix="/api/v1", description="Rooms' QR tags")


class QrTagSchema(Output):
    office = ma.fields.Nested(OfficeRefSchema)
    room = ma.fields.Nested(RoomRefSchema)
    categories = ma.fields.List(ma.fields.Nested(CategorySchema), metadata={"description": "the active categories"})
    notices = ma.fields.List(ma.fields.Nested(NoticeSchema), metadata={
        "description": "the office's active notices: what the office already knows"})
    open_requests = ma.fields.List(ma.fields.Nested(SimilarSchema), metadata={
        "description": "the room's open requests of the last SIMILAR_DAYS, newest first (at most 5): "
                       "follow one rather than file it again"})


def open_tag(token):
    """The answer for a scanned tag (404 for an unknown, replaced or malformed one)."""
    room = resolve_token(token)
    categories = list(db.session.scalars(sa.select(Category).where(Category.is_active.is_(True))
                                         .order_by(Category.code)))
    return {"office": room.office, "room": room, "categories": categories,
            "notices": notices.active_notices([room.office_id], current_user),
            "open_requests": similar.open_in_room(room, current_user)}


@blp.route("/qr/<string:token>")
class QrTag(MethodView):
    @blp.doc(operationId="openQrTag")
    @blp.login_required()
    @blp.response(200, QrTagSchema)
    @blp.errors(404)
    def get(self, token):
        """Open a room's QR tag: its office and room, the categories to choose from, and what is known there"""
        return open_tag(token)
