"""Migration 0015 on data: requests that existed before it are found by their words, public
comments and (for the staff responsible) internal notes; and it downgrades."""
import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from service_app.extensions import db


def test_0015_back_fills_the_search_documents(app, client, world, submit):
    rid = submit(title="Кондиционер не работает", description="В переговорной ЖАРКО")["id"]
    other = submit(title="Printer is jammed")["id"]
    client.post(f"/api/v1/requests/{rid}/comments", json={"body": "Мастер придёт в пятницу"},
                headers=world.admin_ala.headers)
    client.post(f"/api/v1/requests/{rid}/comments", json={"body": "Поставщик Арктика", "internal": True},
                headers=world.admin_ala.headers)

    with app.app_context():
        db.session.remove()
        db.engine.dispose()
        downgrade(revision="0014_request_list_indexes")
        columns = {c["name"] for c in sa.inspect(db.engine).get_columns("service_requests")}
        assert "search_text" not in columns
        db.session.remove()
        db.engine.dispose()
        upgrade()
        db.session.remove()
        db.engine.dispose()

    def found(q, who):
        response = client.get("/api/v1/requests", query_string={"q": q}, headers=who.headers)
        return {item["id"] for item in response.get_json()["items"]}

    assert found("жарко", world.employee) == found("пятницу", world.employee) == {rid}
    assert found("printer", world.employee) == {other}
    assert found("арктика", world.admin_ala) == {rid}
    assert found("арктика", world.employee) == set()
