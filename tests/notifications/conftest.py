"""Fixtures for push tests: a local FCM stub and FcmSenders wired to it, no network."""
import pytest
import urllib3.util.retry

from tests.support.fcm import FcmStub, stub_sender


@pytest.fixture
def fcm_stub():
    stub = FcmStub().start()
    yield stub
    stub.stop()


@pytest.fixture
def make_fcm_sender(fcm_stub):
    """Build FcmSenders (unique app names, fixed-token credential) attached to the stub."""
    senders = []

    def factory(stub=None, **options):
        sender = stub_sender(stub or fcm_stub, **options)
        senders.append(sender)
        return sender

    yield factory
    for sender in senders:
        sender.close()


@pytest.fixture
def fcm_sender(make_fcm_sender):
    return make_fcm_sender()


@pytest.fixture
def retry_sleeps(monkeypatch):
    """Record, instead of sleeping, each pause urllib3's Retry would take between attempts.

    Patches the public ``Retry.sleep`` so the SDK's retries still happen, fast;
    each entry is the Retry-After the server asked for (when the policy honours
    it, as ``Retry.sleep`` does), else the backoff.
    """
    pauses = []

    def record(self, response=None):
        honoured = response is not None and self.respect_retry_after_header
        after = self.get_retry_after(response) if honoured else None
        pauses.append(after if after else self.get_backoff_time())

    monkeypatch.setattr(urllib3.util.retry.Retry, "sleep", record)
    return pauses
