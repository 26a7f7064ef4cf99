"""Similar requests (API.md "Employees", "Following and similar requests, tightened"): before
submitting, the app asks for the open requests of the same category in the office the place routes
to (``similar``), and a scanned room tag shows the room's (``open_in_room``). Both show only
``following.findable_condition``: open, recent requests of discoverable categories, whoever asks (an
HR request is never offered, not even to its author or HR: what is shown here is what anyone may
follow). What they show is never personal (no author, description, photo or location); anyone may
follow such a request instead of filing another one (``following``).
"""
import sqlalchemy as sa

from service_app.extensions import db
from service_requests import search
from service_requests.following import findable_condition, prime
from service_requests.models import ServiceRequest

from . import notices
from .places import place_office_id

SIMILAR_LIMIT = 5
# SQLite ranks in Python: the newest this many candidates of the office and category.
SQLITE_CANDIDATES = 200


def similar(user, args):
    """At most ``SIMILAR_LIMIT`` open recent requests of ``args["category"]`` in the routed office,
    the most similar title first (PostgreSQL: pg_trgm ``similarity`` between the normalised
    titles; SQLite: the number of words the titles share), newest first among equals."""
    office_id = place_office_id(user, office_id=args.get("office_id"), lat=args.get("lat"), lon=args.get("lon"),
                                qr_token=args.get("qr_token"))
    # Category codes are kept in upper case and matched so when a request is made (``active_category``).
    condition = sa.and_(ServiceRequest.office_id == office_id, ServiceRequest.category_code == args["category"].upper(),
                        findable_condition())
    title = search.normalise(args.get("title") or "").strip()
    newest = (ServiceRequest.created_at.desc(), ServiceRequest.id.desc())
    stmt = sa.select(ServiceRequest).where(condition)
    if not title:
        rows = list(db.session.scalars(stmt.order_by(*newest).limit(SIMILAR_LIMIT)))
    elif db.session.get_bind().dialect.name == "postgresql":
        # The title is the first line of the search document, normalised as the query is.
        own_title = sa.func.split_part(ServiceRequest.search_text, search.SEPARATOR, 1)
        score = sa.func.similarity(own_title, sa.bindparam("title", title, type_=sa.Text))
        rows = list(db.session.scalars(stmt.order_by(score.desc(), *newest).limit(SIMILAR_LIMIT)))
    else:
        words = set(search._WORD.findall(title))
        candidates = list(db.session.scalars(stmt.order_by(*newest).limit(SQLITE_CANDIDATES)))
        shared = {r.id: len(words & set(search._WORD.findall(search.normalise(r.title)))) for r in candidates}
        rows = sorted(candidates, key=lambda r: -shared[r.id])[:SIMILAR_LIMIT]  # stable: newest first among equals
    prime(rows, user)
    return {"items": rows, "notices": notices.active_notices([office_id], user)}


def open_in_room(room, user):
    """The room's open requests of the last ``SIMILAR_DAYS`` of discoverable categories, newest first,
    at most ``SIMILAR_LIMIT``: what a scanned tag shows (as ``Similar``: nothing personal), so the
    caller can follow one."""
    rows = list(db.session.scalars(
        sa.select(ServiceRequest).where(ServiceRequest.room_id == room.id, findable_condition())
        .order_by(ServiceRequest.created_at.desc(), ServiceRequest.id.desc()).limit(SIMILAR_LIMIT)))
    prime(rows, user)
    return rows


