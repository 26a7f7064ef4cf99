"""Compressed answers and conditional GETs (API.md, "Conditional requests and compression").

JSON (and non-streamed CSV) answers over ``COMPRESS_MIN_SIZE`` (1 KB) are sent
with br or gzip when the client accepts one; every answer says
``Vary: Accept-Encoding``. Left alone: small bodies, redirects, 304s and errors
below 200 or from 300 on, images (not in ``COMPRESS_MIMETYPES``) and streamed
bodies (``COMPRESS_STREAMS`` off: the CSV export streams row by row and keeps
doing so).

An ETag names the resource's state, whatever the content coding: flask-compress
would append ``:gzip`` to a strong tag, and a phone whose HTTP client
decompresses transparently (OkHttp, URLSession) would then send that tag back in
``If-Match`` and get 412 for ever. So the tag the view set is kept as it was,
and ``If-None-Match`` is evaluated by the view (:func:`make_conditional`)
before compression, so a 304 costs no compression either.
"""
import flask_compress
from flask import request

# Settings of flask-compress (``FIXED`` in config): see the module docstring.
SETTINGS = {
    "COMPRESS_MIMETYPES": ["application/json", "text/csv"],
    "COMPRESS_ALGORITHM": ["br", "gzip"],
    "COMPRESS_MIN_SIZE": 1024,
    "COMPRESS_LEVEL": 6,
    "COMPRESS_BR_LEVEL": 4,
    "COMPRESS_STREAMS": False,
    "COMPRESS_EVALUATE_CONDITIONAL_REQUEST": False,
}


class Compress(flask_compress.Compress):
    """flask-compress that keeps the ETag the view set (see the module docstring)."""

    def after_request(self, response):
        etag = response.headers.get("ETag")
        response = super().after_request(response)
        if etag is not None:
            response.headers["ETag"] = etag
        return response


def make_conditional(response):
    """A 200 GET answer gets an ETag (weak, from its body, unless the view set one) and
    ``Cache-Control: private, no-cache``; a matching ``If-None-Match`` turns it into a 304.

    werkzeug does the work: ``add_etag`` hashes the body, ``make_conditional``
    compares with the weak comparison RFC 9110 asks for ``If-None-Match`` (``*``
    included) and the 304 leaves without a body but with its ``ETag``. A weak tag
    because the same tag stands for the identity and the compressed body.
    """
    if response.status_code != 200 or request.method not in ("GET", "HEAD"):
        return response
    if response.get_etag()[0] is None:
        response.add_etag(weak=True)
    response.headers.setdefault("Cache-Control", "private, no-cache")
    return response.make_conditional(request)
