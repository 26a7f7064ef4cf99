"""QR codes and the A4 sheet: the PNG decodes to the tag's address, the sheet has a page per
nine rooms with the Kazakh names as text, and a scanned tag opens its room."""
import io
import math

import pytest
import zxingcpp
from PIL import Image
from pypdf import PdfReader

from offices import rooms
from offices.rooms import ROOMS_PER_PAGE
from tests.support.api import assert_error

KAZAKH = ["Әкімшілік", "Ғимарат", "Қойма", "Аңшы", "Өндіріс", "Ұйым", "Үлкен зал", "Һ-блок", "Іскер"]


def add_room(client, world, code, name, floor=None, office=None):
    body = {"code": code, "name": name, **({"floor": floor} if floor is not None else {})}
    response = client.post(f"/api/v1/offices/{office or world.ala}/rooms", json=body, headers=world.admin.headers)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def token_of(client, world, room_id):
    return client.post(f"/api/v1/rooms/{room_id}/qr-token", headers=world.admin.headers).get_json()["qr_token"]


def decode(png):
    results = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))
    return [r.text for r in results]


def test_the_png_decodes_to_the_tag_address(app, client, world):
    app.config["QR_BASE_URL"] = "https://qr.example.kz/"
    room = add_room(client, world, "305", "Кабинет")
    token = token_of(client, world, room["id"])
    response = client.get(f"/api/v1/rooms/{room['id']}/qr.png", headers=world.admin.headers)
    assert response.status_code == 200
    assert response.mimetype == "image/png"
    assert decode(response.data) == [f"https://qr.example.kz/q/{token}"]
    # A new tag: a new code.
    token2 = token_of(client, world, room["id"])
    again = client.get(f"/api/v1/rooms/{room['id']}/qr.png", headers=world.admin.headers)
    assert decode(again.data) == [f"https://qr.example.kz/q/{token2}"]
    assert_error(client.get("/api/v1/rooms/999999/qr.png", headers=world.admin.headers), 404)


@pytest.mark.parametrize("count", [0, 1, ROOMS_PER_PAGE, ROOMS_PER_PAGE + 1, 2 * ROOMS_PER_PAGE + 3])
def test_the_sheet_has_a_page_per_nine_rooms(client, world, count):
    for i in range(count):
        add_room(client, world, f"R{i}", {"kk": f"{KAZAKH[i % len(KAZAKH)]} {i}", "ru": f"Комната {i}"}, floor=i % 4)
    add_room(client, world, "ELSE", "Elsewhere", office=world.ast)
    response = client.get(f"/api/v1/offices/{world.ala}/qr-sheet.pdf", headers=world.admin.headers)
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    reader = PdfReader(io.BytesIO(response.data))
    assert len(reader.pages) == max(1, math.ceil(count / ROOMS_PER_PAGE))
    assert 8 <= ROOMS_PER_PAGE <= 12
    page = reader.pages[0]
    assert (round(float(page.mediabox.width) / 72 * 25.4), round(float(page.mediabox.height) / 72 * 25.4)) == (210, 297)
    text = "\n".join(p.extract_text() for p in reader.pages)
    for i in range(count):
        assert f"{KAZAKH[i % len(KAZAKH)]} {i}" in text
        assert f"Комната {i}" in text
    assert "Elsewhere" not in text
    if count:
        assert "Almaty" in text
    assert_error(client.get("/api/v1/offices/999999/qr-sheet.pdf", headers=world.admin.headers), 404)


SHEET = "/api/v1/offices/{}/qr-sheet.pdf"


def sheet_codes(response):
    """The room codes a sheet prints, in its order (the code is the tag's bold line)."""
    assert response.status_code == 200, response.get_json()
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages)
    return [line for line in text.splitlines() if line.startswith("R-")]


def refused(response, code):
    """A 422 with ``code`` (checked before the body is read: a sheet's body is a PDF)."""
    assert (response.status_code, response.mimetype) == (422, "application/json")
    return assert_error(response, 422, code)


@pytest.fixture
def ten_rooms(client, world):
    """R-00 .. R-09 on floors 0, 1 and 2 (four, four and two rooms): the sheet's order is theirs."""
    return [add_room(client, world, f"R-{i:02d}", f"Room {i}", floor=i // 4)["code"]
            for i in range(10)]


def test_a_sheet_over_the_cap_is_refused_before_anything_is_drawn(app, client, world, ten_rooms, monkeypatch):
    """More rooms than ``QR_SHEET_MAX_ROOMS`` (each costs a QR code and its drawing): 422, and the
    answer says how to ask for the sheet in parts; no code is made."""
    app.config["QR_SHEET_MAX_ROOMS"] = 4
    drawn, draw = [], rooms.qr_png
    monkeypatch.setattr(rooms, "qr_png", lambda room, scale=10: drawn.append(room) or draw(room, scale))
    error = refused(client.get(SHEET.format(world.ala), headers=world.admin.headers), "too_many_rooms")
    assert error["details"] == {"rooms": 10, "limit": 4, "parts": 3}
    assert error["message"] == ("too many rooms for one sheet: 10 (at most 4); "
                                "ask for one floor (floor=) or one part at a time (part=1 to 3)")
    assert drawn == []
    app.config["QR_SHEET_MAX_ROOMS"] = 10
    monkeypatch.undo()
    assert sheet_codes(client.get(SHEET.format(world.ala), headers=world.admin.headers)) == ten_rooms


def test_the_sheet_in_parts_prints_every_room_once(app, client, world, ten_rooms):
    app.config["QR_SHEET_MAX_ROOMS"] = 4
    parts = [sheet_codes(client.get(SHEET.format(world.ala), query_string={"part": part},
                                    headers=world.admin.headers)) for part in (1, 2, 3)]
    assert parts == [ten_rooms[:4], ten_rooms[4:8], ten_rooms[8:]]
    error = refused(client.get(SHEET.format(world.ala), query_string={"part": 4}, headers=world.admin.headers), "validation_error")
    assert error["details"] == {"part": ["the last part is 3"]}


def test_a_floor_of_the_sheet(app, client, world, ten_rooms):
    app.config["QR_SHEET_MAX_ROOMS"] = 4
    floor = client.get(SHEET.format(world.ala), query_string={"floor": 1}, headers=world.admin.headers)
    assert sheet_codes(floor) == ten_rooms[4:8]
    app.config["QR_SHEET_MAX_ROOMS"] = 3
    error = refused(client.get(SHEET.format(world.ala), query_string={"floor": 0}, headers=world.admin.headers), "too_many_rooms")
    assert error["details"] == {"rooms": 4, "limit": 3, "parts": 2}
    second = client.get(SHEET.format(world.ala), query_string={"floor": 0, "part": 2}, headers=world.admin.headers)
    assert sheet_codes(second) == ten_rooms[3:4]
    empty = client.get(SHEET.format(world.ala), query_string={"floor": 9}, headers=world.admin.headers)
    assert empty.status_code == 200 and sheet_codes(empty) == []


def test_the_refusal_is_in_the_callers_language(app, client, world, auth, ten_rooms):
    app.config["QR_SHEET_MAX_ROOMS"] = 4
    ru = refused(client.get(SHEET.format(world.ala), headers=auth("administrator", language="ru").headers), "too_many_rooms")
    assert ru["message"].startswith("слишком много помещений для одного листа: 10 (не более 4)")
    kk = refused(client.get(SHEET.format(world.ala), headers=auth("administrator", language="kk").headers), "too_many_rooms")
    assert "10" in kk["message"] and "part=1" in kk["message"] and "too many" not in kk["message"]


def test_the_sheet_shows_every_kazakh_letter(client, world):
    letters = "әғқңөұүһі ӘҒҚҢӨҰҮҺІ"
    add_room(client, world, "KZ", {"kk": letters})
    response = client.get(f"/api/v1/offices/{world.ala}/qr-sheet.pdf", headers=world.admin.headers)
    text = PdfReader(io.BytesIO(response.data)).pages[0].extract_text()
    assert letters in text


@pytest.mark.parametrize("who", ["employee", "manager_it", "admin_ast", "admin"])
def test_a_scanned_tag_opens_its_room(client, world, who):
    room = add_room(client, world, "305", {"kk": "Өндіріс", "ru": "Цех"}, floor=3)
    token = token_of(client, world, room["id"])
    response = client.get(f"/api/v1/qr/{token}", headers=getattr(world, who).headers)
    assert response.status_code == 200
    body = response.get_json()
    assert body["office"] == {"id": world.ala, "code": "ALA", "name": "Almaty"}
    assert body["room"] == {"id": room["id"], "code": "305", "name": {"kk": "Өндіріс", "ru": "Цех"}}
    assert [c["code"] for c in body["categories"]] == ["FAC-AC", "IT-PC"]  # active ones only
    assert body["categories"][0] == client.get("/api/v1/categories/FAC-AC", headers=world.employee.headers).get_json()
    assert body["notices"] == [] and body["open_requests"] == []


@pytest.mark.parametrize("token", ["short", "x" * 23, "a" * 21 + "!", "%2e%2e", "a" * 21 + ".", "A" * 22])
def test_a_tag_of_another_shape_or_unknown_is_404(client, world, token):
    assert_error(client.get(f"/api/v1/qr/{token}", headers=world.employee.headers), 404)


def test_a_malformed_tag_is_refused_without_reading_the_database(app, client, world):
    import sqlalchemy as sa

    statements = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    with app.app_context():
        from service_app.extensions import db
        engine = db.engine
        sa.event.listen(engine, "before_cursor_execute", count)
        try:
            assert_error(client.get("/api/v1/qr/not-a-tag", headers=world.employee.headers), 404)
        finally:
            sa.event.remove(engine, "before_cursor_execute", count)
    assert not [s for s in statements if "rooms" in s]


def test_a_tag_of_a_deactivated_office_is_404(client, world):
    room = add_room(client, world, "305", "Кабинет")
    token = token_of(client, world, room["id"])
    client.patch(f"/api/v1/offices/{world.ala}", json={"is_active": False}, headers=world.admin.headers)
    assert_error(client.get(f"/api/v1/qr/{token}", headers=world.employee.headers), 404)


def test_a_tag_needs_sign_in(client, world):
    room = add_room(client, world, "305", "Кабинет")
    token = token_of(client, world, room["id"])
    assert client.get(f"/api/v1/qr/{token}").status_code == 401
