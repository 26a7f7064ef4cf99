"""Photos of a request: upload and removal (``attachments``), the image pipeline in a sandboxed
decoder (``images``, ``decoder``), the object store (``storage``) and its deletion outbox (``outbox``)."""
