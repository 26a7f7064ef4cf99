"""What a request's endpoints answer with, wherever they live (the request's own routes, canned replies)."""
from flask import after_this_request
from flask_jwt_extended import current_user

from .access import is_staff_for


def etag_value(user, req):
    """``req``'s ETag for ``user`` (without quotes): staff responsible for it read its staff-only
    answers too, and their tag names them (``ServiceRequest.etag_value``); its author's and a
    follower's is its version, which an edit of those answers leaves as it is."""
    return req.etag_value if user is not None and is_staff_for(user, req) else req.public_etag_value


def with_etag(req, status=200, headers=None):
    """The view's answer, its ETag set by werkzeug (``set_etag``) from the version just served, as the caller reads it."""
    tag = etag_value(current_user, req)

    @after_this_request
    def set_etag(response):
        response.set_etag(tag)
        return response

    return (req, status, headers) if headers else (req, status)
