"""FcmSender driven through firebase-admin's real messaging code to a local FCM stub."""
import logging
import time
import warnings

import firebase_admin
import pytest
import requests
from firebase_admin import exceptions, messaging

from tests.support.fcm import FIXED_TOKEN, TEST_PROJECT, FcmStub, FixedTokenCredential, fcm_error
from notifications.senders import (BODY_MAX_CHARS, TITLE_MAX_CHARS, LogSender, PushMessage,
                                   build_push_sender, truncate)

TOKEN = "dGVzdC1kZXZpY2UtdG9rZW4tMTIzNDU2Nzg5MA:APA91bExample-token-XYZ987"


def push(token=TOKEN, title="Заявка SR-42", body="Статус: в работе", **data):
    data = data or {"request_id": "42", "event": "status_changed", "status": "in_progress"}
    return PushMessage(token=token, title=title, body=body, data=data)


def test_one_message_sends_the_exact_fcm_v1_body(fcm_sender, fcm_stub):
    with warnings.catch_warnings():
        warnings.simplefilter("error", DeprecationWarning)  # the token= warning stays inside
        outcomes = fcm_sender.send([push()])

    assert [o.status for o in outcomes] == ["sent"]
    assert outcomes[0].message_id == f"projects/{TEST_PROJECT}/messages/1"
    [request] = fcm_stub.requests
    assert request.path == f"/v1/projects/{TEST_PROJECT}/messages:send"
    assert request.headers["authorization"] == f"Bearer {FIXED_TOKEN}"
    assert request.body == {"message": {
        "token": TOKEN,
        "notification": {"title": "Заявка SR-42", "body": "Статус: в работе"},
        "data": {"request_id": "42", "event": "status_changed", "status": "in_progress"},
        "android": {"priority": "high",
                    "notification": {"channel_id": "requests", "sound": "default"}},
        "apns": {"headers": {"apns-priority": "10"},
                 "payload": {"aps": {"sound": "default"}}},
    }}  # equality also proves "validate_only" is absent


def test_the_grouping_id_and_badge_go_where_each_platform_reads_them(fcm_sender, fcm_stub):
    data = {"notification_id": "9", "request_id": "42", "number": "SR-000042", "event": "status_changed",
            "status": "in_progress", "deep_link": "santrade://requests/42"}
    fcm_sender.send([PushMessage(TOKEN, "Заявка SR-000042", "Статус: в работе", data,
                                 collapse_id="request-42", badge=3)])

    assert fcm_stub.requests[0].body == {"message": {
        "token": TOKEN,
        "notification": {"title": "Заявка SR-000042", "body": "Статус: в работе"},
        "data": data,
        "android": {"priority": "high", "collapse_key": "request-42",
                    "notification": {"channel_id": "requests", "sound": "default", "tag": "request-42",
                                     "notification_count": 3}},
        "apns": {"headers": {"apns-priority": "10"},
                 "payload": {"aps": {"sound": "default", "badge": 3, "thread-id": "request-42"}}},
    }}


def test_only_the_documented_data_keys_leave_for_fcm(fcm_sender, fcm_stub):
    fcm_sender.send([push(request_id=7, event="assigned", status="new", number="SR-000007", notification_id=3,
                          deep_link="santrade://requests/7", phone="+77011234567")])

    assert fcm_stub.requests[0].body["message"]["data"] == {
        "request_id": "7", "event": "assigned", "status": "new", "number": "SR-000007", "notification_id": "3",
        "deep_link": "santrade://requests/7"}


def test_250_messages_go_in_chunks_and_outcomes_keep_order(make_fcm_sender, fcm_stub, monkeypatch):
    sizes = []
    real_send_each = messaging.send_each
    monkeypatch.setattr(messaging, "send_each",
                        lambda batch, **kw: sizes.append(len(batch)) or real_send_each(batch, **kw))
    fcm_stub.responder = lambda body: (
        fcm_error("UNREGISTERED") if body["message"]["token"].endswith("7") else None)
    sender = make_fcm_sender()

    outcomes = sender.send([push(token=f"device-{i}") for i in range(250)])

    assert sizes == [100, 100, 50]
    assert len(fcm_stub.requests) == 250
    assert sorted(r.body["message"]["token"] for r in fcm_stub.requests) == sorted(
        f"device-{i}" for i in range(250))
    expected = ["drop_device" if str(i).endswith("7") else "sent" for i in range(250)]
    assert [o.status for o in outcomes] == expected
    names = {o.message_id for o in outcomes if o.status == "sent"}
    assert len(names) == expected.count("sent")


@pytest.mark.parametrize("error, status, attempts", [
    ("UNREGISTERED", "drop_device", 1),
    ("SENDER_ID_MISMATCH", "drop_device", 1),
    ("INVALID_TOKEN", "drop_device", 1),
    ("INVALID_ARGUMENT", "failed", 1),
    ("QUOTA_EXCEEDED", "retry", 1),          # a 429 goes back to the outbox at once
    ("UNAVAILABLE", "retry", 2),             # one immediate retry of a 503
    ("INTERNAL", "retry", 2),                # ... and of a 500
])
def test_fcm_error_maps_to_outcome(fcm_sender, fcm_stub, retry_sleeps, error, status, attempts):
    fcm_stub.responder = lambda body: fcm_error(error)

    [outcome] = fcm_sender.send([push()])

    assert outcome.status == status
    assert outcome.message_id is None and outcome.error
    assert len(fcm_stub.requests) == attempts


def test_quota_exceeded_carries_retry_after(fcm_sender, fcm_stub, retry_sleeps):
    fcm_stub.responder = lambda body: fcm_error("QUOTA_EXCEEDED", retry_after="42")

    [outcome] = fcm_sender.send([push()])

    assert (outcome.status, outcome.retry_after) == ("retry", 42.0)
    assert "QuotaExceededError" in outcome.error
    # Neither waited nor retried inside the SDK: the outbox schedules the row.
    assert retry_sleeps == [] and len(fcm_stub.requests) == 1


def test_sdk_retries_503_then_sends(fcm_sender, fcm_stub):
    fcm_stub.queue.append(fcm_error("UNAVAILABLE"))
    [outcome] = fcm_sender.send([push()])

    assert outcome.status == "sent"
    assert len(fcm_stub.requests_for(TOKEN)) == 2


def test_503_is_retried_once_at_once_even_with_retry_after(fcm_sender, fcm_stub, retry_sleeps):
    fcm_stub.responder = lambda body: fcm_error("UNAVAILABLE", retry_after="40")

    [outcome] = fcm_sender.send([push()])

    assert retry_sleeps == [0]  # the SDK's own policy would wait 40 s four times
    assert (outcome.status, outcome.retry_after) == ("retry", 40.0)
    assert len(fcm_stub.requests) == 2


def test_third_party_auth_error_fails_the_batch_with_one_alert(fcm_sender, fcm_stub, caplog):
    """A 401 THIRD_PARTY_AUTH_ERROR fails each message (no retry time) and raises one alert per batch.

    How often google-auth asks again after taking the 401 for an expired token is
    the SDK's business; ours is that only the batch's messages reach FCM.
    """
    fcm_stub.responder = lambda body: fcm_error("THIRD_PARTY_AUTH_ERROR")
    tokens = [f"{TOKEN}-{i}" for i in range(3)]

    with caplog.at_level(logging.ERROR, logger="notifications.senders"):
        outcomes = fcm_sender.send([push(token) for token in tokens])

    assert [(o.status, o.retry_after, o.message_id) for o in outcomes] == [("failed", None, None)] * 3
    alerts = [r.getMessage() for r in caplog.records if "ALERT" in r.getMessage()]
    assert len(alerts) == 1 and "APNs" in alerts[0] and "3 push(es)" in alerts[0]
    assert TOKEN not in caplog.text
    assert {r.body["message"]["token"] for r in fcm_stub.requests} == set(tokens)


def test_unreachable_fcm_is_retried_later(make_fcm_sender):
    gone = FcmStub().start()
    sender = make_fcm_sender(stub=gone)
    gone.stop()  # the port now refuses connections

    [outcome] = sender.send([push()])

    assert outcome.status == "retry" and "UnavailableError" in outcome.error


def test_timeout_is_retried_later(make_fcm_sender, fcm_stub):
    fcm_stub.responder = lambda body: time.sleep(0.5)  # then the default 200, too late
    sender = make_fcm_sender(http_timeout=0.2)

    [outcome] = sender.send([push()])

    # A read that timed out is not retried inside the send (FCM may have
    # delivered it); requests reports the MaxRetryError as a ConnectionError,
    # so the SDK says Unavailable and the outbox retries later.
    assert outcome.status == "retry" and "Read timed out" in outcome.error
    assert len(fcm_stub.requests) == 1


def test_credential_failure_retries_the_whole_chunk(make_fcm_sender, fcm_stub):
    credential = FixedTokenCredential()
    credential.google_credential.token = None
    credential.google_credential.fail_refresh = True
    sender = make_fcm_sender(credentials=credential)

    outcomes = sender.send([push(token=f"device-{i}") for i in range(3)])

    assert [o.status for o in outcomes] == ["retry"] * 3
    assert fcm_stub.requests == []


@pytest.mark.parametrize("error, status", [
    (exceptions.UnknownError("boom", cause=requests.ConnectionError("reset")), "retry"),
    (exceptions.UnknownError("boom", cause=requests.ReadTimeout("slow")), "retry"),
    (exceptions.UnknownError("odd answer"), "failed"),
    (exceptions.ResourceExhaustedError("429 without an FCM error code"), "retry"),
    (exceptions.PermissionDeniedError("FCM API disabled for the project"), "failed"),
])
def test_errors_the_stub_cannot_produce(fcm_sender, monkeypatch, error, status):
    monkeypatch.setattr(messaging, "send_each", lambda batch, **kw: messaging.BatchResponse(
        [messaging.SendResponse(None, error) for _ in batch]))

    assert [o.status for o in fcm_sender.send([push()])] == [status]


def test_invalid_payload_fails_that_message_only(fcm_sender, fcm_stub):
    outcomes = fcm_sender.send([push(token=""), push()])

    assert [o.status for o in outcomes] == ["failed", "sent"]
    assert len(fcm_stub.requests) == 1


def test_long_title_and_body_are_truncated(fcm_sender, fcm_stub):
    fcm_sender.send([push(title="Т" * 300, body="б" * 2000)])

    sent = fcm_stub.requests[0].body["message"]["notification"]
    assert len(sent["title"]) == TITLE_MAX_CHARS and sent["title"].endswith("…")
    assert len(sent["body"]) == BODY_MAX_CHARS and sent["body"].endswith("…")
    assert len(str(fcm_stub.requests[0].body).encode()) < 4096


def test_truncate_keeps_short_text():
    assert truncate("short", 10) == "short"
    assert truncate("exactly10!", 10) == "exactly10!"
    assert truncate("one two three", 8) == "one two…"


def test_log_sender_logs_without_the_full_token(caplog):
    with caplog.at_level(logging.INFO, logger="notifications.senders"):
        outcomes = LogSender().send([push(), PushMessage(TOKEN, "t", "b", {"request_id": "42", "phone": "+7701"},
                                                         collapse_id="request-42", badge=2)])

    assert [o.status for o in outcomes] == ["sent", "sent"] and outcomes[0].message_id
    assert TOKEN not in caplog.text and "+7701" not in caplog.text  # only what FCM would get
    assert f"push to device …{TOKEN[-6:]}: Заявка SR-42 — Статус: в работе" in caplog.text
    assert "'request_id': '42'" in caplog.text
    assert "collapse=request-42 badge=2" in caplog.text


def test_build_push_sender_and_lazy_app(monkeypatch):
    def build(kind, credentials=None):
        return build_push_sender({"PUSH_SENDER": kind, "FIREBASE_CREDENTIALS": credentials, "FCM_HTTP_TIMEOUT": 3})

    assert isinstance(build("log"), LogSender)
    with pytest.raises(ValueError):
        build("fcm")
    with pytest.raises(ValueError):
        build("carrier-pigeon")
    with pytest.raises(ValueError, match="not a usable service account"):
        build("fcm", '{"type": "service_account"}')
    monkeypatch.setenv("GOOGLE_CLOUD_PROJECT", "p")  # a non-certificate credential names no project
    sender = build("fcm", FixedTokenCredential())
    with pytest.raises(ValueError):
        firebase_admin.get_app("santrade-fcm")  # nothing created before a send
    try:
        assert sender.app.options.get("httpTimeout") == 3
    finally:
        sender.close()
