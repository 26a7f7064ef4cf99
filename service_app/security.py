"""Transport and browser hardening (PRIVACY.md P11): HTTPS only in production,
HSTS, and headers that keep responses from being sniffed or framed."""
from urllib.parse import urlsplit

from flask import redirect, request

EXEMPT_FROM_HTTPS = ("/healthz", "/readyz")  # Render's health checks call the service over plain HTTP


def _origin(url):
    parts = urlsplit(url)
    return f" {parts.scheme}://{parts.netloc}" if parts.scheme in ("http", "https") and parts.netloc else ""


def _photo_origin(app):
    """Where photos are fetched from when they live in S3: the signed URLs' host (the public
    endpoint, else the endpoint, else AWS's S3 hosts)."""
    if app.config.get("STORAGE_BACKEND") != "s3":
        return ""
    endpoint = app.config.get("S3_PUBLIC_ENDPOINT_URL") or app.config.get("S3_ENDPOINT_URL")
    return _origin(endpoint) if endpoint else " https://*.amazonaws.com"


def console_policy(app):
    """The staff console's CSP: scripts and styles from the service only (no inline script),
    images also from the map's tile server, forms posted back to the service only."""
    tiles = (app.config.get("MAP_TILE_URL") or "").replace("{s}.", "*.")
    tile_origin = _origin(tiles.split("{", 1)[0]) if tiles.startswith(("https://", "http://")) else ""
    return ("default-src 'self'; script-src 'self'; style-src 'self'; "
            f"img-src 'self' data: blob:{tile_origin}{_photo_origin(app)}; connect-src 'self'; font-src 'self'; "
            "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")


def init_app(app):
    force_https = app.config["FORCE_HTTPS"]

    @app.before_request
    def _require_https():
        if force_https and not request.is_secure and request.path not in EXEMPT_FROM_HTTPS:
            return redirect(request.url.replace("http://", "https://", 1), code=308)
        return None

    @app.after_request
    def _secure_headers(response):
        headers = response.headers
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Referrer-Policy", "no-referrer")
        if request.path.startswith("/console"):
            headers.setdefault("Content-Security-Policy", console_policy(app))
        elif request.path.endswith("/docs"):  # Swagger UI: its own files, plus the inline start-up script
            headers.setdefault("Content-Security-Policy", "default-src 'self'; script-src 'self' 'unsafe-inline'; "
                                                          "style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
                                                          "frame-ancestors 'none'")
        else:
            headers.setdefault("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'")
        if force_https and request.is_secure:
            headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        return response
