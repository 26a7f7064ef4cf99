"""The rooms' QR downloads as responses: the API's and the staff console's answer (route modules stay leaves)."""
from flask import Response

from . import rooms


def qr_png_response(room):
    """The room's QR code as a download (the API's and the staff console's answer)."""
    return Response(rooms.qr_png(room), mimetype="image/png",
                    headers={"Content-Disposition": f'inline; filename="room-{room.id}-qr.png"',
                             "Cache-Control": "no-store"})


def qr_sheet_response(office, floor=None, part=None):
    """The office's printable QR sheet (or a floor's, or a part of it: ``rooms.sheet_rooms``) as a
    download (the API's and the staff console's answer); the file's name says which."""
    name = "qr-" + office.code + ("" if floor is None else f"-floor-{floor}") + ("" if part is None else f"-part-{part}")
    return Response(rooms.qr_sheet(office, floor, part), mimetype="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="{name}.pdf"',
                             "Cache-Control": "no-store"})
