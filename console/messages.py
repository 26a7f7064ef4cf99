"""The console's words in ru, kk and en.

Each page module registers its own texts (``register``) next to its views; this
module holds the shared ones (navigation, sign-in, errors). Every key has all
three languages (tests/console/test_messages.py checks it, and that every key a
template or view asks for exists). ``{name}`` placeholders are filled by ``text``.
"""
from service_app.vocabulary import DEFAULT_LANGUAGE

CATALOGUE = {}


def register(texts):
    """Add a page's texts: ``{key: {"ru": ..., "kk": ..., "en": ...}}``; a key is registered once."""
    for key, languages in texts.items():
        if key in CATALOGUE and CATALOGUE[key] != languages:
            raise ValueError(f"console text {key!r} registered twice")
        CATALOGUE[key] = languages


def text(key, language=DEFAULT_LANGUAGE, **values):
    entry = CATALOGUE.get(key)
    if entry is None:
        return key
    value = entry.get(language) or entry["en"]
    return value.format(**values) if values else value


register({
    "app.title": {"en": "Santrade Service console", "ru": "Консоль Santrade Service",
                  "kk": "Santrade Service консолі"},
    "nav.queue": {"en": "Queue", "ru": "Очередь", "kk": "Кезек"},
    "nav.dashboard": {"en": "Dashboard", "ru": "Сводка", "kk": "Жиынтық"},
    "nav.map": {"en": "Offices map", "ru": "Карта офисов", "kk": "Кеңселер картасы"},
    "nav.rooms": {"en": "Rooms and QR", "ru": "Помещения и QR", "kk": "Бөлмелер және QR"},
    "nav.notices": {"en": "Notices", "ru": "Объявления", "kk": "Хабарландырулар"},
    "nav.users": {"en": "Users", "ru": "Пользователи", "kk": "Пайдаланушылар"},
    "nav.categories": {"en": "Categories", "ru": "Категории", "kk": "Санаттар"},
    "nav.sla": {"en": "SLA targets", "ru": "Цели SLA", "kk": "SLA мақсаттары"},
    "nav.rules": {"en": "Assignment rules", "ru": "Правила назначения", "kk": "Тағайындау ережелері"},
    "nav.skip": {"en": "Skip to content", "ru": "Перейти к содержимому", "kk": "Мазмұнға өту"},
    "nav.main": {"en": "Main menu", "ru": "Главное меню", "kk": "Басты мәзір"},
    "sign_in.title": {"en": "Sign in", "ru": "Вход", "kk": "Кіру"},
    "sign_in.login": {"en": "Login", "ru": "Логин", "kk": "Логин"},
    "sign_in.password": {"en": "Password", "ru": "Пароль", "kk": "Құпиясөз"},
    "sign_in.submit": {"en": "Sign in", "ru": "Войти", "kk": "Кіру"},
    "sign_in.failed": {"en": "Wrong login or password.", "ru": "Неверный логин или пароль.",
                       "kk": "Логин немесе құпиясөз қате."},
    "sign_in.employee": {"en": "The console is for administrators and managers. Please use the Santrade Service app.",
                         "ru": "Консоль — для администраторов и руководителей. Пожалуйста, пользуйтесь приложением Santrade Service.",
                         "kk": "Консоль әкімшілер мен басшыларға арналған. Santrade Service қосымшасын пайдаланыңыз."},
    "sign_in.ended": {"en": "Your session has ended. Please sign in again.",
                      "ru": "Сеанс завершён. Войдите снова.", "kk": "Сеанс аяқталды. Қайта кіріңіз."},
    "sign_out": {"en": "Sign out", "ru": "Выйти", "kk": "Шығу"},
    "language": {"en": "Language", "ru": "Язык", "kk": "Тіл"},
    # Each language by its own name, whatever the page's language.
    "language.ru": {"en": "Русский", "ru": "Русский", "kk": "Русский"},
    "language.kk": {"en": "Қазақша", "ru": "Қазақша", "kk": "Қазақша"},
    "language.en": {"en": "English", "ru": "English", "kk": "English"},
    "language.apply": {"en": "Apply", "ru": "Применить", "kk": "Қолдану"},
    "signed_in_as": {"en": "Signed in as {name}", "ru": "Вы вошли как {name}", "kk": "Сіз {name} ретінде кірдіңіз"},
    "error.title": {"en": "Something is not right", "ru": "Что-то не так", "kk": "Бірдеңе дұрыс емес"},
    "error.back": {"en": "Back", "ru": "Назад", "kk": "Артқа"},
    "error.csrf": {"en": "This form has expired. Reload the page and try again.",
                   "ru": "Форма устарела. Обновите страницу и попробуйте снова.",
                   "kk": "Пішін ескірді. Бетті жаңартып, қайталап көріңіз."},
    "error.rate_limited": {"en": "Too many attempts. Wait a few minutes and try again.",
                           "ru": "Слишком много попыток. Подождите несколько минут.",
                           "kk": "Әрекет тым көп. Бірнеше минут күтіңіз."},
    "saved": {"en": "Saved.", "ru": "Сохранено.", "kk": "Сақталды."},
    "not_saved": {"en": "Not saved: check the fields.", "ru": "Не сохранено: проверьте поля.",
                  "kk": "Сақталмады: өрістерді тексеріңіз."},
    "save": {"en": "Save", "ru": "Сохранить", "kk": "Сақтау"},
    "cancel": {"en": "Cancel", "ru": "Отмена", "kk": "Болдырмау"},
    "delete": {"en": "Delete", "ru": "Удалить", "kk": "Жою"},
    "create": {"en": "Create", "ru": "Создать", "kk": "Құру"},
    "edit": {"en": "Edit", "ru": "Изменить", "kk": "Өзгерту"},
    "none": {"en": "—", "ru": "—", "kk": "—"},
    "home.title": {"en": "Console", "ru": "Консоль", "kk": "Консоль"},
})
