"""Migration 0027 on data: documents longer than the new bound are cut to it, and on PostgreSQL the
requests that existed before it are found by their words and their misspelt words (the vector and the
vocabulary are filled from them); and it downgrades."""
import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from service_app.extensions import db
from service_requests.search import MAX_CHARS


def _migrate(app, revision=None):
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
        if revision:
            downgrade(revision=revision)
        else:
            upgrade()
        db.session.remove()
        db.engine.dispose()


def test_0027_cuts_long_documents_and_fills_the_vocabulary(app, client, world, submit):
    rid = submit(title="Кондиционер не работает", description="В переговорной ЖАРКО")["id"]
    other = submit(title="Printer is jammed")["id"]
    _migrate(app, "0026_refresh_reuse_grace")
    with app.app_context():
        columns = {c["name"] for c in sa.inspect(db.engine).get_columns("service_requests")}
        assert "search_vector" not in columns and not sa.inspect(db.engine).has_table("search_words")
        # A document as the earlier bound (100,000 characters) let it grow.
        db.session.execute(sa.text("UPDATE service_requests SET search_text = search_text || :more WHERE id = :id"),
                           {"more": "\n" + "шум " * 5000 + "протечка", "id": rid})
        db.session.commit()
        db.session.remove()
    _migrate(app)
    with app.app_context():
        kept = db.session.scalar(sa.text("SELECT length(search_text) FROM service_requests WHERE id = :id"),
                                 {"id": rid})
        db.session.remove()
    assert kept == MAX_CHARS

    def found(q):
        response = client.get("/api/v1/requests", query_string={"q": q}, headers=world.admin.headers)
        return {item["id"] for item in response.get_json()["items"]}

    assert found("жарко") == found("кондиционер") == {rid}
    assert found("printer") == {other}
    assert found("протечка") == set()  # beyond the bound
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        assert found("кондиционр") == {rid}  # through the vocabulary filled from the existing documents
        assert found("jamed") == {other}
        rid_new = submit(title="Кондиционер в серверной")["id"]
        assert found("серверой") == {rid_new}  # a misspelt word of a new request: the trigger keeps the vocabulary

