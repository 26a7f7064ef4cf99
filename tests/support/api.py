"""HTTP helpers for tests that call the API through Flask's test client."""

DEMO_PASSWORD = "correct-horse-42"


def bearer(token):
    """The Authorization header for an access or refresh token."""
    return {"Authorization": f"Bearer {token}"}


def move(client, who, request_id, status, **extra):
    """Ask to move request ``request_id`` to ``status`` as ``who``; returns the response."""
    return client.post(f"/api/v1/requests/{request_id}/status", json={"status": status, **extra},
                       headers=who.headers)


def assert_error(response, status, code=None):
    """The answer is ``status`` in the JSON error envelope (with ``code`` when given); returns the error."""
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.is_json, response.get_data(as_text=True)
    error = response.get_json()["error"]
    assert set(error) == {"code", "message", "details"}
    if code:
        assert error["code"] == code
    return error


def all_rows(app):
    """Every row of every table: equal before and after a refused call means it wrote nothing."""
    import sqlalchemy as sa

    from service_app.extensions import db

    with app.app_context():
        rows = {table.name: sorted(map(repr, db.session.execute(sa.select(table)).all()))
                for table in db.metadata.sorted_tables}
        db.session.remove()
        return rows
