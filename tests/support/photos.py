"""Photos for tests and benchmarks: a phone's JPEG with GPS and EXIF rotation, an
upload through the API, and two decompression bombs (small files, huge work)."""
import io
import re
import struct
import zlib

from PIL import Image

GPS_TAG, ORIENTATION_TAG = 0x8825, 0x0112


def gps_photo(orientation=6, size=(300, 200), colour=(200, 30, 30)):
    """A JPEG as a phone takes it: GPS position, camera model, rotated by EXIF."""
    img = Image.new("RGB", size, colour)
    img.paste((20, 20, 220), (0, 0, 60, 40))  # a blue top-left corner shows the orientation
    exif = Image.Exif()
    exif[0x010F], exif[0x0110], exif[ORIENTATION_TAG] = "PhoneMaker", "Phone 15", orientation
    exif.get_ifd(GPS_TAG).update({1: "N", 2: (43.0, 13.0, 12.0), 3: "E", 4: (76.0, 55.0, 48.0)})
    out = io.BytesIO()
    img.save(out, "JPEG", exif=exif.tobytes(), quality=90)
    return out.getvalue()


def upload(client, who, rid, data, name="photo.jpg", content_type="image/jpeg"):
    """Attach ``data`` to request ``rid`` as ``who`` (multipart, as the app sends it); returns the response."""
    return client.post(f"/api/v1/requests/{rid}/attachments", headers=who.headers,
                       data={"file": (io.BytesIO(data), name, content_type)}, content_type="multipart/form-data")


def attach_photo(client, who, rid, colour=(10, 200, 10)):
    """Attach a small JPEG of one ``colour`` to request ``rid`` as ``who`` (asserting 201); returns its id.
    Photos of different colours are different bytes (the same bytes again are not a new photo)."""
    out = io.BytesIO()
    Image.new("RGB", (40, 30), colour).save(out, "JPEG")
    response = upload(client, who, rid, out.getvalue(), name="p.jpg")
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


def _scans(data):
    """(start, end) of each scan of a JPEG: its SOS segment and entropy-coded data."""
    found, i = [], 2
    while data[i + 1] != 0xD9:
        (length,) = struct.unpack_from(">H", data, i + 2)
        end = i + 2 + length
        if data[i + 1] == 0xDA:
            end = re.compile(rb"\xff[^\x00\xd0-\xd7\xff]").search(data, end).start()
            found.append((i, end))
        i = end
    return found


def jpeg_scan_bomb(size=(2000, 2000), repeat=10_000):
    """A progressive JPEG whose luma AC refinement scan is repeated `repeat` times before EOI.

    Uniform pixels make every scan a few bytes; each copy still makes libjpeg
    walk all of the image's coefficients (about 25 s of CPU at 2000 x 2000).
    """
    buffer = io.BytesIO()
    Image.new("RGB", size, (120, 130, 140)).save(buffer, "JPEG", progressive=True, quality=80)
    data = buffer.getvalue()
    scans = _scans(data)
    assert len(scans) == 10  # libjpeg's standard progression
    # Scan header: length, component count n, n (id, tables), then Ss, Se, Ah/Al.
    start, end = next((s, e) for s, e in scans
                      if data[s + 5 + 2 * data[s + 4]] > 0 and data[s + 7 + 2 * data[s + 4]] >> 4)
    return data[:-2] + data[start:end] * repeat + data[-2:]


def uniform_rgba_png(width=8000, height=5000):
    """A uniform RGBA PNG: 40 Mpx, 160 MB of pixels, in about 150 KB."""
    def chunk(kind, body):
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    compressor = zlib.compressobj(9)
    row = b"\x00" + b"\x80\x80\x80\xff" * width
    idat = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")
