"""The error message catalogue: every English message the API writes, in ru and kk.

Keys are English templates: ``{name}`` stands for a value kept as it is (a field, a
code, a number), except ``{message}``, ``{reason}`` and ``{problem}``, which hold a
message translated in turn (``service_app.i18n``). A message ``<field>: <message>``
needs only its ``<message>`` here. A new English message needs its entry here too:
``tests/service_app/test_error_languages.py`` finds the ones without.
"""
from werkzeug.exceptions import default_exceptions

# --- the service's own messages ------------------------------------------------------

SERVICE = {
    # Signing in and tokens.
    "wrong login or password": {
        "ru": "неверный логин или пароль", "kk": "логин немесе құпиясөз қате"},
    "the code is wrong, used or expired": {
        "ru": "код неверный, уже использован или истёк", "kk": "код қате, пайдаланылған немесе мерзімі өткен"},
    "the SMS service is unavailable, retry later": {
        "ru": "SMS-сервис недоступен, повторите позже", "kk": "SMS қызметі қолжетімсіз, кейінірек қайталаңыз"},
    "this refresh token has already been used": {
        "ru": "этот refresh-токен уже использован", "kk": "бұл refresh-токен бұрын пайдаланылған"},
    "the token is not valid: {reason}": {
        "ru": "токен недействителен: {reason}", "kk": "токен жарамсыз: {reason}"},
    "a bearer token is required": {
        "ru": "нужен токен (Authorization: Bearer)", "kk": "токен қажет (Authorization: Bearer)"},
    "the token has expired": {
        "ru": "срок действия токена истёк", "kk": "токеннің мерзімі өтті"},
    "the token has been revoked": {
        "ru": "токен отозван", "kk": "токен кері қайтарылды"},
    "the account behind this token is not active": {
        "ru": "учётная запись этого токена не активна", "kk": "бұл токеннің есептік жазбасы белсенді емес"},
    "a fresh token is required": {
        "ru": "нужен свежий токен", "kk": "жаңа токен қажет"},
    # Why PyJWT and flask-jwt-extended refuse a token (the {reason} above).
    "Signature verification failed": {
        "ru": "подпись не прошла проверку", "kk": "қолтаңба тексеруден өтпеді"},
    "Not enough segments": {
        "ru": "не хватает частей токена", "kk": "токен бөліктері жеткіліксіз"},
    "Invalid header padding": {
        "ru": "неверный заголовок токена", "kk": "токен тақырыбы қате"},
    "Invalid header string: {detail}": {
        "ru": "неверный заголовок токена: {detail}", "kk": "токен тақырыбы қате: {detail}"},
    "Invalid payload padding": {
        "ru": "неверное содержимое токена", "kk": "токен мазмұны қате"},
    "Invalid payload string: {detail}": {
        "ru": "неверное содержимое токена: {detail}", "kk": "токен мазмұны қате: {detail}"},
    "Invalid crypto padding": {
        "ru": "неверная подпись токена", "kk": "токен қолтаңбасы қате"},
    "The specified alg value is not allowed": {
        "ru": "алгоритм подписи не разрешён", "kk": "қолтаңба алгоритміне рұқсат жоқ"},
    "Only non-refresh tokens are allowed": {
        "ru": "допускаются только access-токены", "kk": "тек access-токендерге рұқсат етіледі"},
    "Only refresh tokens are allowed": {
        "ru": "допускаются только refresh-токены", "kk": "тек refresh-токендерге рұқсат етіледі"},
    "Token is missing the \"{claim}\" claim": {
        "ru": "в токене нет поля \"{claim}\"", "kk": "токенде \"{claim}\" өрісі жоқ"},
    "Missing claim: {claim}": {
        "ru": "в токене нет поля {claim}", "kk": "токенде {claim} өрісі жоқ"},
    "Bad {header} header. Expected value '{expected}'": {
        "ru": "неверный заголовок {header}, ожидается '{expected}'",
        "kk": "{header} тақырыбы қате, күтілген мән '{expected}'"},
    # Who may do what.
    "your role may not do this": {
        "ru": "вашей роли это не разрешено", "kk": "сіздің рөліңізге бұған рұқсат жоқ"},
    "only a company-wide administrator may do this": {
        "ru": "это может только администратор всей компании", "kk": "мұны тек бүкіл компанияның әкімшісі жасай алады"},
    "only a company-wide administrator may create staff accounts or scopes": {
        "ru": "учётные записи персонала и области доступа создаёт только администратор всей компании",
        "kk": "қызметкерлер есептік жазбалары мен қол жеткізу аясын тек бүкіл компанияның әкімшісі жасайды"},
    "you may create accounts only in your offices": {
        "ru": "вы можете создавать учётные записи только в своих офисах",
        "kk": "есептік жазбаларды тек өз кеңселеріңізде жасай аласыз"},
    "outside your office scope": {
        "ru": "вне ваших офисов", "kk": "сіздің кеңселеріңізден тыс"},
    "only a company-wide administrator may change {fields}": {
        "ru": "изменять {fields} может только администратор всей компании",
        "kk": "{fields} өрісін тек бүкіл компанияның әкімшісі өзгерте алады"},
    "company-wide administrators only": {
        "ru": "только администраторы всей компании", "kk": "тек бүкіл компанияның әкімшілері"},
    "you may edit only employee accounts of your offices": {
        "ru": "вы можете изменять только учётные записи сотрудников своих офисов",
        "kk": "тек өз кеңселеріңіздің қызметкерлерінің есептік жазбаларын өзгерте аласыз"},
    "you may move accounts only between your offices": {
        "ru": "переносить учётные записи можно только между своими офисами",
        "kk": "есептік жазбаларды тек өз кеңселеріңіздің арасында ауыстыра аласыз"},
    "you cannot deactivate your own account or change your own role": {
        "ru": "нельзя деактивировать свою учётную запись или менять свою роль",
        "kk": "өз есептік жазбаңызды өшіруге немесе өз рөліңізді өзгертуге болмайды"},
    "only staff responsible for this request may do this": {
        "ru": "это могут только сотрудники, ответственные за эту заявку",
        "kk": "мұны тек осы өтінімге жауапты қызметкерлер жасай алады"},
    "only staff responsible for this request may change {fields}": {
        "ru": "изменять {fields} могут только сотрудники, ответственные за эту заявку",
        "kk": "{fields} өрісін тек осы өтінімге жауапты қызметкерлер өзгерте алады"},
    "only staff responsible for this request may {action}": {
        "ru": "только сотрудники, ответственные за эту заявку, могут: {action}",
        "kk": "тек осы өтінімге жауапты қызметкерлер ғана: {action}"},
    "only the author may change the title and description": {
        "ru": "менять название и описание может только автор", "kk": "атауы мен сипаттамасын тек авторы өзгерте алады"},
    "only staff may write internal notes": {
        "ru": "внутренние заметки могут писать только сотрудники", "kk": "ішкі жазбаларды тек қызметкерлер жаза алады"},
    "only the author and responsible staff may attach photos": {
        "ru": "прикреплять фото могут только автор и ответственные сотрудники",
        "kk": "фотоны тек авторы мен жауапты қызметкерлер тіркей алады"},
    "no such office in your scope": {
        "ru": "в ваших офисах такого офиса нет", "kk": "сіздің аяңызда мұндай кеңсе жоқ"},
    # Not found.
    "not found": {"ru": "не найдено", "kk": "табылмады"},
    "no such user": {"ru": "нет такого пользователя", "kk": "мұндай пайдаланушы жоқ"},
    "no such office": {"ru": "нет такого офиса", "kk": "мұндай кеңсе жоқ"},
    "no such department": {"ru": "нет такого отдела", "kk": "мұндай бөлім жоқ"},
    # Assignment rules and availability.
    "your scope does not cover this office and department": {
        "ru": "ваша область не охватывает этот офис и отдел", "kk": "сіздің аймағыңыз бұл кеңсе мен бөлімді қамтымайды"},
    "user {user_id} is listed twice": {
        "ru": "пользователь {user_id} указан дважды", "kk": "{user_id} пайдаланушысы екі рет көрсетілген"},
    "{mode} needs at least one member": {
        "ru": "для {mode} нужен хотя бы один участник", "kk": "{mode} үшін кемінде бір қатысушы қажет"},
    "{name} is not active staff covering this office and department": {
        "ru": "{name}: не активный сотрудник, отвечающий за этот офис и отдел",
        "kk": "{name}: бұл кеңсе мен бөлімге жауапты белсенді қызметкер емес"},
    "only an absence (available: false) has an end": {
        "ru": "окончание указывается только для отсутствия (available: false)",
        "kk": "аяқталу уақыты тек болмау үшін көрсетіледі (available: false)"},
    "must be in the future": {"ru": "должно быть в будущем", "kk": "болашақта болуы керек"},
    "no such category": {"ru": "нет такой категории", "kk": "мұндай санат жоқ"},
    "no such request": {"ru": "нет такой заявки", "kk": "мұндай өтінім жоқ"},
    "no such attachment": {"ru": "нет такого вложения", "kk": "мұндай тіркеме жоқ"},
    "no such notification": {"ru": "нет такого уведомления", "kk": "мұндай хабарландыру жоқ"},
    "no such active office": {"ru": "нет такого активного офиса", "kk": "мұндай белсенді кеңсе жоқ"},
    "no privacy policy is configured": {
        "ru": "политика конфиденциальности не настроена", "kk": "құпиялылық саясаты бапталмаған"},
    "no section {name}; use one of {choices}": {
        "ru": "нет раздела {name}; используйте один из: {choices}",
        "kk": "{name} бөлімі жоқ; мыналардың бірін қолданыңыз: {choices}"},
    "no priority {name}; use one of {choices}": {
        "ru": "нет приоритета {name}; используйте один из: {choices}",
        "kk": "{name} басымдығы жоқ; мыналардың бірін қолданыңыз: {choices}"},
    "the photo is no longer stored": {"ru": "фото больше не хранится", "kk": "фото енді сақталмайды"},
    # Conflicts and states.
    "already taken": {"ru": "уже занято", "kk": "бұрыннан пайдаланылуда"},
    "the change conflicts with existing data": {
        "ru": "изменение противоречит существующим данным", "kk": "өзгеріс бар деректерге қайшы келеді"},
    "the office has {uses}; deactivate it with is_active: false instead": {
        "ru": "у офиса есть {uses}; вместо удаления деактивируйте его (is_active: false)",
        "kk": "кеңседе {uses} бар; оның орнына оны өшіріңіз (is_active: false)"},
    "the room has {uses}; it cannot be deleted, but its QR tag can be replaced": {
        "ru": "у помещения есть {uses}; его нельзя удалить, но можно заменить его QR-метку",
        "kk": "бөлмеде {uses} бар; оны жоюға болмайды, бірақ оның QR-белгісін ауыстыруға болады"},
    "no such room": {"ru": "нет такого помещения", "kk": "мұндай бөлме жоқ"},
    "no such room in this office": {"ru": "в этом офисе нет такого помещения", "kk": "бұл кеңседе мұндай бөлме жоқ"},
    "no such QR tag": {"ru": "нет такой QR-метки", "kk": "мұндай QR-белгі жоқ"},
    "this office already has a room with this code": {
        "ru": "в этом офисе уже есть помещение с таким кодом", "kk": "бұл кеңседе осындай коды бар бөлме бұрыннан бар"},
    "already used in this office": {"ru": "уже используется в этом офисе", "kk": "бұл кеңседе бұрыннан пайдаланылуда"},
    "the QR tag belongs to another office; send one of them, or the tag's office": {
        "ru": "QR-метка относится к другому офису; отправьте что-то одно или офис метки",
        "kk": "QR-белгі басқа кеңсеге тиесілі; біреуін ғана немесе белгінің кеңсесін жіберіңіз"},
    "cannot move from {status} to {target}; allowed: {allowed}": {
        "ru": "нельзя перевести из {status} в {target}; можно: {allowed}",
        "kk": "{status} күйінен {target} күйіне ауыстыруға болмайды; рұқсат етілгені: {allowed}"},
    "followers may read the conversation but not write in it": {
        "ru": "подписчики могут читать переписку, но не писать в ней",
        "kk": "жазылушылар хат алмасуды оқи алады, бірақ жаза алмайды"},
    "a request cannot be merged into itself": {
        "ru": "заявку нельзя объединить с ней самой", "kk": "өтінімді өзімен біріктіруге болмайды"},
    "this request was already merged into {number}": {
        "ru": "эта заявка уже объединена с {number}", "kk": "бұл өтінім {number} өтінімімен біріктіріліп қойған"},
    "the target was merged into {number}; merge into that request instead": {
        "ru": "целевая заявка объединена с {number}; объединяйте с ней",
        "kk": "мақсатты өтінім {number} өтінімімен біріктірілген; соған біріктіріңіз"},
    "the target is {status}; merge into a request that is not final": {
        "ru": "целевая заявка в статусе {status}; объединяйте с незавершённой заявкой",
        "kk": "мақсатты өтінім {status} мәртебесінде; аяқталмаған өтініммен біріктіріңіз"},
    "this request is {status}; only a request that is not final can be merged": {
        "ru": "эта заявка в статусе {status}; объединить можно только незавершённую заявку",
        "kk": "бұл өтінім {status} мәртебесінде; тек аяқталмаған өтінімді біріктіруге болады"},
    "give both lat and lon, or neither": {
        "ru": "укажите и lat, и lon, или ни одного", "kk": "lat пен lon екеуін де көрсетіңіз немесе ешқайсысын"},
    "the request is {status}": {"ru": "заявка в статусе {status}", "kk": "өтінім {status} мәртебесінде"},
    "the request is {status}; no more photos": {
        "ru": "заявка в статусе {status}; фото больше не добавить",
        "kk": "өтінім {status} мәртебесінде; енді фото қосуға болмайды"},
    "the request is {status}; comments are closed": {
        "ru": "заявка в статусе {status}; комментарии закрыты", "kk": "өтінім {status} мәртебесінде; пікірлер жабық"},
    "title and description can be changed only while the request is new": {
        "ru": "название и описание можно менять, только пока заявка новая",
        "kk": "атауы мен сипаттамасын өтінім жаңа кезде ғана өзгертуге болады"},
    "the request changed since you read it; reload it": {
        "ru": "заявка изменилась после того, как вы её прочитали; загрузите её заново",
        "kk": "өтінім сіз оқығаннан кейін өзгерді; оны қайта жүктеңіз"},
    "send If-Match with the request's ETag": {
        "ru": "передайте If-Match с ETag заявки", "kk": "If-Match тақырыбын өтінімнің ETag мәнімен жіберіңіз"},
    "this Idempotency-Key was already used with a different body": {
        "ru": "этот Idempotency-Key уже использован с другим телом запроса",
        "kk": "бұл Idempotency-Key басқа сұрау денесімен пайдаланылған"},
    "a request holds at most {limit} photos": {
        "ru": "у заявки может быть не больше {limit} фото", "kk": "өтінімде ең көбі {limit} фото болады"},
    # Dependencies down, limits, server errors.
    "the database is unavailable, retry later": {
        "ru": "база данных недоступна, повторите позже", "kk": "дерекқор қолжетімсіз, кейінірек қайталаңыз"},
    "the database is busy, retry later": {
        "ru": "база данных перегружена, повторите позже", "kk": "дерекқор бос емес, кейінірек қайталаңыз"},
    "the database does not answer": {"ru": "база данных не отвечает", "kk": "дерекқор жауап бермейді"},
    "photo storage is unavailable, retry later": {
        "ru": "хранилище фото недоступно, повторите позже", "kk": "фото қоймасы қолжетімсіз, кейінірек қайталаңыз"},
    "photo processing is unavailable, retry later": {
        "ru": "обработка фото недоступна, повторите позже", "kk": "фото өңдеу қолжетімсіз, кейінірек қайталаңыз"},
    "the upload took too long, retry": {
        "ru": "загрузка заняла слишком много времени, повторите", "kk": "жүктеу тым ұзаққа созылды, қайталаңыз"},
    "internal error": {"ru": "внутренняя ошибка", "kk": "ішкі қате"},
    "a value is out of range or too long for the field": {
        "ru": "значение вне допустимого диапазона или слишком длинное для поля",
        "kk": "мән рұқсат етілген ауқымнан тыс немесе өріс үшін тым ұзын"},
    "the body is larger than the limit": {
        "ru": "тело запроса больше допустимого", "kk": "сұрау денесі шектен үлкен"},
    "the body is not valid JSON": {
        "ru": "тело запроса не является корректным JSON", "kk": "сұрау денесі дұрыс JSON емес"},
    "method not allowed on this path": {
        "ru": "этот метод не разрешён для этого пути", "kk": "бұл жолда бұл әдіске рұқсат жоқ"},
    "too many attempts, retry later ({limit})": {
        "ru": "слишком много попыток, повторите позже ({limit})", "kk": "әрекет тым көп, кейінірек қайталаңыз ({limit})"},
    "invalid input": {"ru": "неверные данные", "kk": "деректер қате"},
    # What gunicorn refuses (service_app.gunicorn_errors).
    "the request is malformed": {"ru": "запрос составлен неверно", "kk": "сұрау дұрыс құрылмаған"},
    "the request is refused": {"ru": "запрос отклонён", "kk": "сұрау қабылданбады"},
    "the request line is longer than the limit": {
        "ru": "строка запроса длиннее допустимого", "kk": "сұрау жолы шектен ұзын"},
    "the Expect header is not supported": {
        "ru": "заголовок Expect не поддерживается", "kk": "Expect тақырыбына қолдау көрсетілмейді"},
    "the request headers are larger than the limit": {
        "ru": "заголовки запроса больше допустимого", "kk": "сұрау тақырыптары шектен үлкен"},
    "the transfer coding is not supported": {
        "ru": "кодирование передачи не поддерживается", "kk": "тасымалдау кодтауына қолдау көрсетілмейді"},
    # Fields and values (service_app.fields, schemas, services).
    "required": {"ru": "обязательно", "kk": "міндетті"},
    "must not be blank": {"ru": "не должно быть пустым", "kk": "бос болмауы керек"},
    "must not contain the NUL character": {"ru": "не должно содержать символ NUL", "kk": "NUL таңбасы болмауы керек"},
    "must be valid Unicode text (a lone surrogate such as \\ud800 is not)": {
        "ru": "должно быть корректным текстом Unicode (одиночный суррогат, например \\ud800, недопустим)",
        "kk": "дұрыс Unicode мәтіні болуы керек (\\ud800 сияқты жалғыз суррогатқа болмайды)"},
    "1-200 characters": {"ru": "1–200 символов", "kk": "1–200 таңба"},
    "1-{max} characters": {"ru": "1–{max} символов", "kk": "1–{max} таңба"},
    "a string, or an object with ru, kk and/or en strings (1-{max} characters)": {
        "ru": "строка или объект со строками ru, kk и/или en (1–{max} символов)",
        "kk": "жол немесе ru, kk және/немесе en жолдары бар объект (1–{max} таңба)"},
    "a string, or an object with ru, kk and/or en strings (1-200 characters)": {
        "ru": "строка или объект со строками ru, kk и/или en (1–200 символов)",
        "kk": "жол немесе ru, kk және/немесе en жолдары бар объект (1–200 таңба)"},
    "{min}-{max} characters": {"ru": "{min}–{max} символов", "kk": "{min}–{max} таңба"},
    "a string, or an object with ru, kk and/or en strings ({min}-{max} characters)": {
        "ru": "строка или объект со строками ru, kk и/или en ({min}–{max} символов)",
        "kk": "жол немесе ru, kk және/немесе en жолдары бар объект ({min}–{max} таңба)"},
    "must be between the years {min} and {max}": {
        "ru": "год должен быть от {min} до {max}", "kk": "жыл {min} мен {max} аралығында болуы керек"},
    "3-64 characters: letters, digits, '.', '_' or '-'": {
        "ru": "3–64 символа: латинские буквы, цифры, '.', '_' или '-'",
        "kk": "3–64 таңба: латын әріптері, цифрлар, '.', '_' немесе '-'"},
    "a phone number in international form, e.g. +77011234567": {
        "ru": "номер телефона в международном формате, например +77011234567",
        "kk": "халықаралық форматтағы телефон нөмірі, мысалы +77011234567"},
    "shorter than {min} characters": {"ru": "короче {min} символов", "kk": "{min} таңбадан қысқа"},
    "longer than {max} characters": {"ru": "длиннее {max} символов", "kk": "{max} таңбадан ұзын"},
    "does not match": {"ru": "не совпадает", "kk": "сәйкес келмейді"},
    "1-32 letters, digits, '_' or '-'": {
        "ru": "1–32 символа: латинские буквы, цифры, '_' или '-'",
        "kk": "1–32 таңба: латын әріптері, цифрлар, '_' немесе '-'"},
    "6 digits": {"ru": "6 цифр", "kk": "6 цифр"},
    "not a push token (letters, digits, '_', ':', '.', '-')": {
        "ru": "не push-токен (буквы, цифры, '_', ':', '.', '-')",
        "kk": "push-токен емес (әріптер, цифрлар, '_', ':', '.', '-')"},
    "one of {choices}": {"ru": "одно из: {choices}", "kk": "мыналардың бірі: {choices}"},
    "not a cursor returned by this list": {
        "ru": "это не курсор, выданный этим списком", "kk": "бұл тізім берген курсор емес"},
    "invalid cursor": {"ru": "неверный курсор", "kk": "курсор қате"},
    "made for another sort order; start again without it": {
        "ru": "курсор выдан для другой сортировки: начните сначала без него",
        "kk": "курсор басқа сұрыптау үшін берілген: оны қоспай басынан бастаңыз"},
    "made for another sort order": {
        "ru": "курсор выдан для другой сортировки", "kk": "курсор басқа сұрыптау үшін берілген"},
    "a user id, me or none": {"ru": "id пользователя, me или none", "kk": "пайдаланушы id-і, me немесе none"},
    "this app version is too old; update to {needed} or later": {
        "ru": "эта версия приложения устарела: обновите до {needed} или новее",
        "kk": "қолданбаның бұл нұсқасы ескірген: {needed} немесе жаңасына жаңартыңыз"},
    "a version such as 2.4.1 (up to four numbers, an optional -label or +build)": {
        "ru": "версия вида 2.4.1 (до четырёх чисел, необязательные -метка или +сборка)",
        "kk": "2.4.1 сияқты нұсқа (төрт санға дейін, қосымша -белгі немесе +құрастыру)"},
    "this refresh token was already used; the session has ended, sign in again": {
        "ru": "этот токен обновления уже использован; сеанс завершён, войдите снова",
        "kk": "бұл жаңарту токені бұрын пайдаланылған; сеанс аяқталды, қайта кіріңіз"},
    "the session has ended": {"ru": "сеанс завершён", "kk": "сеанс аяқталды"},
    "the request body stopped arriving": {
        "ru": "тело запроса перестало поступать", "kk": "сұрау денесі келуін тоқтатты"},
    "only the author and responsible staff may remove photos": {
        "ru": "удалять фото могут только автор и ответственные сотрудники",
        "kk": "фотоны тек автор мен жауапты қызметкерлер ғана өшіре алады"},
    "the request is {status}; its author may remove photos only while it is new": {
        "ru": "заявка в статусе {status}; автор может удалять фото, только пока она новая",
        "kk": "өтінім {status} мәртебесінде; автор фотоны өтінім жаңа болғанда ғана өшіре алады"},
    "not a cursor returned by sync": {
        "ru": "это не курсор, выданный синхронизацией", "kk": "бұл синхрондау берген курсор емес"},
    "this sync cursor has expired: sync again without a cursor": {
        "ru": "курсор синхронизации устарел: синхронизируйтесь заново без курсора",
        "kk": "синхрондау курсорының мерзімі өтті: курсорсыз қайта синхрондаңыз"},
    "reply not found": {"ru": "шаблон ответа не найден", "kk": "жауап үлгісі табылмады"},
    "only administrators manage shared replies": {
        "ru": "общими шаблонами ответов управляют только администраторы",
        "kk": "ортақ жауап үлгілерін тек әкімшілер басқарады"},
    "each id at most once": {"ru": "каждый id не более одного раза", "kk": "әр id бір реттен артық емес"},
    "required for the action {action}": {"ru": "обязательно для действия {action}",
                                         "kk": "{action} әрекеті үшін міндетті"},
    "longer than {limit} characters once filled in": {
        "ru": "длиннее {limit} символов после подстановки", "kk": "толтырылғаннан кейін {limit} таңбадан ұзын"},
    "this filter takes one value": {"ru": "этот фильтр принимает одно значение", "kk": "бұл сүзгі бір мән қабылдайды"},
    "only for the action comment": {"ru": "только для действия comment", "kk": "тек comment әрекеті үшін"},
    "1-200 printable ASCII characters": {
        "ru": "1–200 печатных символов ASCII", "kk": "1–200 басылатын ASCII таңбасы"},
    "nothing to change": {"ru": "нечего менять", "kk": "өзгертетін ештеңе жоқ"},
    "no office with id {ids}": {"ru": "нет офиса с id {ids}", "kk": "id {ids} кеңсесі жоқ"},
    "no active office with id {ids}": {"ru": "нет активного офиса с id {ids}", "kk": "id {ids} белсенді кеңсесі жоқ"},
    "no department {codes}": {"ru": "нет отдела {codes}", "kk": "{codes} бөлімі жоқ"},
    "unknown or inactive category {code}": {
        "ru": "неизвестная или неактивная категория {code}", "kk": "белгісіз немесе белсенді емес санат {code}"},
    "unknown or inactive category": {
        "ru": "неизвестная или неактивная категория", "kk": "белгісіз немесе белсенді емес санат"},
    "must be an active administrator or manager whose scope covers this request's office and department": {
        "ru": "нужен активный администратор или менеджер, чья область охватывает офис и отдел этой заявки",
        "kk": "аясы осы өтінімнің кеңсесі мен бөлімін қамтитын белсенді әкімші немесе менеджер болуы керек"},
    "not staff responsible for this request": {
        "ru": "не сотрудник, ответственный за эту заявку", "kk": "бұл өтінімге жауапты қызметкер емес"},
    "a rejection needs a comment": {"ru": "для отклонения нужен комментарий", "kk": "қабылдамау үшін пікір қажет"},
    "required when rejecting": {"ru": "обязателен при отклонении", "kk": "қабылдамаған кезде міндетті"},
    "only when the author closes a resolved request": {
        "ru": "только когда автор закрывает выполненную заявку", "kk": "тек авторы орындалған өтінімді жапқанда"},
    "only when closing": {"ru": "только при закрытии", "kk": "тек жабу кезінде"},
    "must not be below response_minutes": {
        "ru": "не должно быть меньше response_minutes", "kk": "response_minutes мәнінен кем болмауы керек"},
    "office {code} is {problem}": {"ru": "офис {code}: {problem}", "kk": "{code} кеңсесі: {problem}"},
    "must not be after to": {"ru": "не должно быть позже to", "kk": "to мәнінен кейін болмауы керек"},
    "after to": {"ru": "позже to", "kk": "to мәнінен кейін"},
    "the period is longer than {days} days": {
        "ru": "период длиннее {days} дней", "kk": "кезең {days} күннен ұзын"},
    "at most {days} days": {"ru": "не более {days} дней", "kk": "ең көбі {days} күн"},
    # Photos (service_requests.photos.attachments, .images).
    "a multipart field 'file' is required": {
        "ru": "нужно multipart-поле 'file'", "kk": "'file' multipart өрісі қажет"},
    "larger than {size} MB": {"ru": "больше {size} МБ", "kk": "{size} МБ-тан үлкен"},
    "the file is larger than {size} bytes": {"ru": "файл больше {size} байт", "kk": "файл {size} байттан үлкен"},
    "the file is empty": {"ru": "файл пуст", "kk": "файл бос"},
    "the file is not a readable JPEG, PNG, WebP or HEIC/HEIF image": {
        "ru": "файл не является читаемым изображением JPEG, PNG, WebP или HEIC/HEIF",
        "kk": "файл оқылатын JPEG, PNG, WebP немесе HEIC/HEIF суреті емес"},
    "the file is not a JPEG, PNG, WebP or HEIC/HEIF image": {
        "ru": "файл не является изображением JPEG, PNG, WebP или HEIC/HEIF",
        "kk": "файл JPEG, PNG, WebP немесе HEIC/HEIF суреті емес"},
    "the image has {pixels} pixels, more than the limit of {limit} (or it looks like a decompression bomb)": {
        "ru": "в изображении {pixels} пикселей, больше предела {limit} (или оно похоже на декомпрессионную бомбу)",
        "kk": "суретте {pixels} пиксель бар, бұл {limit} шегінен көп (немесе ол декомпрессиялық бомбаға ұқсайды)"},
    "the image is too large to decode safely (decompression bomb)": {
        "ru": "изображение слишком велико для безопасного декодирования (декомпрессионная бомба)",
        "kk": "сурет қауіпсіз ашу үшін тым үлкен (декомпрессиялық бомба)"},
    "decoding the image would take about {size} MB, more than the limit of {limit} MB; send a smaller photo": {
        "ru": "для декодирования изображения нужно около {size} МБ, больше предела {limit} МБ; отправьте фото поменьше",
        "kk": "суретті ашуға шамамен {size} МБ қажет, бұл {limit} МБ шегінен көп; кішірек фото жіберіңіз"},
    "the JPEG has more than {limit} scans; no camera writes that many (save it again as a baseline JPEG)": {
        "ru": "в JPEG больше {limit} сканов; столько не пишет ни одна камера (пересохраните его как baseline JPEG)",
        "kk": "JPEG-те {limit}-ден көп скан бар; бірде-бір камера мұнша жазбайды (оны baseline JPEG ретінде қайта сақтаңыз)"},
    "the image needs more memory to decode than the limit allows; send a smaller photo": {
        "ru": "для декодирования изображения нужно больше памяти, чем разрешено; отправьте фото поменьше",
        "kk": "суретті ашуға рұқсат етілгеннен көп жад қажет; кішірек фото жіберіңіз"},
    "the image takes too long to decode (over {seconds} s); send a smaller photo": {
        "ru": "изображение декодируется слишком долго (больше {seconds} с); отправьте фото поменьше",
        "kk": "суретті ашу тым ұзаққа созылады ({seconds} с-тан артық); кішірек фото жіберіңіз"},
    "the re-encoded photo would be larger than {size} MB": {
        "ru": "перекодированное фото было бы больше {size} МБ", "kk": "қайта кодталған фото {size} МБ-тан үлкен болар еді"},
    # Offices: location, routing, geofences (offices.service, .routing, .geometry).
    "no office matches this location; choose one": {
        "ru": "этому месту не соответствует ни один офис; выберите офис",
        "kk": "бұл орынға сәйкес кеңсе жоқ; кеңсені таңдаңыз"},
    "required: no office matches this location": {
        "ru": "обязательно: этому месту не соответствует ни один офис",
        "kk": "міндетті: бұл орынға сәйкес кеңсе жоқ"},
    "no office near ({a}, {b}), but there is one at ({b}, {a}): were lat and lon swapped?": {
        "ru": "рядом с ({a}, {b}) нет офиса, но он есть в ({b}, {a}): не перепутаны ли lat и lon?",
        "kk": "({a}, {b}) маңында кеңсе жоқ, бірақ ({b}, {a}) нүктесінде бар: lat пен lon ауысып кеткен жоқ па?"},
    "lat and lon must be given together": {
        "ru": "lat и lon передаются только вместе", "kk": "lat пен lon бірге берілуі керек"},
    "lon {value} is outside [-180, 180]": {"ru": "lon {value} вне [-180, 180]", "kk": "lon {value} [-180, 180] аралығынан тыс"},
    "lat {value} is outside [-90, 90]": {"ru": "lat {value} вне [-90, 90]", "kk": "lat {value} [-90, 90] аралығынан тыс"},
    "{name} must be a number, got {kind}": {
        "ru": "{name} должно быть числом, получено {kind}", "kk": "{name} сан болуы керек, берілгені {kind}"},
    "{name} must be a finite number": {
        "ru": "{name} должно быть конечным числом", "kk": "{name} шектеулі сан болуы керек"},
    "a position must be [longitude, latitude]": {
        "ru": "позиция должна быть [долгота, широта]", "kk": "позиция [бойлық, ендік] болуы керек"},
    "coordinates must be numbers": {"ru": "координаты должны быть числами", "kk": "координаттар сан болуы керек"},
    "coordinates must be finite numbers": {
        "ru": "координаты должны быть конечными числами", "kk": "координаттар шектеулі сан болуы керек"},
    "longitude {value} is outside [-180, 180]": {
        "ru": "долгота {value} вне [-180, 180]", "kk": "{value} бойлығы [-180, 180] аралығынан тыс"},
    "latitude {value} is outside [-90, 90]": {
        "ru": "широта {value} вне [-90, 90]", "kk": "{value} ендігі [-90, 90] аралығынан тыс"},
    "a ring must be an array of positions": {
        "ru": "контур должен быть массивом позиций", "kk": "контур позициялар массиві болуы керек"},
    "a ring needs at least 4 positions, got {count}": {
        "ru": "в контуре нужно не меньше 4 позиций, получено {count}",
        "kk": "контурда кемінде 4 позиция болуы керек, берілгені {count}"},
    "ring is not closed (first and last positions differ)": {
        "ru": "контур не замкнут (первая и последняя позиции различаются)",
        "kk": "контур тұйықталмаған (бірінші және соңғы позициялар әртүрлі)"},
    "polygon coordinates must be an array of rings": {
        "ru": "координаты полигона должны быть массивом контуров", "kk": "полигон координаттары контурлар массиві болуы керек"},
    "polygon is empty": {"ru": "полигон пуст", "kk": "полигон бос"},
    "geofence must be a GeoJSON object, got {kind}": {
        "ru": "геозона должна быть объектом GeoJSON, получено {kind}",
        "kk": "геоаймақ GeoJSON объектісі болуы керек, берілгені {kind}"},
    "geofence must be a GeoJSON Polygon or MultiPolygon, got {kind}": {
        "ru": "геозона должна быть GeoJSON Polygon или MultiPolygon, получено {kind}",
        "kk": "геоаймақ GeoJSON Polygon немесе MultiPolygon болуы керек, берілгені {kind}"},
    "geofence coordinates must be an array": {
        "ru": "координаты геозоны должны быть массивом", "kk": "геоаймақ координаттары массив болуы керек"},
    "geofence is empty: a MultiPolygon needs at least one polygon": {
        "ru": "геозона пуста: в MultiPolygon нужен хотя бы один полигон",
        "kk": "геоаймақ бос: MultiPolygon-да кемінде бір полигон болуы керек"},
    "geofence has more than {limit} vertices": {
        "ru": "у геозоны больше {limit} вершин", "kk": "геоаймақта {limit}-ден көп төбе бар"},
    "{label} has zero area (degenerate shape)": {
        "ru": "у {label} нулевая площадь (вырожденная фигура)", "kk": "{label} ауданы нөлге тең (азғындалған пішін)"},
    "invalid geometry: {detail}": {"ru": "некорректная геометрия: {detail}", "kk": "геометрия қате: {detail}"},
    "geofence is {size} km across; more than {limit} km is almost certainly a typo": {
        "ru": "геозона {size} км в поперечнике; больше {limit} км — почти наверняка опечатка",
        "kk": "геоаймақтың көлденеңі {size} км; {limit} км-ден артығы — сірә, қате жазылған"},
    "geofence is {size} km wide ({degrees}° of longitude); more than {limit} km is almost certainly a typo": {
        "ru": "геозона {size} км в ширину ({degrees}° долготы); больше {limit} км — почти наверняка опечатка",
        "kk": "геоаймақтың ені {size} км (бойлықтың {degrees}°); {limit} км-ден артығы — сірә, қате жазылған"},
    "the edge from position {start} to {end} (longitude {lon1} to {lon2}) crosses the antimeridian; "
    "cut the shape at longitude ±180 into a MultiPolygon (RFC 7946 §3.1.9)": {
        "ru": "ребро от позиции {start} к {end} (долгота {lon1} → {lon2}) пересекает антимеридиан; "
              "разрежьте фигуру по долготе ±180 на MultiPolygon (RFC 7946 §3.1.9)",
        "kk": "{start} позициясынан {end} позициясына дейінгі қабырға (бойлық {lon1} → {lon2}) антимеридианды "
              "қиып өтеді; пішінді ±180 бойлығы бойынша MultiPolygon-ға бөліңіз (RFC 7946 §3.1.9)"},
    # Office hours (offices.hours, .calendar).
    "a list of at most {count} [start, end] intervals": {
        "ru": "список не более чем из {count} интервалов [начало, конец]",
        "kk": "ең көбі {count} [басы, соңы] аралығының тізімі"},
    "intervals overlap or are out of order": {
        "ru": "интервалы пересекаются или идут не по порядку", "kk": "аралықтар қиылысады немесе ретімен емес"},
    "only the last interval of a day may run past midnight": {
        "ru": "за полночь может переходить только последний интервал дня",
        "kk": "түн ортасынан тек күннің соңғы аралығы асып кете алады"},
    "at most {count} dates": {"ru": "не более {count} дат", "kk": "ең көбі {count} күн"},
    "{value} is not a date (YYYY-MM-DD)": {
        "ru": "{value} не является датой (ГГГГ-ММ-ДД)", "kk": "{value} күн емес (ЖЖЖЖ-АА-КК)"},
    "the office must be open at some time in the week": {
        "ru": "офис должен быть открыт хотя бы в какое-то время недели",
        "kk": "кеңсе аптаның бір уақытында ашық болуы керек"},
    "open {open} minutes a week, a target of {target} business minutes would end more than {days} days later": {
        "ru": "открыт {open} минут в неделю, срок в {target} рабочих минут закончился бы больше чем через {days} дней",
        "kk": "аптасына {open} минут ашық, {target} жұмыс минуты мерзімі {days} күннен кейін ғана бітер еді"},
    "unknown country code {code}": {"ru": "неизвестный код страны {code}", "kk": "белгісіз ел коды {code}"},
    "{value} is not a time \"HH:MM\" (24:00 only as an end)": {
        "ru": "{value} не является временем \"ЧЧ:ММ\" (24:00 — только как конец)",
        "kk": "{value} уақыт емес \"СС:ММ\" (24:00 тек соңы ретінде)"},
    "expected a list of [start, end] intervals, got {value}": {
        "ru": "ожидался список интервалов [начало, конец], получено {value}",
        "kk": "[басы, соңы] аралықтарының тізімі күтілген, берілгені {value}"},
    "{value} is not a [\"HH:MM\", \"HH:MM\"] interval": {
        "ru": "{value} не является интервалом [\"ЧЧ:ММ\", \"ЧЧ:ММ\"]", "kk": "{value} [\"СС:ММ\", \"СС:ММ\"] аралығы емес"},
    "{value} is not an IANA time zone": {
        "ru": "{value} не является часовым поясом IANA", "kk": "{value} IANA уақыт белдеуі емес"},
    "must be an object mapping mon..sun to lists of [start, end]": {
        "ru": "должно быть объектом, где mon..sun — списки [начало, конец]",
        "kk": "mon..sun күндеріне [басы, соңы] тізімдерін сәйкестендіретін объект болуы керек"},
    "{value} is not a day (mon..sun)": {
        "ru": "{value} не является днём недели (mon..sun)", "kk": "{value} апта күні емес (mon..sun)"},
    "must be a list of dates": {"ru": "должно быть списком дат", "kk": "күндер тізімі болуы керек"},
    "must map dates to lists of [start, end]": {
        "ru": "должно сопоставлять датам списки [начало, конец]",
        "kk": "күндерге [басы, соңы] тізімдерін сәйкестендіруі керек"},
    # Saved views of the request list.
    # Office notices.
    "no such notice": {"ru": "нет такого объявления", "kk": "мұндай хабарлама жоқ"},
    "your scope does not cover this office": {
        "ru": "ваша область не охватывает этот офис", "kk": "сіздің аймағыңыз бұл кеңсені қамтымайды"},
    "the notice is no longer active": {
        "ru": "объявление больше не действует", "kk": "хабарлама енді күшінде емес"},
    "a resolved notice cannot be reopened": {
        "ru": "решённое объявление нельзя открыть снова", "kk": "шешілген хабарламаны қайта ашуға болмайды"},
    "no such view": {"ru": "нет такого представления", "kk": "мұндай көрініс жоқ"},
    "only administrators may share views": {
        "ru": "общими представления делают только администраторы",
        "kk": "көріністерді тек әкімшілер ортақ ете алады"},
    "only administrators may change shared views": {
        "ru": "общие представления меняют только администраторы",
        "kk": "ортақ көріністерді тек әкімшілер өзгерте алады"},
    "at most {limit} saved views each: delete one first": {
        "ru": "не более {limit} сохранённых представлений на человека: сначала удалите одно",
        "kk": "әр адамға ең көбі {limit} сақталған көрініс: алдымен біреуін жойыңыз"},
    "the page, not a filter: a view's requests take limit and cursor when read": {
        "ru": "это страница, а не фильтр: limit и cursor передаются при чтении заявок представления",
        "kk": "бұл сүзгі емес, бет: limit пен cursor көріністің өтінімдерін оқығанда беріледі"},
    "a view's order is its own sort field": {
        "ru": "порядок представления задаётся его полем sort",
        "kk": "көріністің реті оның sort өрісімен беріледі"},
    "not a filter of the request list": {
        "ru": "у списка заявок нет такого фильтра", "kk": "өтінімдер тізімінде мұндай сүзгі жоқ"},
    "the request list has no sort": {
        "ru": "у списка заявок нет сортировки", "kk": "өтінімдер тізімінде сұрыптау жоқ"},
    "an object of the request list's query names and values": {
        "ru": "объект из имён и значений параметров списка заявок",
        "kk": "өтінімдер тізімі параметрлерінің атаулары мен мәндерінің объектісі"},
    "at most {count} filters": {"ru": "не более {count} фильтров", "kk": "ең көбі {count} сүзгі"},
    "1-50 characters": {"ru": "1–50 символов", "kk": "1–50 таңба"},
    "a list of 1-{count} values": {"ru": "список из 1–{count} значений", "kk": "1–{count} мәннен тұратын тізім"},
    "at most {count} characters": {"ru": "не более {count} символов", "kk": "ең көбі {count} таңба"},
    "a string or a number, or a list of them": {
        "ru": "строка или число либо их список", "kk": "жол немесе сан, не олардың тізімі"},
    # Category forms: their definition, the answers, the list's field.<key> filter.
    "a choice field needs options": {
        "ru": "полю с выбором нужны варианты", "kk": "таңдау өрісіне нұсқалар қажет"},
    "only choice and multi_choice fields have options": {
        "ru": "варианты бывают только у полей choice и multi_choice",
        "kk": "нұсқалар тек choice және multi_choice өрістерінде болады"},
    "each option value at most once": {
        "ru": "каждое значение варианта не более одного раза", "kk": "әр нұсқа мәні бір реттен артық емес"},
    "each key at most once": {"ru": "каждый ключ не более одного раза", "kk": "әр кілт бір реттен артық емес"},
    "must be a string": {"ru": "должно быть строкой", "kk": "жол болуы керек"},
    "must be a number": {"ru": "должно быть числом", "kk": "сан болуы керек"},
    "must be a number between -1e15 and 1e15": {
        "ru": "должно быть числом от -1e15 до 1e15", "kk": "-1e15 пен 1e15 аралығындағы сан болуы керек"},
    "must be true or false": {"ru": "должно быть true или false", "kk": "true немесе false болуы керек"},
    "must be a date (YYYY-MM-DD)": {"ru": "должно быть датой (ГГГГ-ММ-ДД)", "kk": "күн болуы керек (ЖЖЖЖ-АА-КК)"},
    "must be a date (YYYY-MM-DD) between the years 2000 and 2100": {
        "ru": "должно быть датой (ГГГГ-ММ-ДД) между 2000 и 2100 годами",
        "kk": "2000 және 2100 жылдар аралығындағы күн болуы керек (ЖЖЖЖ-АА-КК)"},
    "not one of the options offered": {
        "ru": "нет среди предложенных вариантов", "kk": "ұсынылған нұсқалардың ішінде жоқ"},
    "must be a list of option values": {
        "ru": "должно быть списком значений вариантов", "kk": "нұсқа мәндерінің тізімі болуы керек"},
    "each option at most once": {
        "ru": "каждый вариант не более одного раза", "kk": "әр нұсқа бір реттен артық емес"},
    "no such field in this category's form": {
        "ru": "в форме этой категории нет такого поля", "kk": "бұл санаттың нысанында мұндай өріс жоқ"},
    "only staff fill this field": {
        "ru": "это поле заполняют только сотрудники", "kk": "бұл өрісті тек қызметкерлер толтырады"},
    "1-40 of a-z, 0-9 and _, starting with a letter": {
        "ru": "1–40 символов из a-z, 0-9 и _, первым идёт буква",
        "kk": "a-z, 0-9 және _ таңбаларынан 1–40, әріптен басталады"},
    "give one value": {"ru": "укажите одно значение", "kk": "бір мән көрсетіңіз"},
    "1-200 characters of text": {"ru": "1–200 символов текста", "kk": "1–200 таңба мәтін"},
}

# --- marshmallow's and webargs' own messages (every default of marshmallow 4's fields
# and validators, whether the API uses the field or not) ----------------------------

_RANGE_OPS = {
    "greater than or equal to": ("не меньше {min}", "{min} мәнінен кем емес"),
    "greater than": ("больше {min}", "{min} мәнінен үлкен"),
    "less than or equal to": ("не больше {max}", "{max} мәнінен аспайтын"),
    "less than": ("меньше {max}", "{max} мәнінен кіші"),
}


def _range_messages():
    """``validate.Range``'s messages: each bound's operator is part of the text."""
    messages = {}
    lower = ("greater than or equal to", "greater than")
    upper = ("less than or equal to", "less than")
    for op in lower:
        ru, kk = _RANGE_OPS[op]
        messages[f"Must be {op} {{min}}."] = {"ru": f"Должно быть {ru}.", "kk": f"{kk} болуы керек."}
    for op in upper:
        ru, kk = _RANGE_OPS[op]
        messages[f"Must be {op} {{max}}."] = {"ru": f"Должно быть {ru}.", "kk": f"{kk} болуы керек."}
    for low in lower:
        for high in upper:
            ru = f"Должно быть {_RANGE_OPS[low][0]} и {_RANGE_OPS[high][0]}."
            kk = f"{_RANGE_OPS[low][1]} және {_RANGE_OPS[high][1]} болуы керек."
            messages[f"Must be {low} {{min}} and {high} {{max}}."] = {"ru": ru, "kk": kk}
    return messages


_TEMPORAL = {  # marshmallow's obj_type and awareness words
    "datetime": ("дата и время", "күн мен уақыт"),
    "date": ("дата", "күн"),
    "time": ("время", "уақыт"),
}


def _temporal_messages():
    messages = {}
    for kind, (ru, kk) in _TEMPORAL.items():
        messages[f"Not a valid {kind}."] = {"ru": f"Неверное значение: ожидается {ru}.", "kk": f"Мән қате: {kk} күтілген."}
        messages[f"\"{{input}}\" cannot be formatted as a {kind}."] = {
            "ru": f"\"{{input}}\" нельзя представить как {ru}.", "kk": f"\"{{input}}\" мәнін {kk} ретінде көрсету мүмкін емес."}
        for awareness, (ru_tz, kk_tz) in {"aware": ("с часовым поясом", "уақыт белдеуі бар"),
                                         "naive": ("без часового пояса", "уақыт белдеуі жоқ")}.items():
            messages[f"Not a valid {awareness} {kind}."] = {
                "ru": f"Неверное значение: ожидается {ru} {ru_tz}.", "kk": f"Мән қате: {kk_tz} {kk} күтілген."}
    return messages


LIBRARY = {
    "Missing data for required field.": {"ru": "Обязательное поле.", "kk": "Міндетті өріс."},
    "Field may not be null.": {"ru": "Поле не может быть null.", "kk": "Өріс null бола алмайды."},
    "Invalid value.": {"ru": "Недопустимое значение.", "kk": "Жарамсыз мән."},
    "Invalid input.": {"ru": "Недопустимое значение.", "kk": "Жарамсыз мән."},
    "Invalid type.": {"ru": "Неверный тип.", "kk": "Түрі қате."},
    "Invalid input type.": {"ru": "Неверный тип данных.", "kk": "Деректер түрі қате."},
    "Unknown field.": {"ru": "Неизвестное поле.", "kk": "Белгісіз өріс."},
    "Invalid JSON body.": {"ru": "Тело запроса не является корректным JSON.", "kk": "Сұрау денесі дұрыс JSON емес."},
    "Not a valid boolean.": {"ru": "Ожидается логическое значение.", "kk": "Логикалық мән күтілген."},
    "Not a valid string.": {"ru": "Ожидается строка.", "kk": "Жол күтілген."},
    "Not a valid utf-8 string.": {"ru": "Ожидается строка в UTF-8.", "kk": "UTF-8 жолы күтілген."},
    "Not a valid number.": {"ru": "Ожидается число.", "kk": "Сан күтілген."},
    "Not a valid integer.": {"ru": "Ожидается целое число.", "kk": "Бүтін сан күтілген."},
    "Number too large.": {"ru": "Слишком большое число.", "kk": "Сан тым үлкен."},
    "Special numeric values (nan or infinity) are not permitted.": {
        "ru": "Специальные числовые значения (nan или бесконечность) недопустимы.",
        "kk": "Арнайы сандық мәндерге (nan немесе шексіздік) рұқсат жоқ."},
    "Not a valid mapping type.": {"ru": "Ожидается объект.", "kk": "Объект күтілген."},
    "Not a valid list.": {"ru": "Ожидается список.", "kk": "Тізім күтілген."},
    "Not a valid tuple.": {"ru": "Ожидается кортеж.", "kk": "Кортеж күтілген."},
    "Not a valid email address.": {"ru": "Неверный адрес электронной почты.", "kk": "Электрондық пошта мекенжайы қате."},
    "Not a valid URL.": {"ru": "Неверный URL.", "kk": "URL қате."},
    "Not a valid UUID.": {"ru": "Неверный UUID.", "kk": "UUID қате."},
    "Not a valid IP address.": {"ru": "Неверный IP-адрес.", "kk": "IP мекенжайы қате."},
    "Not a valid IPv4 address.": {"ru": "Неверный адрес IPv4.", "kk": "IPv4 мекенжайы қате."},
    "Not a valid IPv6 address.": {"ru": "Неверный адрес IPv6.", "kk": "IPv6 мекенжайы қате."},
    "Not a valid IP interface.": {"ru": "Неверный IP-интерфейс.", "kk": "IP интерфейсі қате."},
    "Not a valid IPv4 interface.": {"ru": "Неверный интерфейс IPv4.", "kk": "IPv4 интерфейсі қате."},
    "Not a valid IPv6 interface.": {"ru": "Неверный интерфейс IPv6.", "kk": "IPv6 интерфейсі қате."},
    "Not a valid period of time.": {"ru": "Неверный промежуток времени.", "kk": "Уақыт аралығы қате."},
    "{input} cannot be formatted as a timedelta.": {
        "ru": "{input} нельзя представить как промежуток времени.",
        "kk": "{input} мәнін уақыт аралығы ретінде көрсету мүмкін емес."},
    "Must be one of: {choices}.": {"ru": "Допустимые значения: {choices}.", "kk": "Мыналардың бірі болуы керек: {choices}."},
    "Must be equal to {other}.": {"ru": "Должно быть равно {other}.", "kk": "{other} мәніне тең болуы керек."},
    "One or more of the choices you made was in: {values}.": {
        "ru": "Среди выбранных значений есть запрещённые: {values}.",
        "kk": "Таңдалған мәндердің кейбірі тыйым салынғандардың қатарында: {values}."},
    "One or more of the choices you made was not in: {choices}.": {
        "ru": "Некоторые выбранные значения не входят в допустимые: {choices}.",
        "kk": "Таңдалған мәндердің кейбірі рұқсат етілгендердің қатарында жоқ: {choices}."},
    "Shorter than minimum length {min}.": {"ru": "Короче минимальной длины {min}.", "kk": "Ұзындығы {min}-ден кем."},
    "Longer than maximum length {max}.": {"ru": "Длиннее максимальной длины {max}.", "kk": "Ұзындығы {max}-ден асады."},
    "Length must be between {min} and {max}.": {
        "ru": "Длина должна быть от {min} до {max}.", "kk": "Ұзындығы {min} мен {max} аралығында болуы керек."},
    "Length must be {equal}.": {"ru": "Длина должна быть {equal}.", "kk": "Ұзындығы {equal} болуы керек."},
    "String does not match expected pattern.": {
        "ru": "Строка не соответствует ожидаемому формату.", "kk": "Жол күтілген үлгіге сәйкес емес."},
    **_range_messages(),
    **_temporal_messages(),
}

# --- werkzeug's default descriptions, for an HTTP error raised without a message ------

_STATUS_WORDS = {
    400: ("некорректный запрос", "сұрау қате"),
    401: ("нужна авторизация", "авторизация қажет"),
    403: ("доступ запрещён", "қол жеткізуге тыйым салынған"),
    404: ("не найдено", "табылмады"),
    405: ("этот метод не разрешён для этого пути", "бұл жолда бұл әдіске рұқсат жоқ"),
    406: ("нет ответа в приемлемом формате", "қолайлы форматта жауап жоқ"),
    408: ("время ожидания запроса истекло", "сұрауды күту уақыты өтті"),
    409: ("конфликт с текущим состоянием", "ағымдағы күймен қайшылық"),
    410: ("ресурс удалён", "ресурс жойылған"),
    411: ("нужен заголовок Content-Length", "Content-Length тақырыбы қажет"),
    412: ("условие запроса не выполнено", "сұрау шарты орындалмады"),
    413: ("тело запроса больше допустимого", "сұрау денесі шектен үлкен"),
    414: ("URL слишком длинный", "URL тым ұзын"),
    415: ("неподдерживаемый тип данных", "қолдау көрсетілмейтін дерек түрі"),
    416: ("недопустимый диапазон", "ауқым жарамсыз"),
    417: ("заголовок Expect не поддерживается", "Expect тақырыбына қолдау көрсетілмейді"),
    418: ("я чайник", "мен шәйнекпін"),
    421: ("запрос направлен не тому серверу", "сұрау басқа серверге жіберілген"),
    422: ("данные некорректны", "деректер жарамсыз"),
    423: ("ресурс заблокирован", "ресурс бұғатталған"),
    424: ("не выполнен зависимый запрос", "тәуелді сұрау орындалмады"),
    428: ("нужно условие запроса (If-Match)", "сұрау шарты қажет (If-Match)"),
    429: ("слишком много запросов", "сұраулар тым көп"),
    431: ("заголовки запроса больше допустимого", "сұрау тақырыптары шектен үлкен"),
    451: ("недоступно по юридическим причинам", "заңды себептермен қолжетімсіз"),
    500: ("внутренняя ошибка", "ішкі қате"),
    501: ("не реализовано", "іске асырылмаған"),
    502: ("ошибка шлюза", "шлюз қатесі"),
    503: ("сервис недоступен, повторите позже", "қызмет қолжетімсіз, кейінірек қайталаңыз"),
    504: ("шлюз не дождался ответа", "шлюз жауап күтпеді"),
    505: ("версия HTTP не поддерживается", "HTTP нұсқасына қолдау көрсетілмейді"),
}

HTTP_DEFAULTS = {}
for _status, _exception in default_exceptions.items():
    if _status in _STATUS_WORDS:
        _instance = _exception()
        for _text in (_instance.description, _instance.name):
            if isinstance(_text, str) and _text:
                HTTP_DEFAULTS[_text] = {"ru": _STATUS_WORDS[_status][0], "kk": _STATUS_WORDS[_status][1]}

MESSAGES = {**HTTP_DEFAULTS, **LIBRARY, **SERVICE}
