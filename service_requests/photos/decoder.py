"""Decode, clean and re-encode one uploaded photo: the code that runs inside
the decoder process (see images.py for why it is a separate process).

Run as ``python -I decoder.py '<limits as JSON>'`` with the upload on
stdin; the reply on stdout is a 4-byte big-endian header length, a JSON header,
then the stored bytes and the thumbnail bytes. The module imports only the
standard library, Pillow and pillow-heif, so the process never loads the
application (nor its settings and secrets). ``process`` is also importable, so
the pipeline's steps can be tested in one process.

Every accepted upload is decoded and written again from its pixels alone, so
nothing the phone embedded (EXIF with GPS and device, XMP, comments, ICC text)
reaches storage (PRIVACY.md P7).
"""
import io
import json
import logging
import re
import resource
import signal
import struct
import sys
import warnings

import pillow_heif
from PIL import Image, ImageCms, ImageOps

logger = logging.getLogger(__name__)

# Embedded thumbnails, depth maps and auxiliary images are never used: not
# parsing them keeps libheif's work (and attack surface) to the primary image.
# One decoding thread: the CPU limit counts every thread, and each extra
# thread's stack would be taken from the memory limit.
pillow_heif.register_heif_opener(thumbnails=False, depth_images=False, aux_images=False)
pillow_heif.options.DECODE_THREADS = 1

# Pillow names a JPEG carrying a multi-picture (MP) extension "MPO"; many
# phone cameras write those, and the first frame is an ordinary JPEG.
_OUTPUT_FORMAT = {"JPEG": "JPEG", "MPO": "JPEG", "PNG": "PNG", "WEBP": "WEBP", "HEIF": "JPEG"}
_OPENERS = ("JPEG", "PNG", "WEBP", "HEIF")
_KEEP_MODES = {"PNG": ("1", "L", "RGB", "RGBA"), "WEBP": ("RGB", "RGBA")}
_QUALITY = 85

# Bytes per pixel the pipeline holds at its peak, by the mode Pillow decodes
# to. Pillow keeps RGB, RGBA, CMYK and 32-bit modes in 4 bytes a pixel; the
# peak is two such copies (decoded + upright, or RGBA + its premultiplied copy
# for the thumbnail; a progressive JPEG's coefficients take ~3 bytes a pixel
# beside the decoded pixels; HEIF's 3-4 bytes beside Pillow's). Bilevel and
# greyscale images stay one byte a pixel throughout.
_PEAK_BYTES_PER_PIXEL = {"1": 2, "L": 2}
_DEFAULT_PEAK_BYTES_PER_PIXEL = 8

# Anything the decoders raise for hostile or broken input. MemoryError is
# handled by the caller: inside this process it means the memory limit was hit.
_DECODE_ERRORS = (OSError, SyntaxError, ValueError, EOFError, RuntimeError,
                  IndexError, TypeError, KeyError, struct.error, ImageCms.PyCMSError)

# A marker in JPEG entropy-coded data: 0xFF followed by anything but a stuffed
# zero, a restart marker (inside a scan) or another 0xFF (fill).
_NEXT_MARKER = re.compile(rb"\xff[^\x00\xd0-\xd7\xff]")
_SRGB = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))


class Refused(Exception):
    """The upload is refused; ``reason`` is one of a fixed set, ``detail`` holds numbers only."""

    def __init__(self, reason: str, **detail: int):
        super().__init__(reason)
        self.reason = reason
        self.detail = detail


def process(data: bytes, *, max_pixels: int, memory_bytes: int, max_scans: int, thumbnail_px: int) -> dict:
    """Return ``{"format", "width", "height", "content", "thumbnail"}`` or raise Refused."""
    try:
        img, source_format = _decode(data, max_pixels, memory_bytes, max_scans)
        output_format = _OUTPUT_FORMAT[source_format]
        img = _for_output(img, output_format)  # rebinding frees the decoded copy
        content = _encode(img, output_format)
        thumbnail = _thumbnail(img, thumbnail_px)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise Refused("bomb") from exc
    except _DECODE_ERRORS as exc:
        # The reason can quote file contents; the class name is enough for operators.
        logger.info("image rejected by the decoder: %s", type(exc).__name__)
        raise Refused("unreadable") from exc
    return {"format": output_format, "width": img.width, "height": img.height,
            "content": content, "thumbnail": thumbnail}


def count_jpeg_scans(data: bytes, stop_after: int) -> int:
    """Count the scans (SOS markers) of the first JPEG in data, stopping once past stop_after.

    Each scan of a progressive JPEG makes libjpeg walk the whole image's
    coefficients again, and neither libjpeg's library API nor Pillow limits how
    many there are: a file repeating one tiny scan thousands of times costs
    minutes of CPU. Walks the marker segments by their lengths; a malformed
    structure just ends the count (the decoder then judges the file).
    """
    scans, i, end = 0, 2, len(data)
    while i + 4 <= end and scans <= stop_after:
        if data[i] != 0xFF:
            break
        marker = data[i + 1]
        if marker == 0xFF:  # fill byte before a marker
            i += 1
            continue
        if marker == 0xD9:  # EOI: later frames of an MPO are never decoded
            break
        if marker == 0x01 or 0xD0 <= marker <= 0xD8:  # markers without a length
            i += 2
            continue
        (length,) = struct.unpack_from(">H", data, i + 2)
        i += 2 + length
        if marker == 0xDA:
            scans += 1
            found = _NEXT_MARKER.search(data, i)
            if found is None:
                break
            i = found.start()
    return scans


def _open(data: bytes) -> Image.Image:
    return Image.open(io.BytesIO(data), formats=_OPENERS)


def _decode(data: bytes, max_pixels: int, memory_bytes: int, max_scans: int) -> tuple[Image.Image, str]:
    """Decode the first frame with its orientation applied and colours in sRGB.

    Everything that can be judged from the header is checked before a pixel is
    decoded: format, pixel count, the memory the pipeline will need for this
    mode, and for JPEG the number of scans.
    """
    with _open(data) as probe:
        source_format = probe.format
        if source_format not in _OUTPUT_FORMAT:
            raise Refused("unsupported")
        pixels = probe.width * probe.height
        if pixels > max_pixels:
            raise Refused("too_many_pixels", pixels=pixels, limit=max_pixels)
        needed = pixels * _PEAK_BYTES_PER_PIXEL.get(probe.mode, _DEFAULT_PEAK_BYTES_PER_PIXEL)
        if needed > memory_bytes:
            raise Refused("too_much_memory", needed=needed, limit=memory_bytes)
        if source_format in ("JPEG", "MPO"):
            scans = count_jpeg_scans(data, max_scans)
            if scans > max_scans:
                raise Refused("too_many_scans", limit=max_scans)
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
    RGB and RGBA are converted in place, so no second copy is held.
    """
    profile = img.info.get("icc_profile")
    if not profile or img.mode not in ("RGB", "RGBA", "CMYK"):
        return img
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(profile))
        converted = ImageCms.profileToProfile(img, source, _SRGB,
                                              outputMode="RGBA" if img.mode == "RGBA" else "RGB",
                                              inPlace=img.mode != "CMYK")
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
    rgba = img if img.mode == "RGBA" else img.convert("RGBA")
    background = Image.new("RGB", rgba.size, (255, 255, 255))
    background.paste(rgba, mask=rgba)  # an RGBA mask uses its alpha band, without a copy
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


def _vm_size() -> int:
    """This process's virtual size in bytes (what RLIMIT_AS counts)."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[0]) * resource.getpagesize()


def _reply(header: dict, *payloads: bytes) -> None:
    """Write the reply, with this process's peak RSS and CPU time for the worker's log."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    with open("/proc/self/status") as status:
        peak_kb = int(status.read().split("VmHWM:")[1].split()[0])
    header = {**header, "peak_rss_kb": peak_kb, "cpu_ms": round((usage.ru_utime + usage.ru_stime) * 1000)}
    encoded = json.dumps(header).encode()
    out = sys.stdout.buffer
    out.write(struct.pack(">I", len(encoded)) + encoded)
    for payload in payloads:
        out.write(payload)
    out.flush()


def main(argv: list[str]) -> int:
    limits = json.loads(argv[1])
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    # Past the soft limit the kernel sends SIGXCPU, past the hard one SIGKILL;
    # an output file over its limit gets SIGXFSZ. The parent reads the signal.
    resource.setrlimit(resource.RLIMIT_CPU, (limits["cpu_seconds"], limits["cpu_seconds"] + 1))
    resource.setrlimit(resource.RLIMIT_FSIZE, (limits["output_bytes"],) * 2)
    signal.signal(signal.SIGXFSZ, signal.SIG_DFL)  # Python ignores it, turning the kill into EFBIG
    try:
        # Should the machine run short of memory, the kernel kills a decoder, not a worker.
        with open("/proc/self/oom_score_adj", "w") as adj:
            adj.write("1000")
    except OSError:
        pass
    data = sys.stdin.buffer.read()
    # The libraries are loaded by now: the budget is on top of what they map.
    resource.setrlimit(resource.RLIMIT_AS, (_vm_size() + limits["address_space_bytes"],) * 2)
    warnings.simplefilter("error", Image.DecompressionBombWarning)
    try:
        result = process(data, max_pixels=limits["max_pixels"], memory_bytes=limits["memory_bytes"],
                         max_scans=limits["max_scans"], thumbnail_px=limits["thumbnail_px"])
    except Refused as refused:
        _reply({"refused": refused.reason, **refused.detail})
        return 0
    except MemoryError:
        result = None
    if result is None:  # outside the handler, so the traceback's frames are freed first
        _reply({"refused": "memory_exhausted"})
        return 0
    content, thumbnail = result.pop("content"), result.pop("thumbnail")
    _reply({**result, "content_length": len(content), "thumbnail_length": len(thumbnail)}, content, thumbnail)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
