"""What the request domain holds about a person, for ``GET /api/v1/me/data`` (P16).

Each section is a query and a dump of one page, so the export reads one page
at a time however busy the account.
"""
import sqlalchemy as sa
from sqlalchemy.orm import lazyload

from service_requests.models import Attachment, Comment, ServiceRequest
from service_requests.staff.models import Reply, SavedView


def request_rows(user):
    # The dump needs none of the request's photos (they are their own section).
    return (sa.select(ServiceRequest).where(ServiceRequest.author_id == user.id)
            .options(lazyload(ServiceRequest.attachments)))


def dump_requests(rows):
    # ``fields``: the answers to the category's form the author gave or may see; staff-only answers
    # are staff's record of the work, which the author never sees (API.md).
    return [{"id": r.id, "number": r.number, "title": r.title, "description": r.description,
             "category": r.category_code, "priority": r.priority, "status": r.status,
             "office": {"id": r.office_id, "code": r.office.code}, "routed_by": r.routed_by,
             "room": {"id": r.room.id, "code": r.room.code} if r.room is not None else None,
             "location": ({"lat": r.location_lat, "lon": r.location_lon} if r.location_lat is not None else None),
             "created_at": r.created_at.isoformat(), "closed_at": r.closed_at.isoformat() if r.closed_at else None,
             "rating": r.rating, "fields": dict(r.fields or {})} for r in rows]


def comment_rows(user):
    return sa.select(Comment).where(Comment.author_id == user.id)


def dump_comments(rows):
    return [{"id": c.id, "request_id": c.request_id, "body": c.body, "internal": c.internal,
             "created_at": c.created_at.isoformat()} for c in rows]


def attachment_rows(user):
    """Photos I uploaded and photos on my requests (metadata; the bytes are at ``url``)."""
    return (sa.select(Attachment).join(ServiceRequest, ServiceRequest.id == Attachment.request_id)
            .where(sa.or_(Attachment.uploader_id == user.id, ServiceRequest.author_id == user.id)))


def dump_attachments(rows):
    return [{"id": a.id, "request_id": a.request_id, "content_type": a.content_type, "size": a.size,
             "width": a.width, "height": a.height, "sha256": a.sha256, "created_at": a.created_at.isoformat(),
             "url": f"/api/v1/attachments/{a.id}"} for a in rows]


def view_rows(user):
    """The saved views I made (shared ones too: they carry my name)."""
    return sa.select(SavedView).where(SavedView.owner_id == user.id)


def dump_views(rows):
    return [{"id": v.id, "name": v.name, "filters": v.filters, "sort": v.sort, "shared": v.shared,
             "created_at": v.created_at.isoformat()} for v in rows]


def reply_rows(user):
    """The canned replies I made (shared ones too: they carry my name)."""
    return sa.select(Reply).where(Reply.owner_id == user.id)


def dump_replies(rows):
    return [{"id": r.id, "title": r.title, "body": r.body, "internal": r.internal, "actions": r.actions or {},
             "shared": r.shared, "created_at": r.created_at.isoformat()} for r in rows]
