"""The rooms' QR downloads as responses: the API's and the staff console's answer (route modules stay leaves)."""
from flask import Response

from . import rooms


def qr_png_response(room):
    """The room's QR code as a download (the API's and the staff console's answer)."""
    return Response(rooms.qr_png(room), mimetype="image/png",
                    headers={"Content-Disposition": f'inline; filename="room-{room.id}-qr.png"',
                             "Cache-Control": "no-store"})


def qr_sheet_response(office):
    """The office's printable QR sheet as a download (the API's and the staff console's answer)."""
    return Response(rooms.qr_sheet(office), mimetype="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="qr-{office.code}.pdf"',
                             "Cache-Control": "no-store"})
