"""Demo categories, a few for each department."""
import io
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from offices.models import Office
from service_app.database import utcnow
from service_app.errors import ApiError
from service_app.extensions import db
from service_app.users.models import User
from service_app.vocabulary import DEFAULT_TIMEZONE

from . import access, intake, sla
from .photos import attachments
from .lifecycle import status as lifecycle, merging, edits as triage
from .models import Attachment, Comment, RequestEvent, ServiceRequest
from .staff.models import AssignmentPoolMember, AssignmentRule, Reply
from .catalogue.models import Category
from .employees.models import Notice, NoticeFollow

DEMO_CATEGORIES = [
    ("IT-PRINTER", "IT", {"ru": "Принтер, картридж", "kk": "Принтер, картридж", "en": "Printer, toner"}),
    ("IT-PC", "IT", {"ru": "Компьютер", "kk": "Компьютер", "en": "Computer"}),
    ("IT-NETWORK", "IT", {"ru": "Сеть и Wi-Fi", "kk": "Желі және Wi-Fi", "en": "Network, Wi-Fi"}),
    ("FAC-AC", "FAC", {"ru": "Кондиционер", "kk": "Кондиционер", "en": "Air conditioning"}),
    ("FAC-PLUMBING", "FAC", {"ru": "Сантехника", "kk": "Сантехника", "en": "Plumbing"}),
    ("FAC-CLEANING", "FAC", {"ru": "Уборка", "kk": "Тазалау", "en": "Cleaning"}),
    ("HR-DOCS", "HR", {"ru": "Справки и документы", "kk": "Анықтамалар мен құжаттар", "en": "Certificates, documents"}),
    ("HR-PASS", "HR", {"ru": "Пропуск", "kk": "Рұқсатнама", "en": "Access badge"}),
]


# The categories colleagues may find and follow (``Category.discoverable``, PRIVACY.md P18): the
# facilities', which are everyone's business; never HR's (a certificate, a badge), which are personal.
DEMO_DISCOVERABLE = {"FAC-AC", "FAC-PLUMBING", "FAC-CLEANING"}


# The air-conditioning category's form: what the author tells, and the unit's inventory number,
# which staff fill in (the author never sees it).
DEMO_FORMS = {
    "FAC-AC": [
        {"key": "symptom", "type": "choice", "required": True, "staff_only": False,
         "label": {"ru": "Что случилось", "kk": "Не болды", "en": "What is wrong"},
         "options": [
             {"value": "not_cooling", "label": {"ru": "Не охлаждает", "kk": "Салқындатпайды", "en": "Not cooling"}},
             {"value": "noisy", "label": {"ru": "Шумит", "kk": "Шулайды", "en": "Noisy"}},
             {"value": "leaking", "label": {"ru": "Течёт", "kk": "Ағып жатыр", "en": "Leaking"}},
             {"value": "wont_start", "label": {"ru": "Не включается", "kk": "Қосылмайды", "en": "Does not start"}},
         ]},
        {"key": "room_temperature", "type": "number", "required": False, "staff_only": False,
         "label": {"ru": "Температура в помещении, °C", "kk": "Бөлмедегі температура, °C",
                   "en": "Room temperature, °C"},
         "help": {"ru": "Если есть термометр", "kk": "Термометр болса", "en": "If there is a thermometer"}},
        {"key": "unit_id", "type": "text", "required": False, "staff_only": True,
         "label": {"ru": "Инвентарный номер", "kk": "Түгендеу нөмірі", "en": "Inventory number"}},
    ],
}


def seed_categories():
    lines = []
    for code, department, name in DEMO_CATEGORIES:
        category = db.session.get(Category, code)
        if category is None:
            db.session.add(Category(code=code, department_code=department, name=name,
                                    fields=DEMO_FORMS.get(code, []), discoverable=code in DEMO_DISCOVERABLE))
            lines.append(f"created category {code}")
        elif code in DEMO_FORMS and not category.fields:
            category.fields = DEMO_FORMS[code]  # a demo made before forms existed gets its form
            lines.append(f"added the form of category {code}")
    db.session.commit()
    return lines


# --- demo requests ----------------------------------------------------------

DEMO_REQUESTS = [
    # (title, category, point (lat, lon), priority, days ago, path of (who, status), photo colour)
    ("Не работает кондиционер в 305", "FAC-AC", (43.2201, 76.9302), "high", 12,
     [("admin", "in_progress"), ("admin", "resolved"), ("employee", "closed")], (70, 130, 180)),
    ("Закончился тонер на 2 этаже", "IT-PRINTER", (43.2215, 76.9275), "normal", 9,
     [("admin", "in_progress"), ("admin", "resolved")], (30, 30, 30)),
    ("Течёт кран на кухне", "FAC-PLUMBING", (43.2209, 76.9280), "urgent", 6,
     [("admin", "in_progress"), ("admin", "waiting")], (90, 160, 220)),
    ("Wi-Fi drops in meeting room B", "IT-NETWORK", (51.1282, 71.4303), "normal", 5,
     [("manager", "in_progress")], None),
    ("Нужна справка с места работы", "HR-DOCS", (51.1285, 71.4300), "low", 4, [], None),
    ("Сломан стул в переговорной", "FAC-CLEANING", (42.3166, 69.5962), "low", 20,
     [("admin", "rejected")], (150, 110, 60)),
    ("Компьютер не включается", "IT-PC", (43.2202, 76.9300), "high", 3,
     [("admin", "in_progress")], (40, 40, 60)),
    ("Пропуск не открывает турникет", "HR-PASS", (43.2218, 76.9290), "normal", 2, [], None),
    ("Грязно в холле после ремонта", "FAC-CLEANING", (42.3160, 69.5950), "normal", 15,
     [("admin", "in_progress"), ("admin", "resolved"), ("employee", "closed")], (200, 190, 170)),
    ("Кондиционер шумит", "FAC-AC", (51.1280, 71.4310), "normal", 1, [], (120, 120, 130)),
    ("Printer jams on every page", "IT-PRINTER", (42.3170, 69.5970), "high", 8,
     [("employee", "cancelled")], None),
    ("Не работает розетка у окна", "FAC-AC", (43.2212, 76.9283), "urgent", 0, [], (240, 240, 240)),
]


# The answers to the air-conditioning form, by title (staff add the inventory number afterwards).
DEMO_ANSWERS = {
    "Не работает кондиционер в 305": ({"symptom": "not_cooling", "room_temperature": 29}, "AC-0305"),
    "Кондиционер шумит": ({"symptom": "noisy"}, None),
    "Не работает розетка у окна": ({"symptom": "wont_start", "room_temperature": 26.5}, None),
}


def _demo_photo(colour, title):
    # Not at the top: Pillow stays out of the web process (see images.py); only the demo seed draws.
    from PIL import Image, ImageDraw

    img = Image.new("RGB", (800, 600), colour)
    draw = ImageDraw.Draw(img)
    draw.rectangle((40, 40, 760, 560), outline=(255, 255, 255), width=6)
    draw.text((60, 60), title.encode("ascii", "replace").decode(), fill=(255, 255, 255))
    out = io.BytesIO()
    img.save(out, "JPEG", quality=85)
    return out.getvalue()


def _working_morning(days_ago, n):
    """A plausible submission time: a weekday morning in Almaty, ``days_ago`` days back (or the Friday before)."""
    tz = ZoneInfo(DEFAULT_TIMEZONE)
    day = datetime.now(tz).date() - timedelta(days=days_ago)
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    moment = datetime.combine(day, time(9, 30), tz) + timedelta(minutes=23 * n)
    return min(moment, datetime.now(tz))


def seed_requests():
    """A dozen requests across offices and statuses, some with photos (once)."""
    if db.session.scalar(sa.select(ServiceRequest.id).limit(1)) is not None:
        return ["exists  demo requests"]
    people = {role: db.session.scalar(sa.select(User).where(User.login == f"demo-{role}"))
              for role in ("employee", "admin", "manager")}
    lines = []
    for title, category, (lat, lon), priority, days_ago, path, colour in DEMO_REQUESTS:
        body = {"title": title, "category": category, "priority": priority, "description": "",
                "location": {"lat": lat, "lon": lon}}
        answers, unit_id = DEMO_ANSWERS.get(title, (None, None))
        if answers:
            body["fields"] = answers
        req, _ = intake.create_request(people["employee"], body)
        if unit_id:
            triage.apply_update(people["admin"], req, {"fields": {"unit_id": unit_id}})
            db.session.commit()
        if colour:
            attachments.upload(people["employee"], req.id, _demo_photo(colour, title))
        for who, status in path:
            comment = "Не наш профиль, обратитесь в арендодателя" if status == "rejected" else None
            lifecycle.change_status(people[who], db.session.get(ServiceRequest, req.id), status, comment,
                                    5 if status == "closed" else None)
            db.session.commit()
        req = db.session.get(ServiceRequest, req.id)
        shift = req.created_at - _working_morning(days_ago, req.id)
        for field in ("created_at", "first_response_at", "resolved_at", "closed_at", "paused_at"):
            if getattr(req, field) is not None:
                setattr(req, field, getattr(req, field) - shift)
        # Staff answered and fixed things over some hours, not in the same second.
        if req.first_response_at is not None:
            req.first_response_at = req.created_at + timedelta(minutes=40 + 45 * (req.id % 5))
        if req.resolved_at is not None:
            req.resolved_at = req.first_response_at + timedelta(hours=3 + 9 * (req.id % 4))
        req.paused_minutes = 0.0
        sla.set_due_times(req)
        if req.first_response_at is not None:
            sla.on_first_response(req)
        if req.resolved_at is not None:
            sla.on_resolved(req)
        for model in (RequestEvent, Comment, Attachment):
            for row in db.session.scalars(sa.select(model).where(model.request_id == req.id)):
                row.created_at -= shift
        db.session.commit()
        lines.append(f"created request {req.number} ({req.status}) {title}")
    return lines


DEMO_RULE = ("ALA-HQ", "FAC", ("demo-admin", "demo-manager"))


def seed_assignment_rule():
    """A round-robin rule for the headquarters' facilities requests, between the demo staff who cover it (once)."""
    code, department, logins = DEMO_RULE
    office = db.session.scalar(sa.select(Office).where(Office.code == code))
    if office is None:
        return []
    if db.session.scalar(sa.select(AssignmentRule.id).where(AssignmentRule.office_id == office.id,
                                                            AssignmentRule.department_code == department)):
        return [f"exists  assignment rule {code}/{department}"]
    staff = [db.session.scalar(sa.select(User).where(User.login == login)) for login in logins]
    staff = [user for user in staff if user is not None and access.covers(user, office.id, department)]
    if not staff:
        return []
    db.session.add(AssignmentRule(office_id=office.id, department_code=department, mode="round_robin", turns=0,
                                  members=[AssignmentPoolMember(user_id=user.id, position=n)
                                           for n, user in enumerate(staff)]))
    db.session.commit()
    return [f"created assignment rule {code}/{department}: round_robin between "
            f"{', '.join(user.login for user in staff)}"]


# --- demo saved views -------------------------------------------------------

# (owner, name, filters, sort, shared); offices by code, turned into ids when seeded.
DEMO_VIEWS = [
    ("admin", "Мои открытые", {"assignee_id": "me", "status": ["new", "in_progress", "waiting"]}, None, False),
    ("admin", "Срочные", {"priority": ["urgent", "high"], "resolved": "false"}, None, False),
    ("admin", "Новые в Алматы", {"status": "new", "office_id": ["ALA-HQ", "ALA-4B"]}, None, True),
    ("manager", "Open in my departments", {"status": ["new", "in_progress", "waiting"]}, None, False),
    ("manager", "Мои открытые", {"assignee_id": "me", "status": ["new", "in_progress", "waiting"]}, None, False),
]


def seed_views():
    """A few saved views of demo-admin (one shared) and demo-manager, once each (by owner and name).
    A view whose filters the request list does not take is left out, with a line saying so."""
    from offices.models import Office

    from .staff.models import SavedView
    from .staff.views import load_args

    offices = dict(db.session.execute(sa.select(Office.code, Office.id)).all())
    lines = []
    for who, name, filters, sort, shared in DEMO_VIEWS:
        owner = db.session.scalar(sa.select(User).where(User.login == f"demo-{who}"))
        if owner is None:
            continue
        if db.session.scalar(sa.select(SavedView.id).where(SavedView.owner_id == owner.id,
                                                           SavedView.name == name)) is not None:
            lines.append(f"exists  view {name!r} of demo-{who}")
            continue
        if "office_id" in filters:
            filters = {**filters, "office_id": [str(offices[code]) for code in filters["office_id"] if code in offices]}
        try:
            load_args(filters, sort)
        except ApiError as exc:
            lines.append(f"skipped view {name!r}: {exc.message}")
            continue
        db.session.add(SavedView(owner=owner, name=name, filters=filters, sort=sort, shared=shared))
        lines.append(f"created view {name!r} of demo-{who}{' (shared)' if shared else ''}")
    db.session.commit()
    return lines


# --- demo canned replies ----------------------------------------------------

DEMO_REPLIES = [
    # (title, body, internal, actions, shared)
    ({"ru": "Взяли в работу", "kk": "Жұмысқа алынды", "en": "Taken on"},
     {"ru": "{author_name}, здравствуйте! Заявка {number} «{title}» взята в работу, офис {office}.",
      "kk": "{author_name}, сәлеметсіз бе! {number} «{title}» өтінімі жұмысқа алынды, {office} кеңсесі.",
      "en": "Hello {author_name}, request {number} “{title}” is being worked on at the {office} office."},
     False, {"status": "in_progress", "assign_to_me": True}, True),
    ({"ru": "Выполнено", "kk": "Орындалды", "en": "Resolved"},
     {"ru": "Заявка {number} выполнена. Проверьте, пожалуйста, и закройте её.",
      "kk": "{number} өтінімі орындалды. Тексеріп, жабыңыз.",
      "en": "Request {number} is resolved. Please check and close it."},
     False, {"status": "resolved"}, True),
    ({"ru": "Нужны подробности", "kk": "Толығырақ керек", "en": "Need details"},
     {"ru": "Уточните, пожалуйста, где именно и с какого времени это происходит.",
      "kk": "Нақты қай жерде және қашаннан бері болып жатқанын нақтылаңызшы.",
      "en": "Please tell us where exactly this happens and since when."},
     False, {"status": "waiting"}, False),
]


def seed_replies():
    """A few canned replies of the demo administrator, two of them shared (each once, by its title)."""
    admin = db.session.scalar(sa.select(User).where(User.login == "demo-admin"))
    if admin is None:
        return []
    have = [reply.title for reply in db.session.scalars(sa.select(Reply).where(Reply.owner_id == admin.id))]
    lines = []
    for title, body, internal, actions, shared in DEMO_REPLIES:
        if title in have:
            lines.append(f"exists  reply {title['en']}")
            continue
        db.session.add(Reply(owner_id=admin.id, title=title, body=body, internal=internal, actions=actions,
                             shared=shared))
        lines.append(f"created reply {title['en']}")
    db.session.commit()
    return lines


DEMO_NOTICE = ("ALA-HQ", {"ru": "Не работает лифт в блоке Б", "kk": "Б блогындағы лифт істемейді",
                          "en": "The lift in block B is out of order"},
               {"ru": "Мастер уже вызван. Пожалуйста, пользуйтесь лестницей или лифтом блока А.",
                "kk": "Шебер шақырылды. Баспалдақты немесе А блогының лифтін пайдаланыңыз.",
                "en": "A technician is on the way. Please use the stairs or the lift in block A."})


def seed_notice():
    """An active notice of the demo head office, for three days, followed by demo-employee (once, by its title)."""
    code, title, body = DEMO_NOTICE
    office = db.session.scalar(sa.select(Office).where(Office.code == code))
    if office is None:
        return []
    notice = next((n for n in db.session.scalars(sa.select(Notice).where(Notice.office_id == office.id))
                   if n.title == title), None)
    if notice is not None:
        return [f"exists  notice {title['en']!r}"]
    admin = db.session.scalar(sa.select(User).where(User.login == "demo-admin"))
    notice = Notice(office_id=office.id, title=title, body=body, created_by_id=admin.id if admin else None,
                    until=utcnow() + timedelta(days=3))
    db.session.add(notice)
    db.session.flush()
    employee = db.session.scalar(sa.select(User).where(User.login == "demo-employee"))
    if employee is not None:
        db.session.add(NoticeFollow(notice_id=notice.id, user_id=employee.id))
    db.session.commit()
    return [f"created notice {title['en']!r} of {code}, followed by demo-employee"]


# --- a pair of duplicates ---------------------------------------------------

# (author, title): the first is kept, the second is merged into it, so its author follows the first.
DEMO_DUPLICATES = (("manager", "Не работает кондиционер на 3 этаже"),
                   ("employee", "Кондиционер на третьем этаже не охлаждает"))
DEMO_DUPLICATE_POINT = {"lat": 43.2205, "lon": 76.9298}


def seed_duplicates():
    """Two air-conditioning requests about the same unit at the headquarters, the employee's merged
    into the manager's by the administrator: demo-employee follows the kept one (once)."""
    if db.session.scalar(sa.select(ServiceRequest.id).where(ServiceRequest.status == "duplicate").limit(1)):
        return ["exists  demo duplicates"]
    people = {role: db.session.scalar(sa.select(User).where(User.login == f"demo-{role}"))
              for role in ("employee", "admin", "manager")}
    if None in people.values():
        return []
    made = [intake.create_request(people[who], {"title": title, "category": "FAC-AC", "priority": "normal",
                                                "description": "", "location": DEMO_DUPLICATE_POINT,
                                                "fields": {"symptom": "not_cooling"}})[0].id
            for who, title in DEMO_DUPLICATES]
    try:
        target = merging.merge(people["admin"], made[1], made[0])
    except ApiError as exc:  # the demo administrator's scope does not cover the office
        db.session.rollback()
        return [f"skipped demo duplicates: {exc.message}"]
    return [f"created requests {ServiceRequest.number_of(made[1])} merged into {target.number}"]
