"""A client that stops sending its body gets a JSON 408 (the socket's read timeout is set by
gunicorn.conf.py's pre_request; here the body stream raises as gunicorn's socket read would)."""
import io
import json

from werkzeug.test import EnvironBuilder, run_wsgi_app


class StallingStream(io.BytesIO):
    """The first bytes of a body, then a read that times out."""

    def read(self, size=-1):
        data = super().read(size)
        if not data:
            raise TimeoutError("timed out")
        return data

    def readline(self, size=-1):
        data = super().readline(size)
        if not data:
            raise TimeoutError("timed out")
        return data


def call(app, path, head, headers, content_length=None):
    environ = EnvironBuilder(path=path, method="POST", headers=headers).get_environ()
    environ["wsgi.input"] = StallingStream(head)  # the test client would measure the stream; a socket cannot
    if content_length is None:
        environ.pop("CONTENT_LENGTH", None)
        environ["HTTP_TRANSFER_ENCODING"] = "chunked"
    else:
        environ["CONTENT_LENGTH"] = str(content_length)
    body, status, response_headers = run_wsgi_app(app, environ)
    return status, response_headers, json.loads(b"".join(body))


def test_a_stalled_upload_is_408_json(app, world, submit):
    rid = submit()["id"]
    head = b'--XX\r\nContent-Disposition: form-data; name="file"; filename="a.jpg"\r\n\r\n\xff\xd8'
    status, headers, body = call(app, f"/api/v1/requests/{rid}/attachments", head, {
        **world.employee.headers, "Content-Type": "multipart/form-data; boundary=XX"}, content_length=100_000)
    assert status.startswith("408") and headers["Content-Type"] == "application/json"
    assert body["error"]["code"] == "request_timeout"


def test_a_stalled_json_body_is_408_json(app, world):
    for length in (1000, None):  # sized, and chunked (read by ChunkedBodyLimit before Flask)
        status, headers, body = call(app, "/api/v1/requests", b'{"title": "AC', {
            **world.employee.headers, "Content-Type": "application/json"}, content_length=length)
        assert status.startswith("408"), (length, body)
        assert body["error"]["code"] == "request_timeout"


def test_the_408_of_a_stalled_chunked_body_follows_accept_language(app):
    """Answered by the WSGI middleware, before Flask knows the user: Accept-Language decides."""
    status, headers, body = call(app, "/api/v1/auth/login", b'{"login": "a', {
        "Content-Type": "application/json", "Accept-Language": "kk"})
    assert status.startswith("408") and headers["Content-Language"] == "kk"
    assert body["error"]["code"] == "request_timeout"
    assert body["error"]["message"] == "сұрау денесі келуін тоқтатты"
