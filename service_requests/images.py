"""Validation and re-encoding of photos attached to requests.

Every accepted upload is decoded and written again from its pixels alone, so
nothing the phone embedded (EXIF with GPS and device, XMP, comments, ICC text)
reaches storage (PRIVACY.md P7). Pure module: no Flask, no storage.
"""
import hashlib
import io
import logging
import struct
import threading
import warnings
from dataclasses import dataclass

import pillow_heif
from PIL import Image, ImageCms, ImageOps

logger = logging.getLogger(__name__)

# Embedded thumbnails, depth maps and auxiliary images are never used: not
# parsing them keeps libheif's work (and attack surface) to the primary image.
pillow_heif.register_heif_opener(thumbnails=False, depth_images=False, aux_images=False)

# Pillow names a JPEG carrying a multi-picture (MP) extension "MPO"; many
# phone cameras write those, and the first frame is an ordinary JPEG.
_OUTPUT_FORMAT = {"JPEG": "JPEG", "MPO": "JPEG", "PNG": "PNG", "WEBP": "WEBP", "HEIF": "JPEG"}
_CONTENT_TYPE = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
_OPENERS = ("JPEG", "PNG", "WEBP", "HEIF")
_KEEP_MODES = {"PNG": ("1", "L", "RGB", "RGBA"), "WEBP": ("RGB", "RGBA")}
_QUALITY = 85

# Anything the decoders raise for hostile or broken input. MemoryError is left
# out on purpose: running out of memory is an operational fault, not a bad file.
_DECODE_ERRORS = (OSError, SyntaxError, ValueError, EOFError, RuntimeError,
                  IndexError, TypeError, KeyError, struct.error, ImageCms.PyCMSError)

# warnings.catch_warnings swaps process-wide state (not thread-safe before
# Python 3.14); the lock stops two uploads from restoring each other's filters.
_WARNINGS_LOCK = threading.Lock()
_SRGB = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))


class ImageRejected(Exception):
    """The upload is not an acceptable photo; carries the HTTP answer to give."""

    def __init__(self, status: int, code: str, message: str):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


@dataclass(frozen=True)
class ProcessedImage:
    """A re-encoded, metadata-free photo and its JPEG thumbnail."""

    content: bytes
    content_type: str
    width: int
    height: int
    thumbnail: bytes
    thumbnail_content_type: str
    sha256: str  # of the bytes as uploaded, so a repeated upload is recognised


def _unsupported(message: str = "the file is not a JPEG, PNG, WebP or HEIC/HEIF image") -> ImageRejected:
    return ImageRejected(415, "unsupported_media_type", message)


def _too_many_pixels(pixels: int, max_pixels: int) -> ImageRejected:
    return ImageRejected(422, "validation_error",
                         f"the image has {pixels} pixels, more than the limit of {max_pixels} "
                         "(or it looks like a decompression bomb)")


def _open(data: bytes) -> Image.Image:
    """Identify the image from its header only; pixels are not decoded yet.

    Pillow's own bomb check runs inside Image.open against the global
    Image.MAX_IMAGE_PIXELS (~89 Mpx warns, twice that raises). We leave that
    global alone, because other code in the process may rely on it, and make
    its warning an error here so a bomb is rejected instead of logged; our
    stricter max_pixels is checked by the caller from the same header.
    """
    with _WARNINGS_LOCK, warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        return Image.open(io.BytesIO(data), formats=_OPENERS)


def process_image(data: bytes, *, max_bytes: int = 10 * 1024 * 1024,
                  max_pixels: int = 40_000_000, thumbnail_px: int = 320) -> ProcessedImage:
    """Check an uploaded photo by its bytes and return it re-encoded without metadata.

    JPEG, PNG and WebP keep their format; HEIC/HEIF becomes JPEG (re-saving
    HEIF would keep GPS). EXIF orientation is applied to the pixels first.
    Raises ImageRejected (413, 415 or 422) for anything else; never a Pillow error.
    """
    if len(data) > max_bytes:
        raise ImageRejected(413, "payload_too_large", f"the file is larger than {max_bytes} bytes")
    if not data:
        raise _unsupported("the file is empty")
    digest = hashlib.sha256(data).hexdigest()
    try:
        upright, source_format = _decode(data, max_pixels)
        output_format = _OUTPUT_FORMAT[source_format]
        stored = _for_output(upright, output_format)
        content = _encode(stored, output_format)
        thumbnail = _thumbnail(stored, thumbnail_px)
    except ImageRejected:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ImageRejected(422, "validation_error",
                            "the image is too large to decode safely (decompression bomb)") from exc
    except _DECODE_ERRORS as exc:
        # The reason can quote file contents; the class name is enough for operators.
        logger.info("image rejected by the decoder: %s", type(exc).__name__)
        raise _unsupported("the file is not a readable JPEG, PNG, WebP or HEIC/HEIF image") from exc
    return ProcessedImage(content=content, content_type=_CONTENT_TYPE[output_format],
                          width=stored.width, height=stored.height, thumbnail=thumbnail,
                          thumbnail_content_type="image/jpeg", sha256=digest)


def _decode(data: bytes, max_pixels: int) -> tuple[Image.Image, str]:
    """Decode the first frame with its orientation applied and colours in sRGB."""
    with _open(data) as probe:
        source_format = probe.format
        if source_format not in _OUTPUT_FORMAT:
            raise _unsupported()
        pixels = probe.width * probe.height
        if pixels > max_pixels:
            raise _too_many_pixels(pixels, max_pixels)
        probe.verify()  # checks structure (PNG CRCs) without decoding the pixels
    # A verified image cannot be loaded: open the bytes again. No `with` here:
    # closing would free the pixels we return (and a BytesIO holds no descriptor).
    img = _open(data)
    img.load()
    try:
        ImageOps.exif_transpose(img, in_place=True)
    except _DECODE_ERRORS:
        # A malformed EXIF block costs the orientation, not the upload: the
        # pixels decoded fine and the metadata is discarded anyway.
        logger.info("EXIF orientation ignored: the EXIF block is malformed")
    return _to_srgb(img), source_format


def _to_srgb(img: Image.Image) -> Image.Image:
    """Convert to sRGB when a profile is embedded, so dropping it does not shift colours.

    Phones tag photos with wide-gamut profiles (Display P3); CMYK JPEGs carry
    press profiles. A profile we cannot apply is dropped rather than refused.
    """
    profile = img.info.get("icc_profile")
    if not profile or img.mode not in ("RGB", "RGBA", "CMYK"):
        return img
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(profile))
        converted = ImageCms.profileToProfile(img, source, _SRGB,
                                              outputMode="RGBA" if img.mode == "RGBA" else "RGB")
    except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
        logger.info("embedded colour profile ignored: it could not be applied")
        return img
    return converted if converted is not None else img


def _for_output(img: Image.Image, output_format: str) -> Image.Image:
    """Return the image, without any metadata, in a mode the output format stores."""
    if img.mode in ("I;16", "I", "F"):
        # 16-bit greyscale PNGs: Pillow's convert() clips to 255 instead of scaling.
        img = img.point(lambda v: v * (1 / 257)).convert("L")
    if output_format == "JPEG":
        img = _flatten(img)
    elif img.mode not in _KEEP_MODES[output_format] or "transparency" in img.info:
        # P, LA, CMYK, or a colour-key transparency that lives in `info` and
        # would be lost with it: make the alpha explicit.
        img = img.convert("RGBA" if img.has_transparency_data else "RGB")
    # Plugins read some metadata straight from `info` (PNG: icc_profile, JPEG: comment).
    img.info = {}
    return img


def _flatten(img: Image.Image) -> Image.Image:
    """Return an RGB image with any transparency composited onto white (JPEG has no alpha)."""
    if not img.has_transparency_data:
        return img if img.mode == "RGB" else img.convert("RGB")
    rgba = img.convert("RGBA")
    background = Image.new("RGB", rgba.size, (255, 255, 255))
    background.paste(rgba, mask=rgba.getchannel("A"))
    return background


def _encode(img: Image.Image, output_format: str) -> bytes:
    # No exif=, icc_profile=, xmp= or pnginfo=: that is what keeps the output clean.
    buffer = io.BytesIO()
    if output_format == "PNG":
        img.save(buffer, "PNG")
    else:
        img.save(buffer, output_format, quality=_QUALITY)
    return buffer.getvalue()


def _thumbnail(img: Image.Image, thumbnail_px: int) -> bytes:
    """Return a JPEG whose longest side is thumbnail_px (smaller images are not enlarged)."""
    scale = min(1.0, thumbnail_px / max(img.size))
    size = (max(1, round(img.width * scale)), max(1, round(img.height * scale)))
    if img.mode == "1":
        img = img.convert("L")  # resize() of a bilevel image ignores the filter
    small = img.resize(size, Image.Resampling.LANCZOS, reducing_gap=2.0)
    small = _flatten(small)
    small.info = {}
    return _encode(small, "JPEG")
