"""GET /requests.csv: the list's filters as a CSV file for staff (API.md "Staff work")."""
import csv
import io
import os
import time

import pytest
import sqlalchemy as sa

from service_app.extensions import db
from service_requests.models import ServiceRequest
from service_requests.catalogue.models import Category
from service_requests.reports import export
from tests.support.api import assert_error
from tests.support.places import AST_POINT

CSV = "/api/v1/requests.csv"
BOM = "\ufeff"


def rows_of(response):
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "text/csv"
    text = response.get_data().decode("utf-8")
    assert text.startswith(BOM)
    return list(csv.reader(io.StringIO(text[len(BOM):])))


@pytest.fixture
def named_category(app, world):
    with app.app_context():
        db.session.get(Category, "FAC-AC").name = {"ru": "Кондиционер", "kk": "Кондиционер (kk)", "en": "Air conditioning"}
        db.session.commit()


def test_bom_and_titles_in_the_callers_language(client, auth, world, submit, named_category):
    rid = submit(title="Не работает кондиционер")["id"]
    ru = auth("administrator", language="ru")
    rows = rows_of(client.get(CSV, headers=ru.headers))
    assert rows[0][:5] == ["Номер", "Тема", "Статус", "Приоритет", "Категория"]
    assert rows[1][:5] == [f"SR-{rid:06d}", "Не работает кондиционер", "new", "normal", "Кондиционер"]
    assert rows[1][rows[0].index("Офис")] == "Almaty"
    assert rows[1][rows[0].index("Автор")] == "Aigerim"
    en = rows_of(client.get(CSV, headers=auth("administrator", language="en").headers))
    assert en[0][0] == "Number" and en[0][-1] == "Rating"
    assert en[1][4] == "Air conditioning"
    kk = rows_of(client.get(CSV, headers=auth("manager", language="kk").headers))
    assert kk[0][0] == "Нөмір"
    assert len(en[0]) == 19


def test_cells_that_would_be_formulas_get_an_apostrophe(client, world, submit):
    for title in ("=HYPERLINK(\"http://x\")", "+1 plus", "-minus", "@SUM(A1)", "plain = text"):
        submit(title=title)
    titles = {row[1] for row in rows_of(client.get(CSV, headers=world.admin.headers))[1:]}
    assert titles == {"'=HYPERLINK(\"http://x\")", "'+1 plus", "'-minus", "'@SUM(A1)", "plain = text"}


def test_the_list_filters_and_scope_apply(client, world, submit):
    ala = submit()["id"]
    ast = submit(location=AST_POINT)["id"]
    it = submit(category="IT-PC")["id"]

    def numbers(who, query=""):
        return {row[0] for row in rows_of(client.get(f"{CSV}?{query}", headers=who.headers))[1:]}

    assert numbers(world.admin, f"office_id={world.ast}") == {f"SR-{ast:06d}"}
    assert numbers(world.admin, "category=IT-PC&category=FAC-AC&assignee_id=none") == {
        f"SR-{n:06d}" for n in (ala, ast, it)}
    assert numbers(world.manager_it) == {f"SR-{it:06d}"}
    assert numbers(world.admin, "sla=breached") == set()


def test_the_search_applies_as_in_the_list(client, world, submit):
    leak = submit(title="Течёт кран на кухне")["id"]
    submit(title="Printer is jammed")
    rows = rows_of(client.get(f"{CSV}?q=кран", headers=world.admin.headers))[1:]
    assert [row[0] for row in rows] == [f"SR-{leak:06d}"]
    assert_error(client.get(f"{CSV}?q=", headers=world.admin.headers), 422, "validation_error")


def test_the_order_follows_sort(client, app, world, submit):
    made = [submit()["id"] for _ in range(3)]
    with app.app_context():
        db.session.get(ServiceRequest, made[0]).status = "waiting"
        db.session.commit()
    created = [row[0] for row in rows_of(client.get(CSV, headers=world.admin.headers))[1:]]
    assert created == [f"SR-{n:06d}" for n in reversed(made)]
    due = [row[0] for row in rows_of(client.get(f"{CSV}?sort=due", headers=world.admin.headers))[1:]]
    assert due[-1] == f"SR-{made[0]:06d}"


def test_at_most_export_max_rows_and_the_header_says_so(client, app, world, submit):
    for _ in range(3):
        submit()
    app.config["EXPORT_MAX_ROWS"] = 2
    response = client.get(CSV, headers=world.admin.headers)
    assert response.headers["X-Export-Truncated"] == "true"
    assert len(rows_of(response)) == 1 + 2
    app.config["EXPORT_MAX_ROWS"] = 3
    response = client.get(CSV, headers=world.admin.headers)
    assert response.headers["X-Export-Truncated"] == "false"
    assert len(rows_of(response)) == 1 + 3


def test_it_is_streamed(client, world, submit):
    submit()
    response = client.get(CSV, headers=world.admin.headers)
    assert response.is_streamed


def test_employees_may_not_export(client, world, submit):
    submit()
    assert_error(client.get(CSV, headers=world.employee.headers), 403, "forbidden")



TITLE_LINES = {  # the first line of the file, BOM included, in each language
    "ru": "\ufeffНомер,Тема,Статус,Приоритет,Категория,Отдел,Офис,Помещение,Автор,Исполнитель,Создана,Первый ответ,"
          "Решена,Закрыта,Срок ответа,Срок ответа нарушен,Срок решения,Срок решения нарушен,Оценка\n",
    "kk": "\ufeffНөмір,Тақырып,Күйі,Басымдық,Санат,Бөлім,Кеңсе,Бөлме,Авторы,Орындаушы,Құрылған,Алғашқы жауап,"
          "Шешілген,Жабылған,Жауап беру мерзімі,Жауап мерзімі бұзылған,Шешу мерзімі,Шешу мерзімі бұзылған,Баға\n",
    "en": "\ufeffNumber,Title,Status,Priority,Category,Department,Office,Room,Author,Assignee,Created at,"
          "First response at,Resolved at,Closed at,Response due at,Response breached,Resolution due at,"
          "Resolution breached,Rating\n",
}


@pytest.mark.parametrize("language", TITLE_LINES)
def test_the_column_titles_are_these_bytes(client, auth, world, submit, language):
    """The titles come from the text catalogues (the ``requests`` domain); the file's bytes stay as they were."""
    submit(title="One")
    data = client.get(CSV, headers=auth("administrator", language=language).headers).get_data()
    head, _, rest = data.partition(b"\n")
    assert head + b"\n" == TITLE_LINES[language].encode("utf-8")
    assert rest.count(b"\n") == 1


# --- a slow reader holds no transaction ---------------------------------------------------------

def idle_in_transaction(database_url):
    """The backends of the test database idle inside a transaction (PostgreSQL), seen from a connection of its own."""
    other = sa.create_engine(database_url, poolclass=sa.pool.NullPool)
    try:
        with other.connect() as conn:
            return conn.execute(sa.text(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                "AND state LIKE 'idle in transaction%' AND pid <> pg_backend_pid()")).all()
    finally:
        other.dispose()


def read_with_a_pause(response, pause):
    """The rows of a streamed export read as a slow client reads them: the titles and the first rows,
    then ``pause(received)`` (the client stops reading), then the rest."""
    try:
        body = iter(response.response)
        received = [next(body), next(body)]
        pause(received)
        received.extend(body)
    finally:
        response.close()
    return list(csv.reader(io.StringIO(b"".join(received).decode("utf-8")[len(BOM):])))


def test_no_transaction_nor_connection_is_held_while_the_client_reads(app, client, world, submit, monkeypatch,
                                                                      database_url):
    """The file is read a chunk at a time, each in a transaction of its own that ends before the chunk
    is sent: a client reading slowly keeps no connection from the pool and no transaction open (on
    PostgreSQL ``idle_in_transaction_session_timeout`` would end it, and the file with it)."""
    monkeypatch.setattr(export, "CHUNK", 2)
    made = [submit(title=f"Request {i}")["id"] for i in range(5)]
    with app.app_context():
        engine = db.engine
    response = client.get(CSV, headers=world.admin.headers, buffered=False)
    assert response.status_code == 200

    def while_paused(received):
        assert b"Request 4" in b"".join(received)
        assert engine.pool.checkedout() == 0
        if engine.dialect.name == "postgresql":
            assert idle_in_transaction(database_url) == []

    rows = read_with_a_pause(response, while_paused)
    assert [row[0] for row in rows[1:]] == [f"SR-{n:06d}" for n in reversed(made)]
    assert [row[1] for row in rows[1:]] == [f"Request {i}" for i in reversed(range(5))]


@pytest.mark.parametrize("sort", ["created", "updated", "due"])
def test_each_sort_is_read_whole_chunk_after_chunk(app, client, world, submit, monkeypatch, sort):
    """Chunk after chunk (each read after the last one's key) the file holds every row once, in the
    list's order, whatever the sort; ties on the key are ordered by id."""
    monkeypatch.setattr(export, "CHUNK", 2)
    made = [submit(title=f"Request {i}")["id"] for i in range(7)]
    with app.app_context():  # ties and requests without a running clock (last under `due`)
        for rid in made[:3]:
            db.session.get(ServiceRequest, rid).status = "waiting"
        stamp = db.session.get(ServiceRequest, made[3]).updated_at
        for rid in made[3:6]:
            db.session.get(ServiceRequest, rid).updated_at = stamp
        db.session.commit()
    listed, cursor = [], None
    while True:
        page = client.get("/api/v1/requests", query_string={"sort": sort, "limit": 3, **({"cursor": cursor} if cursor else {})},
                          headers=world.admin.headers).get_json()
        listed += [f"SR-{item['id']:06d}" for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    exported = [row[0] for row in rows_of(client.get(CSV, query_string={"sort": sort}, headers=world.admin.headers))[1:]]
    assert exported == listed and len(set(exported)) == 7


@pytest.mark.skipif(not os.environ.get("TEST_DATABASE_URL"), reason="PostgreSQL's idle-in-transaction timeout")
def test_a_reader_pausing_longer_than_the_idle_transaction_timeout_gets_the_whole_file(make_app, world, submit,
                                                                                       monkeypatch):
    """With ``DB_IDLE_IN_TRANSACTION_TIMEOUT`` at one second, a client that stops reading for longer
    still gets every row: no transaction waits on it."""
    monkeypatch.setattr(export, "CHUNK", 2)
    made = [submit()["id"] for _ in range(5)]
    strict = make_app(DB_IDLE_IN_TRANSACTION_TIMEOUT=1)
    response = strict.test_client().get(CSV, headers=world.admin.headers, buffered=False)
    rows = read_with_a_pause(response, lambda received: time.sleep(1.5))
    assert [row[0] for row in rows[1:]] == [f"SR-{n:06d}" for n in reversed(made)]
