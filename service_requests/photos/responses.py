"""A photo as a response: the API's photo routes and the staff console send it alike (route modules stay leaves)."""
from flask import make_response, redirect


def send_attachment(result):
    """The answer for ``attachments.open_attachment``'s result (a redirect to the store, or the
    bytes inline), never cached; the API's photo routes and the console's send photos with it."""
    kind, payload, content_type = result
    if kind == "redirect":
        response = redirect(payload, code=302)
        response.set_data(b"")  # the Location header is the answer; no HTML for an API client
    else:
        response = make_response(payload)
        response.headers["Content-Type"] = content_type
        response.headers["Content-Disposition"] = "inline"
    response.headers["Cache-Control"] = "private, no-store"
    return response
