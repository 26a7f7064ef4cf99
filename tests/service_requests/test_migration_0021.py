"""Migration 0021 on data: categories and requests that existed before forms get an empty form and
no answers, work on as before, and take a form afterwards; and it downgrades."""
import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from service_app.extensions import db


def test_0021_gives_existing_categories_and_requests_empty_forms_and_answers(app, client, world, submit, etag_of):
    rid = submit(title="Кондиционер не работает")["id"]
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
        downgrade(revision="0020_following_and_merging")
        inspector = sa.inspect(db.engine)
        assert "fields" not in {c["name"] for c in inspector.get_columns("categories")}
        assert not {"fields", "staff_fields"} & {c["name"] for c in inspector.get_columns("service_requests")}
        db.session.remove()
        db.engine.dispose()
        upgrade()
        db.session.remove()
        db.engine.dispose()

    assert client.get(f"/api/v1/requests/{rid}", headers=world.employee.headers).get_json()["fields"] == {}
    category = client.get("/api/v1/categories/FAC-AC", headers=world.employee.headers).get_json()
    assert category["fields"] == []
    form = [{"key": "symptom", "type": "choice", "label": "What", "required": True,
             "options": [{"value": "noisy", "label": "Noisy"}]}]
    assert client.patch("/api/v1/categories/FAC-AC", json={"fields": form},
                        headers=world.admin.headers).status_code == 200
    # The old request, without the now required answer, is still edited and listed.
    response = client.patch(f"/api/v1/requests/{rid}", json={"priority": "high"},
                            headers={**world.admin.headers, "If-Match": etag_of(rid)})
    assert response.status_code == 200 and response.get_json()["fields"] == {}
    listed = client.get("/api/v1/requests", query_string={"field.symptom": "noisy"}, headers=world.admin.headers)
    assert listed.get_json()["items"] == []
