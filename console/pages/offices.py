"""The offices map: every office's geofence on a Leaflet map, drawn and edited with Geoman.

Offices are created and changed through the API's own schema (``OfficeCreateSchema`` /
``OfficeUpdateSchema``) and service (``offices.service.create_office`` / ``update_office``),
by company-wide administrators only, as the API's ``login_required(company_wide=True)``;
everybody else sees the map read-only. A click on the map asks ``offices.service.route_preview``
(what ``GET /api/v1/offices/route`` answers) where a request from there would go.
"""
import json

import marshmallow as ma
from flask import current_app, flash, g, jsonify, redirect, request, url_for

from offices import service
from offices.schemas import OfficeCreateSchema, OfficeUpdateSchema, RouteArgsSchema
from service_app import i18n
from service_app.errors import ApiError
from service_app.extensions import db
from service_app.vocabulary import DEFAULT_TIMEZONE

from .. import messages
from ..web import bp, page_error, render, t
from .admin_tools import allowed, requires
from .common import chosen_office, int_or_none

# Kazakhstan's time zones, offered in the form (any IANA zone is accepted, as by the API).
TIMEZONES = ("Asia/Almaty", "Asia/Aqtau", "Asia/Aqtobe", "Asia/Atyrau", "Asia/Oral", "Asia/Qostanay",
             "Asia/Qyzylorda")
# Where the map looks when there is no fence to fit: Almaty.
HOME_VIEW = {"lat": 43.238, "lon": 76.946, "zoom": 11}

messages.register({
    "map.title": {"en": "Offices on the map", "ru": "Офисы на карте", "kk": "Кеңселер картада"},
    "map.label": {"en": "Map of office geofences", "ru": "Карта геозон офисов", "kk": "Кеңселер геоаймақтарының картасы"},
    "map.offices": {"en": "Offices", "ru": "Офисы", "kk": "Кеңселер"},
    "map.code": {"en": "Code", "ru": "Код", "kk": "Коды"},
    "map.name": {"en": "Name", "ru": "Название", "kk": "Атауы"},
    "map.address": {"en": "Address", "ru": "Адрес", "kk": "Мекенжайы"},
    "map.timezone": {"en": "Time zone", "ru": "Часовой пояс", "kk": "Уақыт белдеуі"},
    "map.active": {"en": "Active (takes requests)", "ru": "Активен (принимает заявки)",
                   "kk": "Белсенді (өтінімдер қабылдайды)"},
    "map.status": {"en": "Status", "ru": "Статус", "kk": "Күйі"},
    "map.is_active": {"en": "active", "ru": "активен", "kk": "белсенді"},
    "map.inactive": {"en": "inactive", "ru": "неактивен", "kk": "белсенді емес"},
    "map.new_office": {"en": "New office", "ru": "Новый офис", "kk": "Жаңа кеңсе"},
    "map.edit_office": {"en": "Office {code}", "ru": "Офис {code}", "kk": "{code} кеңсесі"},
    "map.new_link": {"en": "Create a new office instead", "ru": "Создать новый офис", "kk": "Оның орнына жаңа кеңсе құру"},
    "map.fence": {"en": "Geofence", "ru": "Геозона", "kk": "Геоаймақ"},
    "map.fence_help_new": {"en": "Draw the office's area on the map with the polygon tool, then save.",
                           "ru": "Нарисуйте территорию офиса на карте инструментом «многоугольник» и сохраните.",
                           "kk": "Кеңсе аумағын картада «көпбұрыш» құралымен сызып, сақтаңыз."},
    "map.fence_help_edit": {"en": "Drag the corners of the highlighted area, or draw a new polygon to replace it, then save.",
                            "ru": "Перетащите углы выделенной области или нарисуйте новый многоугольник вместо неё и сохраните.",
                            "kk": "Белгіленген аумақтың бұрыштарын жылжытыңыз немесе оның орнына жаңа көпбұрыш сызып, сақтаңыз."},
    "map.draw": {"en": "Draw a polygon", "ru": "Нарисовать многоугольник", "kk": "Көпбұрыш сызу"},
    "map.gm_first": {"en": "Click to place the first corner", "ru": "Нажмите, чтобы поставить первую вершину",
                     "kk": "Бірінші төбені қою үшін басыңыз"},
    "map.gm_continue": {"en": "Click to place the next corner", "ru": "Нажмите, чтобы поставить следующую вершину",
                        "kk": "Келесі төбені қою үшін басыңыз"},
    "map.gm_finish_poly": {"en": "Click the first corner to close the area",
                           "ru": "Нажмите на первую вершину, чтобы замкнуть область",
                           "kk": "Аумақты тұйықтау үшін бірінші төбені басыңыз"},
    "map.gm_done": {"en": "Finish", "ru": "Готово", "kk": "Аяқтау"},
    "map.gm_undo": {"en": "Remove the last corner", "ru": "Удалить последнюю вершину", "kk": "Соңғы төбені жою"},
    "map.fence_drawn": {"en": "A new area is drawn.", "ru": "Новая область нарисована.", "kk": "Жаңа аумақ сызылды."},
    "map.fence_changed": {"en": "The area is changed.", "ru": "Область изменена.", "kk": "Аумақ өзгертілді."},
    "map.read_only": {"en": "Only company-wide administrators change offices; the map is read-only for you.",
                      "ru": "Офисы меняют только администраторы всей компании; для вас карта только для просмотра.",
                      "kk": "Кеңселерді тек бүкіл компания әкімшілері өзгертеді; сіз үшін карта тек қарауға арналған."},
    "map.route_title": {"en": "Where would a request go?", "ru": "Куда уйдёт заявка?", "kk": "Өтінім қайда жіберіледі?"},
    "map.route_help": {"en": "Click the map (when not drawing) to see which office a request sent from that point goes to.",
                       "ru": "Нажмите на карту (не в режиме рисования), чтобы узнать, в какой офис уйдёт заявка из этой точки.",
                       "kk": "Осы нүктеден жіберілген өтінім қай кеңсеге түсетінін білу үшін картаны басыңыз (сызу режимінен тыс)."},
    "map.route_office": {"en": "{name} ({how})", "ru": "{name} ({how})", "kk": "{name} ({how})"},
    "map.route_none": {"en": "no office", "ru": "нет офиса", "kk": "кеңсе жоқ"},
    "map.route_failed": {"en": "The point could not be checked.", "ru": "Не удалось проверить точку.",
                         "kk": "Нүктені тексеру мүмкін болмады."},
    "map.route_point": {"en": "Point {lat}, {lon}: ", "ru": "Точка {lat}, {lon}: ", "kk": "{lat}, {lon} нүктесі: "},
    "map.by_geofence": {"en": "inside its geofence", "ru": "внутри его геозоны", "kk": "оның геоаймағының ішінде"},
    "map.by_nearest": {"en": "nearest office, {meters} m away", "ru": "ближайший офис, {meters} м",
                       "kk": "ең жақын кеңсе, {meters} м"},
    "map.by_home_office": {"en": "your home office", "ru": "ваш основной офис", "kk": "сіздің негізгі кеңсеңіз"},
    "map.bad_fence_json": {"en": "The geofence is not valid GeoJSON.", "ru": "Геозона — не корректный GeoJSON.",
                           "kk": "Геоаймақ дұрыс GeoJSON емес."},
    "map.fence_missing": {"en": "Draw the office's geofence on the map first.",
                          "ru": "Сначала нарисуйте геозону офиса на карте.",
                          "kk": "Алдымен кеңсе геоаймағын картада сызыңыз."},
})


def can_edit():
    """As the API's office and room routes: ``login_required("administrator", company_wide=True)``."""
    return allowed("administrator", company_wide=True)


def _office_item(office):
    return {"id": office.id, "code": office.code, "name": office.name, "geofence": office.geofence,
            "active": office.is_active}


def _geoman_texts():
    """The words Geoman shows while drawing a polygon, for its ``setLang``."""
    return {"tooltips": {"firstVertex": t("map.gm_first"), "continueLine": t("map.gm_continue"),
                         "finishPoly": t("map.gm_finish_poly")},
            "actions": {"finish": t("map.gm_done"), "cancel": t("cancel"), "removeLastVertex": t("map.gm_undo")},
            "buttonTitles": {"drawPolyButton": t("map.draw")}}


def _page(status=200, form=None, errors=None, selected=None):
    offices = service.list_offices(g.user)["items"]
    if selected is None:
        selected = chosen_office(offices, request.args.get("office"))
    editable = can_edit()
    if form is None:
        form = ({"code": selected.code, "name": selected.name, "address": selected.address or "",
                 "timezone": selected.timezone, "is_active": selected.is_active,
                 "geofence": json.dumps(selected.geofence)}
                if selected is not None else {"timezone": DEFAULT_TIMEZONE, "is_active": True, "geofence": ""})
    config = {
        "tileUrl": current_app.config.get("MAP_TILE_URL") or "",
        "tileAttribution": current_app.config.get("MAP_TILE_ATTRIBUTION") or "",
        "offices": [_office_item(office) for office in offices],
        "selectedId": selected.id if selected is not None else None,
        "editable": editable,
        "home": HOME_VIEW,
        "routeUrl": url_for("console.offices_route"),
        "texts": {"draw": t("map.draw"), "drawn": t("map.fence_drawn"), "changed": t("map.fence_changed"),
                  "failed": t("map.route_failed"), "geoman": _geoman_texts(), "point": t("map.route_point", lat="{lat}", lon="{lon}")},
    }
    return render("offices.html", status, offices=offices, selected=selected, editable=editable, form=form,
                  errors=errors or {}, config=config, timezones=TIMEZONES)


@bp.route("/offices", methods=["GET"])
def offices_map():
    return _page()


def _form_data(creating):
    """The form as an API body: the fields the office schemas take, the geofence parsed from JSON."""
    form = request.form
    body = {"name": form.get("name", ""), "timezone": form.get("timezone", "").strip() or DEFAULT_TIMEZONE}
    if creating or form.get("code"):
        body["code"] = form.get("code", "").strip()
    address = form.get("address", "").strip()
    body["address"] = address or None
    if not creating:
        body["is_active"] = form.get("is_active") == "on"
    errors = {}
    raw = form.get("geofence", "").strip()
    if raw:
        try:
            fence = json.loads(raw)
        except ValueError:
            fence = None
        if not isinstance(fence, dict):
            errors["geofence"] = [t("map.bad_fence_json")]
        else:
            if fence.get("type") == "Feature":  # what Leaflet's toGeoJSON gives for a layer
                fence = fence.get("geometry")
            body["geofence"] = fence
    return body, errors


def _flat(messages_by_field):
    out = {}
    for field, value in messages_by_field.items():
        if isinstance(value, dict):
            value = [f"{key}: {item}" for key, items in value.items()
                     for item in (items if isinstance(items, list) else [items])]
        out[field] = [i18n.translate(str(item), g.lang) for item in (value if isinstance(value, list) else [value])]
    return out


@bp.route("/offices", methods=["POST"])
@requires("administrator", company_wide=True)
def offices_save():
    office = None
    if request.form.get("office_id"):
        office_id = int_or_none(request.form["office_id"])
        if office_id is None:
            return page_error(404, i18n.translate("no such office", g.lang))
        office = service.get_office(office_id)
    body, errors = _form_data(creating=office is None)
    schema = OfficeCreateSchema() if office is None else OfficeUpdateSchema()
    form = {**request.form.to_dict(), "is_active": request.form.get("is_active") == "on"}
    if not errors:
        try:
            data = schema.load(body)
        except ma.ValidationError as exc:
            errors = _flat(exc.messages)
            if "geofence" in errors and "geofence" not in body:  # the schema's refusal, in the map's words
                errors["geofence"] = [t("map.fence_missing")]
    if errors:
        return _page(422, form=form, errors=errors, selected=office)
    try:
        saved = service.create_office(data) if office is None else service.update_office(office, data)
    except ApiError as exc:
        db.session.rollback()
        details = exc.details if isinstance(exc.details, dict) else {}
        errors = _flat(details) if details else {"_": [i18n.translate(exc.message, g.lang)]}
        return _page(exc.status, form=form, errors=errors, selected=office)
    flash(t("saved"), "success")
    return redirect(url_for("console.offices_map", office=saved.id), code=303)


@bp.route("/offices/route", methods=["GET"])
def offices_route():
    """Where a request from ``lat``, ``lon`` would go (``service.route_preview``), as JSON text for the map."""
    try:
        args = RouteArgsSchema().load({"lat": request.args.get("lat"), "lon": request.args.get("lon")})
        result = service.route_preview(g.user, args["lat"], args["lon"])
    except ma.ValidationError:
        return jsonify(office=None, text=t("map.route_failed")), 422
    except ApiError as exc:
        db.session.rollback()
        return jsonify(office=None, text=i18n.translate(exc.message, g.lang)), exc.status
    office = result["office"]
    if office is None:
        return jsonify(office=None, text=t("map.route_none"))
    how = result["matched_by"]
    reason = (t("map.by_nearest", meters=round(result["distance_m"] or 0)) if how == "nearest"
              else t(f"map.by_{how}") if how in ("geofence", "home_office") else how)
    return jsonify(office={"id": office.id, "code": office.code, "name": office.name},
                   text=t("map.route_office", name=f"{office.name} ({office.code})", how=reason))
