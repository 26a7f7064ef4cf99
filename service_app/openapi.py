"""How our marshmallow fields are written into the OpenAPI document, so code generators
(openapi-python-client, openapi-generator's Kotlin, Swift and Dart) read typed models.

The document is OpenAPI 3.0, where ``null`` is not a type: a value that may be null says
``nullable: true`` beside its type. apispec writes a nullable nested object as
``anyOf: [{type: object, nullable: true}, {$ref}]``, which generators read as "an untyped
object or a Person" (``Any``); here it is ``allOf: [{$ref}]`` with ``nullable: true``, which
they read as an optional ``Person`` (``Person?``).

A localized name (:class:`~service_app.fields.LocalizedText`) is answered as a ``LocalizedText``
object ``{ru, kk, en}``; a request may send it as one string too (a ``oneOf`` of the two). Generators
of Kotlin and Swift models cannot read a value that is sometimes a string and sometimes an object,
so answers never are.
"""
from apispec.ext.marshmallow import MarshmallowPlugin as _MarshmallowPlugin
from apispec.ext.marshmallow import OpenAPIConverter

from .api import Output
from .fields import LocalizedText, LocalizedTextSchema


class Converter(OpenAPIConverter):
    def init_attribute_functions(self):
        super().init_attribute_functions()
        self.attribute_functions.append(self.localized_text2properties)

    def localized_text2properties(self, field, **kwargs):
        if not isinstance(field, LocalizedText):
            return {}
        if isinstance(field.parent, Output):
            return self.resolve_nested_schema(LocalizedTextSchema)
        return {"oneOf": [{"type": "string"}, self.resolve_nested_schema(LocalizedTextSchema)]}

    def field2nullable(self, field, ret):
        if field.allow_none and self.openapi_version.major == 3 and self.openapi_version.minor == 0 and "$ref" in ret:
            return {"allOf": [{"$ref": ret.pop("$ref")}], "nullable": True}
        return super().field2nullable(field, ret)


class MarshmallowPlugin(_MarshmallowPlugin):
    """apispec's marshmallow plugin with :class:`Converter`."""

    Converter = Converter
