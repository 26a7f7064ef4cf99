"""Rooms of an office and their QR tags: the codes on the doors and the sheet they are printed from.

A tag is ``secrets.token_urlsafe(16)``: 22 random characters, opaque (it says nothing about the
office or room) and unique. A room stores only its current tag, so replacing it makes the old one
unknown at once. A tag of another shape is refused before any database read.

A sheet costs a QR code and its drawing per room (tens of milliseconds each), so one sheet prints
at most ``QR_SHEET_MAX_ROOMS`` rooms: an office with more is printed a floor (``floor``) or a part
(``part``: the sheet's rooms in its order, ``QR_SHEET_MAX_ROOMS`` at a time) per call. A call that
would print more is refused (422 ``too_many_rooms``, saying how many parts there are) after one
count, before anything is drawn.
"""
import io
import math
import re
import secrets
from pathlib import Path

import segno
import sqlalchemy as sa
from flask import current_app
from fpdf import FPDF

from service_app.database import assign, get_or_404
from service_app.errors import ApiError, invalid
from service_app.extensions import db
from service_app.plugins import Hook, hooks

from .models import Room

TOKEN_BYTES = 16
TOKEN_PATTERN = re.compile(r"[A-Za-z0-9_-]{22}")
FONTS = Path(__file__).resolve().parent / "fonts"
# The sheet: A4 portrait, 3 columns by 3 rows of tags, each big enough to scan from a metre away.
COLUMNS, ROWS = 3, 3
ROOMS_PER_PAGE = COLUMNS * ROWS
# Rooms by floor (those without one last), then code (unique in an office): the list's and the sheet's order.
SHEET_ORDER = (Room.floor.is_(None), Room.floor, Room.code)
# The languages a door tag shows a LocalizedText name in, in this order (two lines at most).
SHEET_LANGUAGES = ("kk", "ru", "en")


def new_token():
    return secrets.token_urlsafe(TOKEN_BYTES)


def not_found():
    return ApiError(404, "not_found", "no such QR tag")


def resolve_token(token):
    """The room a QR tag names, with its office; 404 for a tag of another shape (without reading the
    database), an unknown or replaced tag, or a room of an office that is no longer active (a
    deactivated office takes no requests, so its tags lead nowhere)."""
    if not isinstance(token, str) or not TOKEN_PATTERN.fullmatch(token):
        raise not_found()
    room = db.session.scalar(sa.select(Room).where(Room.qr_token == token))
    if room is None or not room.office.is_active:
        raise not_found()
    return room


def tag_room(token, office_id=None):
    """The room a tag names (:func:`resolve_token`), for a place given by its tag: an ``office_id``
    sent with it other than the tag's office is 422, as the place is then said twice, differently."""
    room = resolve_token(token)
    if office_id is not None and office_id != room.office_id:
        raise invalid("office_id", "the QR tag belongs to another office; send one of them, or the tag's office")
    return room


def tag_url(token):
    return f"{current_app.config['QR_BASE_URL'].rstrip('/')}/q/{token}"


# --- rooms --------------------------------------------------------------------

def list_rooms(office):
    """The office's rooms in the sheet's order: by floor (rooms without one last), then code."""
    return {"items": list(db.session.scalars(sa.select(Room).where(Room.office_id == office.id)
                                              .order_by(*SHEET_ORDER))),
            "next_cursor": None}


def get_room(room_id):
    return get_or_404(Room, room_id, "no such room")


def _code_taken(office_id, code, exclude_id=None):
    stmt = sa.select(Room.id).where(Room.office_id == office_id, Room.code == code)
    if exclude_id is not None:
        stmt = stmt.where(Room.id != exclude_id)
    return db.session.scalar(stmt) is not None


def _code_conflict(code):
    return ApiError(409, "conflict", "code: this office already has a room with this code",
                    {"code": ["already used in this office"]})


def create_room(office, data):
    """Add a room with a fresh tag. Codes are kept upper-case, as office codes, and are unique per office."""
    data["code"] = data["code"].upper()
    if _code_taken(office.id, data["code"]):
        raise _code_conflict(data["code"])
    room = Room(office_id=office.id, qr_token=new_token(), **data)
    room.office = office
    db.session.add(room)
    db.session.commit()
    return room


def update_room(room, data):
    if "code" in data:
        data["code"] = data["code"].upper()
        if _code_taken(room.office_id, data["code"], room.id):
            raise _code_conflict(data["code"])
    assign(room, data)
    db.session.commit()
    return room


def delete_room(room):
    """Delete a room no request refers to; the 409 says how many do (``Hook.ROOM_USAGE_CHECKS``)."""
    uses = [use for use in (check(room.id) for check in hooks().get(Hook.ROOM_USAGE_CHECKS)) if use]
    if uses:
        raise ApiError(409, "conflict", f"the room has {' and '.join(uses)}; "
                                        "it cannot be deleted, but its QR tag can be replaced")
    db.session.delete(room)
    db.session.commit()


def replace_token(room):
    """A new tag for the room; the old one stops working with this commit."""
    room.qr_token = new_token()
    db.session.commit()
    return {"qr_token": room.qr_token}


# --- codes and the sheet ------------------------------------------------------------

def qr_png(room, scale=10):
    """The room's QR code as PNG bytes (error correction M, quiet zone of 4 modules)."""
    out = io.BytesIO()
    segno.make(tag_url(room.qr_token), error="m", micro=False).save(out, kind="png", scale=scale, border=4)
    return out.getvalue()


def _names(name):
    """The lines a door tag shows for a name: itself, or its distinct languages (two at most)."""
    if isinstance(name, str):
        return [name]
    lines = []
    for language in (*SHEET_LANGUAGES, *name):
        value = name.get(language)
        if value and value not in lines:
            lines.append(value)
    return lines[:2]


def sheet_limit():
    """The most rooms one sheet prints (``QR_SHEET_MAX_ROOMS``, at least one)."""
    return max(1, current_app.config["QR_SHEET_MAX_ROOMS"])


def sheet_parts(listed):
    """``[(part, first room, last room)]``: the parts the sheet of ``listed`` (an office's rooms, as
    :func:`list_rooms` orders them) is printed in; empty when one sheet holds them all."""
    limit = sheet_limit()
    if len(listed) <= limit:
        return []
    return [(start // limit + 1, listed[start], listed[min(start + limit, len(listed)) - 1])
            for start in range(0, len(listed), limit)]


def sheet_rooms(office, floor=None, part=None):
    """The rooms a sheet prints: the office's (on ``floor`` when given) in the sheet's order, the
    ``part``-th ``QR_SHEET_MAX_ROOMS`` of them when given. 422 ``too_many_rooms`` when more match
    and no part is asked for; 422 for a part past the last (no rooms: one part, the empty sheet)."""
    limit = sheet_limit()
    matching = [Room.office_id == office.id] + ([Room.floor == floor] if floor is not None else [])
    count = db.session.scalar(sa.select(sa.func.count()).select_from(Room).where(*matching))
    parts = max(1, math.ceil(count / limit))
    if part is None:
        if count > limit:
            raise ApiError(422, "too_many_rooms",
                           f"too many rooms for one sheet: {count} (at most {limit}); "
                           f"ask for one floor (floor=) or one part at a time (part=1 to {parts})",
                           {"rooms": count, "limit": limit, "parts": parts})
        part = 1
    elif part > parts:
        raise invalid("part", f"the last part is {parts}")
    return list(db.session.scalars(sa.select(Room).where(*matching)
                                   .order_by(*SHEET_ORDER)
                                   .offset((part - 1) * limit).limit(limit)))


def qr_sheet(office, floor=None, part=None):
    """An A4 PDF of the office's rooms (:func:`sheet_rooms`): per room its QR code, the office's
    name, the room's code, name and floor, ``ROOMS_PER_PAGE`` to a page, cut lines between them.
    The font (DejaVu Sans, shipped with the product) covers the Kazakh letters; a sheet without
    rooms gets one page saying so."""
    rooms = sheet_rooms(office, floor, part)
    pdf = FPDF(orientation="portrait", unit="mm", format="A4")
    pdf.set_auto_page_break(False)
    pdf.set_title(f"QR: {office.name}")
    pdf.add_font("DejaVu", "", str(FONTS / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(FONTS / "DejaVuSans-Bold.ttf"))
    margin = 10
    width = (pdf.w - 2 * margin) / COLUMNS
    height = (pdf.h - 2 * margin) / ROWS
    qr_size = min(width - 12, height - 40)  # the rest of the cell holds up to six lines of text
    if not rooms:
        pdf.add_page()
        pdf.set_font("DejaVu", "", 14)
        pdf.set_xy(margin, margin)
        pdf.multi_cell(pdf.w - 2 * margin, 8, f"{office.name}: no rooms")
    for index, room in enumerate(rooms):
        slot = index % ROOMS_PER_PAGE
        if slot == 0:
            pdf.add_page()
            _cut_lines(pdf, margin, width, height)
        x = margin + (slot % COLUMNS) * width
        y = margin + (slot // COLUMNS) * height
        pdf.image(io.BytesIO(qr_png(room, scale=8)), x=x + (width - qr_size) / 2, y=y + 3, w=qr_size, h=qr_size)
        text_y = y + 3 + qr_size + 1
        pdf.set_xy(x + 2, text_y)
        pdf.set_font("DejaVu", "", 7)
        pdf.multi_cell(width - 4, 3.2, office.name, align="C", max_line_height=3.2)
        pdf.set_x(x + 2)
        pdf.set_font("DejaVu", "B", 12)
        pdf.cell(width - 4, 6, room.code, align="C", new_x="LEFT", new_y="NEXT")
        pdf.set_font("DejaVu", "", 9)
        for line in _names(room.name):
            pdf.set_x(x + 2)
            pdf.cell(width - 4, 4.5, _fit(pdf, line, width - 4), align="C", new_x="LEFT", new_y="NEXT")
        if room.floor is not None:
            pdf.set_x(x + 2)
            pdf.set_font("DejaVu", "", 8)
            pdf.cell(width - 4, 4, f"{room.floor} қабат / этаж", align="C", new_x="LEFT", new_y="NEXT")
    return bytes(pdf.output())


def _fit(pdf, text, width):
    """``text`` shortened with an ellipsis until it fits one line of ``width``."""
    if pdf.get_string_width(text) <= width:
        return text
    while text and pdf.get_string_width(text + "…") > width:
        text = text[:-1]
    return text + "…"


def _cut_lines(pdf, margin, width, height):
    pdf.set_draw_color(190, 190, 190)
    pdf.set_line_width(0.2)
    pdf.set_dash_pattern(dash=1, gap=1)
    for column in range(1, COLUMNS):
        pdf.line(margin + column * width, margin, margin + column * width, pdf.h - margin)
    for row in range(1, ROWS):
        pdf.line(margin, margin + row * height, pdf.w - margin, margin + row * height)
    pdf.set_dash_pattern()
