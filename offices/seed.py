"""Demo offices in Almaty, Astana and Shymkent with business-centre geofences,
and the departments responsible for requests."""
import sqlalchemy as sa

from service_app.extensions import db
from service_app.users.models import User

from .directory import bump_version
from .models import Department, Office, Room
from .rooms import new_token


def _box(west, south, east, north):
    return {"type": "Polygon", "coordinates": [[[west, south], [east, south], [east, north],
                                                [west, north], [west, south]]]}


DEMO_OFFICES = [
    {"code": "ALA-HQ", "name": "Алматы, бизнес-центр Нурлы Тау",
     "address": "Алматы, проспект аль-Фараби, 17",
     "geofence": {"type": "Polygon", "coordinates": [[
         [76.9262, 43.2191], [76.9318, 43.2189], [76.9321, 43.2222],
         [76.9290, 43.2231], [76.9259, 43.2219], [76.9262, 43.2191]]]}},
    # A smaller office nested inside the headquarters' footprint: requests from
    # inside it go to it (the smallest geofence wins).
    {"code": "ALA-4B", "name": "Алматы, Нурлы Тау, блок 4Б (ИТ-центр)",
     "address": "Алматы, проспект аль-Фараби, 19/4Б",
     "geofence": _box(76.9295, 43.2195, 76.9312, 43.2207)},
    {"code": "AST", "name": "Астана, Talan Towers",
     "address": "Астана, улица Достык, 16",
     "geofence": {"type": "Polygon", "coordinates": [[
         [71.4281, 51.1270], [71.4322, 51.1268], [71.4326, 51.1293],
         [71.4284, 51.1296], [71.4281, 51.1270]]]}},
    {"code": "CIT", "name": "Шымкент, бизнес-центр на проспекте Тауке хана",
     "address": "Шымкент, проспект Тауке хана, 35",
     "geofence": _box(69.5941, 42.3151, 69.5983, 42.3182),
     "holidays": ["2026-03-23"]},
]

DEMO_DEPARTMENTS = [
    {"code": "IT", "name": {"ru": "ИТ-отдел", "kk": "АТ бөлімі", "en": "IT"}},
    {"code": "FAC", "name": {"ru": "Хозяйственная служба", "kk": "Шаруашылық қызметі", "en": "Facilities"}},
    {"code": "HR", "name": {"ru": "Отдел кадров", "kk": "Кадр бөлімі", "en": "Human resources"}},
]


def seed_offices():
    lines = []
    for spec in DEMO_DEPARTMENTS:
        if db.session.get(Department, spec["code"]) is None:
            db.session.add(Department(**spec))
            lines.append(f"created department {spec['code']}")
    created = False
    for spec in DEMO_OFFICES:
        if db.session.scalar(sa.select(Office.id).where(Office.code == spec["code"])) is None:
            db.session.add(Office(**spec))
            created = True
            lines.append(f"created office {spec['code']} ({spec['name']})")
    if created:
        bump_version()
    db.session.flush()
    hq = db.session.scalar(sa.select(Office).where(Office.code == "ALA-HQ"))
    for login in ("demo-employee", "demo-admin", "demo-manager"):
        user = db.session.scalar(sa.select(User).where(User.login == login))
        if user is not None and user.office_id is None:
            user.office_id = hq.id
    db.session.commit()
    return lines


# Rooms of the headquarters, named in Kazakh and Russian, each with its QR tag.
DEMO_ROOMS = [
    {"code": "101", "floor": 1, "name": {"kk": "Қабылдау бөлмесі", "ru": "Приёмная"}},
    {"code": "102", "floor": 1, "name": {"kk": "Асхана", "ru": "Кухня"}},
    {"code": "201", "floor": 2, "name": {"kk": "Бухгалтерия бөлмесі", "ru": "Бухгалтерия"}},
    {"code": "204", "floor": 2, "name": {"kk": "Үлкен мәжіліс залы", "ru": "Большой переговорный зал"}},
    {"code": "301", "floor": 3, "name": {"kk": "Ғимарат қызметі", "ru": "Хозяйственная служба"}},
    {"code": "305", "floor": 3, "name": {"kk": "Өндіріс бөлімі", "ru": "Производственный отдел"}},
    {"code": "306", "floor": 3, "name": {"kk": "Ұйымдастыру бөлімі", "ru": "Организационный отдел"}},
    {"code": "401", "floor": 4, "name": {"kk": "Ақпараттық қауіпсіздік", "ru": "Информационная безопасность"}},
    {"code": "402", "floor": 4, "name": {"kk": "Серверлік бөлме", "ru": "Серверная"}},
    {"code": "B1", "floor": -1, "name": {"kk": "Жерасты тұрағы (һ-блок)", "ru": "Подземная парковка"}},
]


def seed_rooms():
    hq = db.session.scalar(sa.select(Office).where(Office.code == "ALA-HQ"))
    if hq is None:
        return []
    known = set(db.session.scalars(sa.select(Room.code).where(Room.office_id == hq.id)))
    lines = []
    for spec in DEMO_ROOMS:
        if spec["code"] not in known:
            db.session.add(Room(office_id=hq.id, qr_token=new_token(), **spec))
            lines.append(f"created room {hq.code} {spec['code']} ({spec['name']['kk']})")
    db.session.commit()
    return lines
