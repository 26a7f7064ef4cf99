"""Photos' schemas: an upload (the attachment itself is part of the request's own schema)."""

import marshmallow as ma

from service_app.api import Schema



class AttachmentUploadSchema(Schema):
    file = ma.fields.Raw(required=True, error_messages={"required": "a multipart field 'file' is required"},
                         metadata={"type": "string", "format": "binary"})
