"""SMS senders behind one small interface, chosen by ``SMS_SENDER``.

``console`` (default, for local runs) writes the message to stdout; in
production it withholds the code, because logs must never hold one.
``webhook`` POSTs ``{to, text}`` as JSON to ``SMS_WEBHOOK_URL`` (bearer
``SMS_WEBHOOK_TOKEN``), which fits the HTTP APIs of Kazakh SMS gateways through
a thin relay. It is bound and fetched as ``service_app.adapters`` describes.
"""
import logging
import sys
from collections.abc import Mapping
from typing import Protocol

import requests

from service_app import adapters

log = logging.getLogger(__name__)

EXTENSION = "sms_sender"


class SmsError(RuntimeError):
    """The gateway did not accept the message."""


class SmsSender(Protocol):
    """Sends one text message to one phone number."""

    def send(self, phone: str, text: str) -> None:
        """Deliver text to phone; raise SmsError when the gateway does not accept it."""


def mask_phone(phone):
    return phone[:2] + "•" * max(len(phone) - 6, 0) + phone[-4:] if phone else "?"


class ConsoleSmsSender(SmsSender):
    def __init__(self, reveal):
        self.reveal = reveal

    def send(self, phone, text):
        if self.reveal:
            print(f"[sms to {mask_phone(phone)}] {text}", file=sys.stdout, flush=True)
        else:
            log.warning("SMS to %s not sent: SMS_SENDER=console in production", mask_phone(phone))


class WebhookSmsSender(SmsSender):
    """POSTs ``{to, text}`` to the gateway; any answer but 2xx is an SmsError.

    Redirects are not followed: they would re-send the message as a GET
    without its body, and a gateway that moved is a configuration error.
    An SmsError names the failure's type only: requests' messages carry the
    URL, whose query may hold the gateway's key, and the error is logged.
    """

    def __init__(self, url, token, timeout):
        if not (url or "").startswith(("https://", "http://")):
            raise ValueError("SMS_WEBHOOK_URL must be an http(s) URL")
        self.url, self.token, self.timeout = url, token, timeout

    def send(self, phone, text):
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        try:
            response = requests.post(self.url, json={"to": phone, "text": text}, headers=headers,
                                     timeout=self.timeout, allow_redirects=False)
        except requests.RequestException as exc:
            raise SmsError(f"gateway unreachable: {type(exc).__name__}") from exc
        if not 200 <= response.status_code < 300:
            raise SmsError(f"gateway answered {response.status_code}")


def build_sms_sender(config: Mapping) -> SmsSender:
    """Return the sender named by ``SMS_SENDER``: "console" or "webhook"."""
    kind = config["SMS_SENDER"]
    if kind == "console":
        return ConsoleSmsSender(reveal=config["ENV_NAME"] != "production")
    if kind == "webhook":
        return WebhookSmsSender(config["SMS_WEBHOOK_URL"], config["SMS_WEBHOOK_TOKEN"],
                                timeout=config["SMS_WEBHOOK_TIMEOUT_SECONDS"])
    raise ValueError(f"unknown SMS_SENDER {kind!r}: expected 'console' or 'webhook'")


def init_app(app):
    adapters.bind(app, EXTENSION, lambda: build_sms_sender(app.config))


def get_sms_sender() -> SmsSender:
    """The app's SMS sender (tests replace ``app.extensions[EXTENSION]``)."""
    return adapters.get(EXTENSION)
