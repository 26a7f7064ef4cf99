"""Photo upload, download and removal, views of the requests blueprint (their endpoints
are ``requests.upload_attachment``, ``requests.AttachmentFile``, ...)."""
from flask import current_app
from flask.views import MethodView
from flask_jwt_extended import current_user

from service_app.errors import ErrorSchema
from service_app.extensions import limiter, user_key

from . import attachments
from service_requests.schemas import AttachmentSchema
from .responses import send_attachment
from .schemas import AttachmentUploadSchema


REDIRECT = {"Location": {"schema": {"type": "string", "format": "uri"}}}


def add_photo_views(blp):
    """Add the photo views to ``blp``, the requests blueprint, before it is first registered.

    ``routes.py`` calls this once, right after building its blueprint: a
    blueprint takes no new views once an app has registered it, and one
    blueprint serves every app of the process, so this cannot run per app.
    """
    @blp.route("/requests/<int:request_id>/attachments", methods=["POST"])
    @blp.doc(operationId="uploadAttachment")
    @blp.login_required()
    @limiter.limit(lambda: current_app.config["UPLOAD_LIMIT"], key_func=user_key,
                   deduct_when=lambda response: response.status_code == 201)  # new photos only
    @blp.arguments(AttachmentUploadSchema, location="files")
    @blp.response(201, AttachmentSchema)
    @blp.alt_response(200, schema=AttachmentSchema, description="the same bytes again: the existing attachment")
    @blp.alt_response(413, schema=ErrorSchema, description="payload_too_large")
    @blp.alt_response(415, schema=ErrorSchema, description="unsupported_media_type")
    @blp.alt_response(429, schema=ErrorSchema, description="too many uploads")
    @blp.alt_response(503, schema=ErrorSchema, description="storage unavailable")
    @blp.errors(403, 404, 409)
    def upload_attachment(files, request_id):
        """Attach a photo (JPEG, PNG, WebP, HEIC); EXIF and GPS are stripped"""
        data = attachments.read_upload(files.get("file"))
        attachment, created = attachments.upload(current_user, request_id, data)
        return attachment, 201 if created else 200

    @blp.route("/attachments/<int:attachment_id>")
    class AttachmentFile(MethodView):
        @blp.doc(operationId="downloadAttachment")
        @blp.login_required()
        # One media range: the photo is JPEG, PNG or WebP (its Content-Type says which).
        @blp.doc(responses={"200": {"description": "the image: JPEG, PNG or WebP", "content": {
            "image/*": {"schema": {"type": "string", "format": "binary"}}}}})
        @blp.alt_response(302, description="a short-lived signed URL (S3 storage)", headers=REDIRECT)
        @blp.errors(404, 503)
        def get(self, attachment_id):
            """Download a photo"""
            return send_attachment(attachments.open_attachment(current_user, attachment_id))

        @blp.login_required()
        @blp.doc(operationId="deleteAttachment")
        @blp.response(204)
        @blp.alt_response(409, schema=ErrorSchema,
                          description="conflict: the request has left `new`, so its author may no longer remove photos")
        @blp.errors(403, 404)
        def delete(self, attachment_id):
            """Remove a photo (the author while the request is new; responsible staff at any time)

            The image and its thumbnail are deleted from storage by the next purge
            (`flask storage purge`); the download links stop working at once. Audited.
            """
            attachments.delete(current_user, attachment_id)

    @blp.route("/attachments/<int:attachment_id>/thumbnail")
    class AttachmentThumbnail(MethodView):
        @blp.doc(operationId="downloadAttachmentThumbnail")
        @blp.login_required()
        @blp.doc(responses={"200": {"description": "the thumbnail", "content": {
            "image/jpeg": {"schema": {"type": "string", "format": "binary"}}}}})
        @blp.alt_response(302, description="a short-lived signed URL (S3 storage)", headers=REDIRECT)
        @blp.errors(404, 503)
        def get(self, attachment_id):
            """Download a photo's thumbnail"""
            return send_attachment(attachments.open_attachment(current_user, attachment_id, thumbnail=True))
