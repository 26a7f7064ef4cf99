"""Photo validation and re-encoding (service_requests.photos.images), without the app."""
import hashlib
import io
import json
import random
import struct
import warnings
import zlib
from concurrent.futures import ThreadPoolExecutor

import pillow_heif
import pytest
from PIL import ExifTags, Image, ImageCms, PngImagePlugin

from service_requests.photos import decoder as image_decoder, images
from service_requests.photos.images import ImageRejected, ProcessedImage, process_image

# The service decodes in a separate process; this one writes HEIC samples.
pillow_heif.register_heif_opener()

RED, BLUE = (255, 0, 0), (0, 0, 255)
XMP = (b'<x:xmpmeta xmlns:x="adobe:ns:meta/">'
       b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
       b'<rdf:Description xmlns:exif="http://ns.adobe.com/exif/1.0/" exif:GPSLatitude="43,14.3N"/>'
       b"</rdf:RDF></x:xmpmeta>")


def camera_exif(orientation=None):
    """EXIF as a phone writes it: maker, model, GPS position (Almaty) and maybe an orientation."""
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "Apple"
    exif[ExifTags.Base.Model] = "iPhone 15 Pro"
    if orientation:
        exif[ExifTags.Base.Orientation] = orientation
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (43.0, 14.0, 18.5)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (76.0, 53.0, 44.2)
    gps[ExifTags.GPS.GPSMapDatum] = "WGS-84"
    return exif


def landscape(mode="RGB", size=(400, 200)):
    """A blue picture with a red square in its top-left corner, as the sensor stored it."""
    img = Image.new("RGB", size, BLUE)
    img.paste(RED, (0, 0, 100, 100))
    return img.convert(mode)


def encode(img, fmt, **params):
    buffer = io.BytesIO()
    img.save(buffer, fmt, **params)
    return buffer.getvalue()


def is_red(pixel):
    r, g, b = pixel[:3]
    return r > 200 and g < 60 and b < 60


def assert_no_metadata(data):
    img = Image.open(io.BytesIO(data))
    assert not img.getexif()
    assert not {"exif", "xmp", "XML:com.adobe.xmp", "icc_profile", "comment"} & set(img.info)
    for marker in (b"Exif", b"GPS", b"WGS-84", b"Apple", b"iPhone", b"xmpmeta", b"secret"):
        assert marker not in data


def noisy_photo(size=(640, 480)):
    """Incompressible pixels, so half of the JPEG cuts through the image data, not its headers."""
    return Image.frombytes("RGB", size, random.Random(7).randbytes(size[0] * size[1] * 3))


PHOTO_JPEG = encode(noisy_photo(), "JPEG", quality=90)
PHOTO_HEIC = encode(noisy_photo((256, 256)), "HEIF", quality=80)
PHOTO_WEBP = encode(noisy_photo((256, 256)), "WEBP", quality=80)


def png_header_only(width, height, *, rows=None):
    """A bilevel PNG whose header claims width x height; compresses to a few KB (a "PNG bomb")."""
    def chunk(kind, body):
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    compressor = zlib.compressobj(9)
    row = b"\x00" * (1 + (width + 7) // 8)
    idat = b"".join(compressor.compress(row) for _ in range(height if rows is None else rows))
    idat += compressor.flush()
    ihdr = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def test_jpeg_loses_gps_device_and_comments_and_is_turned_upright():
    original = encode(landscape(), "JPEG", exif=camera_exif(orientation=6), xmp=XMP, comment=b"secret note")
    assert b"WGS-84" in original and b"Apple" in original and b"xmpmeta" in original

    result = process_image(original)

    assert isinstance(result, ProcessedImage)
    assert result.content_type == "image/jpeg"
    assert_no_metadata(result.content)
    out = Image.open(io.BytesIO(result.content))
    assert out.format == "JPEG" and out.mode == "RGB"
    # Orientation 6 means "rotate 90° clockwise to display": 400x200 becomes
    # 200x400 and the red top-left corner moves to the top right.
    assert out.size == (200, 400) == (result.width, result.height)
    assert is_red(out.getpixel((190, 10)))
    assert not is_red(out.getpixel((10, 10)))


def test_sha256_is_of_the_uploaded_bytes():
    original = encode(landscape(), "JPEG", exif=camera_exif())
    assert process_image(original).sha256 == hashlib.sha256(original).hexdigest()


def test_png_stays_png_with_its_alpha_and_without_text_exif_or_icc():
    img = landscape("RGBA")
    img.putpixel((399, 199), (0, 0, 0, 0))
    text = PngImagePlugin.PngInfo()
    text.add_text("Comment", "secret location 43.238949, 76.889709")
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    original = encode(img, "PNG", pnginfo=text, exif=camera_exif(), icc_profile=srgb)

    result = process_image(original)

    assert result.content_type == "image/png"
    assert_no_metadata(result.content)
    out = Image.open(io.BytesIO(result.content))
    assert out.format == "PNG" and out.mode == "RGBA" and out.size == (400, 200)
    assert out.getpixel((399, 199))[3] == 0
    assert out.getpixel((10, 10)) == (*RED, 255)


def test_webp_stays_webp_without_exif():
    original = encode(landscape(), "WEBP", exif=camera_exif(orientation=3), xmp=XMP, quality=90)

    result = process_image(original)

    assert result.content_type == "image/webp"
    assert_no_metadata(result.content)
    out = Image.open(io.BytesIO(result.content))
    assert out.format == "WEBP" and out.size == (400, 200)
    assert is_red(out.getpixel((390, 190)))  # orientation 3: turned half a circle


def test_heic_is_stored_as_jpeg_without_gps():
    heif = pillow_heif.from_pillow(landscape())
    buffer = io.BytesIO()
    heif.save(buffer, exif=camera_exif().tobytes(), quality=90)
    original = buffer.getvalue()
    assert original[4:12] == b"ftypheic"
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(ExifTags.IFD.GPSInfo)

    result = process_image(original)

    assert result.content_type == "image/jpeg"
    assert_no_metadata(result.content)
    out = Image.open(io.BytesIO(result.content))
    assert out.format == "JPEG" and out.size == (400, 200)
    assert is_red(out.getpixel((10, 10)))


def test_heic_rotation_from_the_container_is_kept():
    img = landscape()
    img.info["exif"] = camera_exif(orientation=6).tobytes()  # pillow-heif writes this as an irot box
    original = encode(img, "HEIF", quality=90)

    result = process_image(original)

    out = Image.open(io.BytesIO(result.content))
    assert out.size == (200, 400)
    assert is_red(out.getpixel((190, 10)))


def test_thumbnail_is_a_320px_jpeg_without_metadata():
    original = encode(landscape(size=(1600, 1200)), "JPEG", exif=camera_exif(orientation=6))

    result = process_image(original)

    assert result.thumbnail_content_type == "image/jpeg"
    assert_no_metadata(result.thumbnail)
    thumb = Image.open(io.BytesIO(result.thumbnail))
    assert thumb.format == "JPEG" and thumb.size == (240, 320)


def test_thumbnail_of_a_small_image_is_not_enlarged_and_has_transparency_on_white():
    result = process_image(encode(Image.new("RGBA", (50, 30), (0, 0, 0, 0)), "PNG"))

    thumb = Image.open(io.BytesIO(result.thumbnail))
    assert thumb.size == (50, 30) and thumb.mode == "RGB"
    assert min(thumb.getpixel((25, 15))) > 245


@pytest.mark.parametrize("mode, fmt, expected_mode", [
    ("CMYK", "JPEG", "RGB"),
    ("L", "JPEG", "RGB"),
    ("LA", "PNG", "RGBA"),
    ("L", "PNG", "L"),
    ("RGBA", "WEBP", "RGBA"),
])
def test_modes_are_converted_to_what_the_output_format_stores(mode, fmt, expected_mode):
    img = landscape(mode)
    if "A" in mode:
        img.putpixel((0, 0), (0,) * len(mode))  # encoders drop an alpha channel that is all opaque
    out = Image.open(io.BytesIO(process_image(encode(img, fmt)).content))
    assert out.mode == expected_mode


def test_palette_png_with_transparency_keeps_it():
    img = Image.new("P", (20, 20), 0)
    img.putpalette([255, 0, 0, 0, 0, 255])
    img.putpixel((0, 0), 1)
    out = Image.open(io.BytesIO(process_image(encode(img, "PNG", transparency=1)).content))
    assert out.mode == "RGBA"
    assert out.getpixel((0, 0))[3] == 0 and out.getpixel((5, 5)) == (255, 0, 0, 255)


def test_transparent_png_flattens_onto_white_when_stored_as_jpeg_from_heic():
    heif = pillow_heif.from_pillow(Image.new("RGBA", (64, 64), (0, 0, 0, 0)))
    buffer = io.BytesIO()
    heif.save(buffer, quality=90)
    out = Image.open(io.BytesIO(process_image(buffer.getvalue()).content))
    assert out.mode == "RGB" and min(out.getpixel((32, 32))) > 245


def test_sixteen_bit_greyscale_is_scaled_not_clipped():
    out = Image.open(io.BytesIO(process_image(encode(Image.new("I;16", (8, 8), 32768), "PNG")).content))
    assert out.mode == "L" and out.getpixel((4, 4)) in (127, 128)


def test_multi_picture_jpeg_is_stored_as_plain_jpeg():
    original = encode(landscape(), "MPO", save_all=True, append_images=[landscape()], exif=camera_exif())
    assert Image.open(io.BytesIO(original)).format == "MPO"

    result = process_image(original)

    assert result.content_type == "image/jpeg"
    assert_no_metadata(result.content)
    assert result.content.count(b"\xff\xd8") == 1


def test_unusable_colour_profile_is_dropped_not_refused():
    result = process_image(encode(landscape(), "JPEG", icc_profile=b"not an ICC profile" * 10))
    assert_no_metadata(result.content)


@pytest.mark.parametrize("data", [
    pytest.param(b"", id="empty"),
    pytest.param(b"hello", id="text"),
    pytest.param(b"\xff\xd8\xff\xe0" + b"\x00" * 64, id="jpeg-magic-then-garbage"),
    pytest.param(PHOTO_JPEG[: len(PHOTO_JPEG) // 2], id="truncated-jpeg"),
    pytest.param(PHOTO_HEIC[: len(PHOTO_HEIC) // 2], id="truncated-heic"),
    pytest.param(PHOTO_WEBP[: len(PHOTO_WEBP) // 2], id="truncated-webp"),
    pytest.param(encode(landscape(), "GIF"), id="gif"),
    pytest.param(encode(landscape(), "BMP"), id="bmp"),
    pytest.param(encode(landscape(), "TIFF"), id="tiff"),
    pytest.param(b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>', id="svg"),
    pytest.param(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF", id="pdf"),
    pytest.param(encode(landscape(), "PNG")[:-30], id="png-without-end"),
])
def test_files_that_are_not_accepted_images_are_unsupported(data):
    with pytest.raises(ImageRejected) as caught:
        process_image(data)
    assert (caught.value.status, caught.value.code) == (415, "unsupported_media_type")


def test_the_truncated_files_above_are_halves_of_valid_photos():
    assert process_image(PHOTO_JPEG).width == 640
    assert process_image(PHOTO_HEIC).content_type == "image/jpeg"
    assert process_image(PHOTO_WEBP).content_type == "image/webp"


def test_file_over_the_byte_limit_is_too_large():
    with pytest.raises(ImageRejected) as caught:
        process_image(b"\xff\xd8" + b"\x00" * (11 * 1024 * 1024), max_bytes=10 * 1024 * 1024)
    assert (caught.value.status, caught.value.code) == (413, "payload_too_large")


def test_header_over_the_pixel_cap_is_rejected_before_decoding(monkeypatch):
    bomb = png_header_only(10_000, 5_000)
    assert len(bomb) < 20_000

    def must_not_decode(self, *args):
        raise AssertionError("the pixels were decoded")

    # The decoder's steps, run in this process so the patch applies.
    monkeypatch.setattr(PngImagePlugin.PngImageFile, "load", must_not_decode)
    monkeypatch.setattr(PngImagePlugin.PngImageFile, "verify", must_not_decode)
    with pytest.raises(image_decoder.Refused) as refused:
        image_decoder.process(bomb, max_pixels=40_000_000, memory_bytes=2**40, max_scans=100, thumbnail_px=320)
    assert (refused.value.reason, refused.value.detail) == ("too_many_pixels", {"pixels": 50_000_000,
                                                                                "limit": 40_000_000})
    monkeypatch.undo()
    with pytest.raises(ImageRejected) as caught:
        process_image(bomb)
    assert (caught.value.status, caught.value.code) == (422, "validation_error")
    assert "50000000 pixels" in caught.value.message


def test_normal_image_over_a_small_pixel_cap_is_rejected():
    with pytest.raises(ImageRejected) as caught:
        process_image(encode(landscape(), "JPEG"), max_pixels=10_000)
    assert caught.value.status == 422 and "pixels" in caught.value.message


@pytest.mark.parametrize("width, height", [(10_000, 10_000), (20_000, 10_000)])
def test_pillow_bomb_limits_hold_even_with_a_generous_cap(width, height):
    # 100 Mpx passes Pillow's warning threshold, 200 Mpx its error threshold.
    bomb = png_header_only(width, height, rows=1)
    with warnings.catch_warnings(record=True) as caught_warnings:
        warnings.simplefilter("always")
        with pytest.raises(ImageRejected) as caught:
            process_image(bomb, max_pixels=10**9)
    assert caught.value.status == 422 and "decompression bomb" in caught.value.message
    assert not [w for w in caught_warnings if issubclass(w.category, Image.DecompressionBombWarning)]


def test_global_pillow_state_is_left_alone():
    limit, filters = Image.MAX_IMAGE_PIXELS, list(warnings.filters)
    process_image(encode(landscape(), "PNG"))
    with pytest.raises(ImageRejected):
        process_image(png_header_only(10_000, 10_000, rows=1))
    assert Image.MAX_IMAGE_PIXELS == limit
    assert warnings.filters == filters


def test_concurrent_uploads_all_succeed():
    exif = camera_exif(orientation=6)
    images = [encode(landscape(), fmt, exif=exif) for fmt in ("JPEG", "PNG", "WEBP")] * 4
    filters = list(warnings.filters)
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(process_image, images))
    assert warnings.filters == filters
    assert all(r.width == 200 and r.height == 400 for r in results)


def progressive_jpeg(size=(64, 48)):
    return encode(noisy_photo(size), "JPEG", progressive=True, quality=80)


def test_scans_are_counted_by_walking_the_markers():
    assert image_decoder.count_jpeg_scans(PHOTO_JPEG, 100) == 1
    assert image_decoder.count_jpeg_scans(progressive_jpeg(), 100) == 10
    # Fill bytes before a marker, and the frames of an MPO after the first EOI.
    filled = progressive_jpeg().replace(b"\xff\xda", b"\xff\xff\xff\xda")
    assert image_decoder.count_jpeg_scans(filled, 100) == 10
    mpo = encode(landscape(), "MPO", save_all=True, append_images=[landscape()])
    assert image_decoder.count_jpeg_scans(mpo, 100) == 1
    assert image_decoder.count_jpeg_scans(b"\xff\xd8\xff\xda", 100) == 0  # cut short: the decoder judges it


def test_progressive_jpeg_with_many_scans_is_refused_and_an_ordinary_one_is_kept():
    data = progressive_jpeg()
    assert process_image(data).width == 64
    eoi = data.rindex(b"\xff\xd9")
    last_scan = data[data.rindex(b"\xff\xda"):eoi]
    repeated = data[:eoi] + last_scan * 100 + data[eoi:]
    assert image_decoder.count_jpeg_scans(repeated, 1000) == 110
    with pytest.raises(ImageRejected) as caught:
        process_image(repeated)
    assert (caught.value.status, caught.value.code) == (422, "validation_error")
    assert "more than 100 scans" in caught.value.message
    assert process_image(repeated, max_scans=110).width == 64


@pytest.mark.parametrize("mode, stored", [("RGBA", False), ("RGB", False), ("L", True)])
def test_memory_budget_depends_on_the_mode(mode, stored):
    # 1 Mpx: 8 MB for colour (two 4-byte copies), 2 MB for greyscale.
    data = encode(Image.new(mode, (1000, 1000), 128 if mode == "L" else (1, 2, 3)[:len(mode)]), "PNG")
    if stored:
        assert process_image(data, memory_mb=4).width == 1000
        return
    with pytest.raises(ImageRejected) as caught:
        process_image(data, memory_mb=4)
    assert caught.value.status == 422
    assert "about 8 MB, more than the limit of 4 MB" in caught.value.message
    assert process_image(data, memory_mb=8).width == 1000


def decoder_limits(**overrides):
    limits = {"max_pixels": 10**9, "memory_bytes": 2**40, "max_scans": 100, "thumbnail_px": 320,
              "cpu_seconds": 30, "address_space_bytes": 2**40, "output_bytes": 2**30}
    return {**limits, **overrides}


def test_address_space_limit_stops_a_decode_the_header_check_let_through():
    rgba = encode(Image.new("RGBA", (4000, 4000), (9, 9, 9, 9)), "PNG")  # 64 MB of pixels
    header, _, _ = images._run_decoder(rgba, decoder_limits(address_space_bytes=16 * 1024 * 1024), 30)
    assert header["refused"] == "memory_exhausted"
    with pytest.raises(ImageRejected) as caught:
        process_image(rgba, memory_mb=1)
    assert caught.value.status == 422
    header, _, _ = images._run_decoder(rgba, decoder_limits(), 30)
    assert (header["width"], header["height"]) == (4000, 4000)


def test_output_size_limit_stops_the_decoder():
    with pytest.raises(ImageRejected) as caught:
        images._run_decoder(PHOTO_WEBP, decoder_limits(output_bytes=4096), 30)
    assert caught.value.status == 422 and "would be larger than" in caught.value.message
    header, content, thumbnail = images._run_decoder(PHOTO_WEBP, decoder_limits(), 30)
    assert 4096 < len(content) + len(thumbnail) + 100


@pytest.fixture
def fake_decoder(tmp_path, monkeypatch):
    """Replace the decoder with a script, to see what the worker makes of each way it can end."""

    def install(body):
        script = tmp_path / "decoder.py"
        script.write_text("import json, os, signal, struct, sys, time\n" + body)
        monkeypatch.setattr(images, "_DECODER", str(script))

    return install


REPLY = "def reply(h):\n    b = json.dumps(h).encode()\n    sys.stdout.buffer.write(struct.pack('>I', len(b)) + b)\n"


@pytest.mark.parametrize("body, status, words", [
    ("os.kill(os.getpid(), signal.SIGSEGV)", 415, "not a readable"),
    ("os.kill(os.getpid(), signal.SIGABRT)", 415, "not a readable"),
    ("os.kill(os.getpid(), signal.SIGXCPU)", 422, "takes too long to decode"),  # RLIMIT_CPU
    ("os.kill(os.getpid(), signal.SIGKILL)", 503, "retry later"),  # the OOM killer
    ("time.sleep(60)", 422, "takes too long to decode"),  # the wall-clock timeout
    ("signal.signal(signal.SIGXFSZ, signal.SIG_DFL); os.kill(os.getpid(), signal.SIGXFSZ)", 422,
     "would be larger than"),  # RLIMIT_FSIZE
    (REPLY + "reply({'refused': 'memory_exhausted'})", 422, "more memory to decode"),
])
def test_each_way_the_decoder_ends_gets_its_answer(fake_decoder, body, status, words):
    fake_decoder(body)
    with pytest.raises(ImageRejected) as caught:
        process_image(b"\xff\xd8 anything", max_bytes=1024 * 1024 - 1, timeout_seconds=1)
    assert caught.value.status == status and words in caught.value.message
    assert caught.value.headers == ({"Retry-After": "10"} if status == 503 else {})


def test_the_real_decoder_runs_under_its_limits_and_volunteers_for_the_oom_killer(fake_decoder, tmp_path):
    seen = tmp_path / "seen.json"
    fake_decoder(f"""
import atexit, resource, runpy
def note():
    limits = {{name: resource.getrlimit(getattr(resource, name)) for name in ("RLIMIT_CPU", "RLIMIT_FSIZE")}}
    limits["oom_score_adj"] = open("/proc/self/oom_score_adj").read().strip()
    limits["environ"] = sorted(os.environ)
    open({str(seen)!r}, "w").write(json.dumps(limits))
atexit.register(note)
sys.argv[0] = {image_decoder.__file__!r}
runpy.run_path(sys.argv[0], run_name="__main__")
""")
    result = process_image(PHOTO_JPEG, max_bytes=1024 * 1024, timeout_seconds=2.5)
    assert result.width == 640
    limits = json.loads(seen.read_text())
    assert limits == {"RLIMIT_CPU": [3, 4], "RLIMIT_FSIZE": [5 * 1024 * 1024] * 2, "oom_score_adj": "1000",
                      "environ": ["LC_ALL", "MALLOC_ARENA_MAX"]}


def test_a_decoder_stopped_by_an_unknown_error_refuses_the_file_with_415(fake_decoder, caplog):
    fake_decoder("raise OverflowError('a library error on crafted bytes')")
    with pytest.raises(ImageRejected) as refused:
        process_image(b"\xff\xd8 anything")
    assert refused.value.status == 415
    assert "OverflowError" in caplog.text


@pytest.mark.parametrize("body", [
    REPLY + "reply({'refused': 'something new'})",
    REPLY + "reply({'format': 'GIF', 'width': 1, 'height': 1, 'content_length': 0, 'thumbnail_length': 0})",
    REPLY + "reply({'format': 'PNG', 'width': 1, 'height': 1, 'content_length': 10**9, 'thumbnail_length': 0})",
    "sys.stdout.buffer.write(struct.pack('>I', 10**6) + b'{}')",
    "sys.stdout.buffer.write(struct.pack('>I', 2) + b'[]')",
    "pass",
])
def test_a_broken_decoder_is_an_error_not_an_answer(fake_decoder, body):
    fake_decoder(body)
    with pytest.raises(RuntimeError):
        process_image(b"\xff\xd8 anything")


def test_decoder_gets_no_environment(fake_decoder, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgresql://secret")
    fake_decoder(REPLY + "reply({'refused': 'too_many_pixels', 'pixels': len(os.environ.get('DATABASE_URL', '')),"
                         " 'limit': len(os.environ)})")
    with pytest.raises(ImageRejected) as caught:
        process_image(b"\xff\xd8 anything")
    assert caught.value.message.startswith("the image has 0 pixels, more than the limit of 2 ")


def test_a_worker_runs_no_more_decoders_at_once_than_its_slots():
    """With every decoder slot of the process taken, an upload waits, then answers 503 (not a second decoder)."""
    photo = encode(Image.new("RGB", (40, 30), (10, 120, 200)), "PNG")
    slot = images._decode_slot(1)
    slot.acquire()
    try:
        with pytest.raises(ImageRejected) as refused:
            process_image(photo, timeout_seconds=0.2, concurrency=1)
        assert refused.value.status == 503 and refused.value.headers["Retry-After"]
    finally:
        slot.release()
    assert process_image(photo, concurrency=1).width == 40  # the slot is free again
