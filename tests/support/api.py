"""HTTP helpers for tests that call the API through Flask's test client."""

DEMO_PASSWORD = "correct-horse-42"


def bearer(token):
    """The Authorization header for an access or refresh token."""
    return {"Authorization": f"Bearer {token}"}


def move(client, who, request_id, status, **extra):
    """Ask to move request ``request_id`` to ``status`` as ``who``; returns the response."""
    return client.post(f"/api/v1/requests/{request_id}/status", json={"status": status, **extra},
                       headers=who.headers)
