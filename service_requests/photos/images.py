"""Validation and re-encoding of photos attached to requests. Pure module: no Flask, no storage.

Decoding a photo sent by anyone is the one place where a few hundred
kilobytes can cost minutes of CPU (a progressive JPEG repeating one scan
thousands of times) or hundreds of megabytes (a uniform 40-megapixel RGBA PNG
compresses to 220 KB). So the worker never decodes: each upload is decoded,
cleaned of metadata and re-encoded by a short-lived process
(``decoder.py``, run with ``python -I``) under hard limits set with
``resource``:

- CPU time (RLIMIT_CPU) and a wall-clock timeout, both ``timeout_seconds``;
- address space (RLIMIT_AS): what the interpreter and libraries map, plus
  ``memory_mb`` plus a fixed headroom for decoder working buffers;
- output size (RLIMIT_FSIZE): the reply goes to an unlinked temporary file, so
  the worker knows its size before reading a byte of it.

Inside those limits the decoder also refuses, from the header alone, what is
sure to fail: more pixels than ``max_pixels``, more memory than ``memory_mb``
for the image's mode (see ``_PEAK_BYTES_PER_PIXEL`` there: 8 bytes a pixel
for colour images, so about 33 Mpx with the default 256 MB), and JPEGs with more
than ``MAX_JPEG_SCANS`` scans (libjpeg's default progression writes 10).

Why a process rather than in-process checks alone: header checks cannot
foresee every costly decode (other scan tricks, libheif, libwebp), and memory
a worker once held stays in its RSS; a process that exits gives all of it
back, a kernel limit cannot be argued with, and a decoder crash takes down
the decoder, not the worker. The process gets no environment (no database
URL, no keys) and does not load the application. Its cost is ~60 ms and
~25 MB while it runs. Each upload's peak RSS is thus bounded by about
``25 MB + memory_mb + 64 MB`` in one short-lived process (the worker itself
grows by the upload's bytes only); size the plan for
WEB_CONCURRENCY × (worker RSS + that).

Each decode logs the decoder's peak RSS and CPU time (INFO), so the memory
an upload took can be read from production logs.

Refusals are 422 ``validation_error`` with a message saying which limit was
hit; a file that is not an image (or crashes the decoder) is 415. The decoder
volunteers for the OOM killer (oom_score_adj 1000): if the machine runs out of
memory the decoder dies, not a worker, and the upload gets 503 with Retry-After,
as it does when no process can be started.
"""
import hashlib
import json
import logging
import math
import os
import signal
import struct
import subprocess  # nosec B404  # runs our own decoder module only (see _run_decoder)
import sys
import tempfile
import threading
from dataclasses import dataclass

from service_app.errors import PHOTO_RETRY_SECONDS, retry_after

logger = logging.getLogger(__name__)

MAX_JPEG_SCANS = 100
# Run by path, so the worker never imports Pillow: it only reads the reply.
_DECODER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "decoder.py")
_CONTENT_TYPE = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
_HEADROOM_BYTES = 64 * 1024 * 1024  # encoder buffers, the heap's own overhead, the reply
_MIB = 1024 * 1024
# One malloc arena: each extra arena reserves 64 MB of address space.
_DECODER_ENV = {"MALLOC_ARENA_MAX": "1", "LC_ALL": "C.UTF-8"}

# Decoder slots per worker process, by configured size: a threaded worker would
# otherwise run one decoder per busy thread, each up to its memory limit.
_slots: dict[int, threading.BoundedSemaphore] = {}
_slots_lock = threading.Lock()


def _decode_slot(concurrency: int) -> threading.BoundedSemaphore:
    with _slots_lock:
        return _slots.setdefault(concurrency, threading.BoundedSemaphore(max(1, concurrency)))


class ImageRejected(Exception):
    """The upload is not an acceptable photo; carries the HTTP answer to give."""

    def __init__(self, status: int, code: str, message: str, headers: dict | None = None):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers or {}


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


def _unsupported(message: str = "the file is not a readable JPEG, PNG, WebP or HEIC/HEIF image") -> ImageRejected:
    return ImageRejected(415, "unsupported_media_type", message)


def _invalid(message: str) -> ImageRejected:
    return ImageRejected(422, "validation_error", message)


def _busy() -> ImageRejected:
    return ImageRejected(503, "unavailable", "photo processing is unavailable, retry later",
                         retry_after(PHOTO_RETRY_SECONDS))


def _refusal(reply: dict) -> ImageRejected:
    """The answer for the decoder's refusal; messages are ours, only integers come from the reply."""
    reason = reply["refused"]
    number = {key: int(value) for key, value in reply.items() if key in ("pixels", "needed", "limit")}
    if reason == "unsupported":
        return _unsupported("the file is not a JPEG, PNG, WebP or HEIC/HEIF image")
    if reason == "unreadable":
        return _unsupported()
    if reason == "too_many_pixels":
        return _invalid(f"the image has {number['pixels']} pixels, more than the limit of {number['limit']} "
                        "(or it looks like a decompression bomb)")
    if reason == "bomb":
        return _invalid("the image is too large to decode safely (decompression bomb)")
    if reason == "too_much_memory":
        return _invalid(f"decoding the image would take about {math.ceil(number['needed'] / _MIB)} MB, "
                        f"more than the limit of {number['limit'] // _MIB} MB; send a smaller photo")
    if reason == "too_many_scans":
        return _invalid(f"the JPEG has more than {number['limit']} scans; "
                        "no camera writes that many (save it again as a baseline JPEG)")
    if reason == "memory_exhausted":
        return _invalid("the image needs more memory to decode than the limit allows; send a smaller photo")
    raise RuntimeError(f"image decoder: unknown refusal {reason!r}")


def process_image(data: bytes, *, max_bytes: int = 10 * 1024 * 1024, max_pixels: int = 40_000_000,
                  thumbnail_px: int = 320, timeout_seconds: float = 8, memory_mb: int = 256,
                  max_scans: int | None = None, concurrency: int = 1) -> ProcessedImage:
    """Check an uploaded photo by its bytes and return it re-encoded without metadata.

    JPEG, PNG and WebP keep their format; HEIC/HEIF becomes JPEG (re-saving
    HEIF would keep GPS). EXIF orientation is applied to the pixels first.
    Raises ImageRejected (413, 415 or 422; 503 if no decoder process can be
    started or the machine ran out of memory) for anything else; never a
    Pillow error.

    At most ``concurrency`` decoders run at once in this process (the others
    wait up to ``timeout_seconds`` for a slot, then get 503), so a worker's
    memory stays bounded by its own RSS plus that many decoders.
    """
    if len(data) > max_bytes:
        raise ImageRejected(413, "payload_too_large", f"the file is larger than {max_bytes} bytes")
    if not data:
        raise _unsupported("the file is empty")
    digest = hashlib.sha256(data).hexdigest()
    memory_bytes = memory_mb * _MIB
    # The re-encoded photo may outgrow the upload (a HEIC saved as JPEG) but
    # never by this much; the thumbnail is a few KB.
    output_bytes = 4 * max_bytes + _MIB
    limits = {"max_pixels": max_pixels, "memory_bytes": memory_bytes,
              "max_scans": MAX_JPEG_SCANS if max_scans is None else max_scans,
              "thumbnail_px": thumbnail_px, "cpu_seconds": max(1, math.ceil(timeout_seconds)),
              "address_space_bytes": memory_bytes + _HEADROOM_BYTES, "output_bytes": output_bytes}
    slot = _decode_slot(concurrency)
    if not slot.acquire(timeout=timeout_seconds):
        logger.warning("no photo decoder slot free within %s s", timeout_seconds)
        raise _busy()
    try:
        header, content, thumbnail = _run_decoder(data, limits, timeout_seconds)
    finally:
        slot.release()
    logger.info("photo decoder: %r, peak RSS %r KiB, CPU %r ms", header.get("refused", "stored"),
                header.get("peak_rss_kb"), header.get("cpu_ms"))
    if "refused" in header:
        raise _refusal(header)
    output_format = header["format"]
    return ProcessedImage(content=content, content_type=_CONTENT_TYPE[output_format],
                          width=int(header["width"]), height=int(header["height"]), thumbnail=thumbnail,
                          thumbnail_content_type="image/jpeg", sha256=digest)


def _run_decoder(data: bytes, limits: dict, timeout_seconds: float) -> tuple[dict, bytes, bytes]:
    """Run the decoder process on data; return its reply header and the two payloads."""
    too_slow = _invalid(f"the image takes too long to decode (over {timeout_seconds:g} s); send a smaller photo")
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        try:
            # The arguments are ours (interpreter, module path, limits); the upload goes to stdin.
            done = subprocess.run([sys.executable, "-I", _DECODER, json.dumps(limits)], input=data,  # noqa: S603  # nosec B603
                                  stdout=out, stderr=err, env=_DECODER_ENV, timeout=timeout_seconds,
                                  check=False)
        except subprocess.TimeoutExpired:
            logger.warning("image decoder stopped after %s s", timeout_seconds)
            raise too_slow from None
        except OSError as exc:  # no process could be started: out of memory or processes
            logger.error("image decoder could not start: %s", exc)
            raise _busy() from None
        if done.returncode < 0:
            raise _signalled(-done.returncode, limits, too_slow)
        if done.returncode != 0:
            err.seek(max(0, os.fstat(err.fileno()).st_size - 2000))
            logger.error("image decoder failed (exit %s): %s", done.returncode,
                         err.read().decode(errors="replace"))
            # A decoder that stopped on an exception it does not know was stopped by
            # the file (a library error on crafted bytes): the upload is refused,
            # never a 500; the log keeps the traceback for us.
            raise _unsupported()
        return _read_reply(out)


def _signalled(number: int, limits: dict, too_slow: ImageRejected) -> ImageRejected:
    try:
        name = signal.Signals(number).name
    except ValueError:
        name = str(number)
    logger.warning("image decoder killed by %s", name)
    if number == signal.SIGXCPU:
        return too_slow
    if number == signal.SIGKILL:  # the kernel's OOM killer: the machine, not the photo, is short
        return _busy()
    if number == signal.SIGXFSZ:
        return _invalid(f"the re-encoded photo would be larger than {limits['output_bytes'] // _MIB} MB")
    # SIGSEGV, SIGABRT, SIGBUS...: a decoder choked on the file.
    return _unsupported()


def _read_reply(out) -> tuple[dict, bytes, bytes]:
    """Parse the reply file: a 4-byte header length, a JSON header, content, thumbnail."""
    size = os.fstat(out.fileno()).st_size
    out.seek(0)
    try:
        (header_length,) = struct.unpack(">I", out.read(4))
        if header_length > 4096:
            raise ValueError("header too long")
        header = json.loads(out.read(header_length))
        if "refused" in header:
            return header, b"", b""
        content_length, thumbnail_length = int(header["content_length"]), int(header["thumbnail_length"])
        if header["format"] not in _CONTENT_TYPE or \
                4 + header_length + content_length + thumbnail_length != size:
            raise ValueError("lengths or format")
    except (struct.error, ValueError, KeyError, TypeError) as exc:
        raise RuntimeError(f"image decoder: malformed reply ({exc})") from None
    return header, out.read(content_length), out.read(thumbnail_length)
