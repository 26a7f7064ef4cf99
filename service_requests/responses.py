"""What a request's endpoints answer with, wherever they live (the request's own routes, canned replies)."""
from flask import after_this_request


def with_etag(req, status=200, headers=None):
    """The view's answer, its ETag set by werkzeug (``set_etag``) from the version just served."""
    tag = req.etag_value

    @after_this_request
    def set_etag(response):
        response.set_etag(tag)
        return response

    return (req, status, headers) if headers else (req, status)
