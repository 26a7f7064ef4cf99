"""SMS senders behind one small interface, chosen by ``SMS_SENDER``.

``console`` (default, for local runs) writes the message to stdout; in
production it withholds the code, because logs must never hold one.
``webhook`` POSTs ``{to, text}`` as JSON to ``SMS_WEBHOOK_URL`` (bearer
``SMS_WEBHOOK_TOKEN``), which fits the HTTP APIs of Kazakh SMS gateways through
a thin relay.
"""
import json
import logging
import sys
import urllib.request

from flask import current_app

log = logging.getLogger(__name__)


class SmsError(RuntimeError):
    """The gateway did not accept the message."""


def mask_phone(phone):
    return phone[:2] + "•" * max(len(phone) - 6, 0) + phone[-4:] if phone else "?"


class ConsoleSmsSender:
    def __init__(self, reveal):
        self.reveal = reveal

    def send(self, phone, text):
        if self.reveal:
            print(f"[sms to {mask_phone(phone)}] {text}", file=sys.stdout, flush=True)
        else:
            log.warning("SMS to %s not sent: SMS_SENDER=console in production", mask_phone(phone))


class WebhookSmsSender:
    def __init__(self, url, token, timeout=10):
        if not (url or "").startswith(("https://", "http://")):
            raise ValueError("SMS_WEBHOOK_URL must be an http(s) URL")
        self.url, self.token, self.timeout = url, token, timeout

    def send(self, phone, text):
        body = json.dumps({"to": phone, "text": text}).encode()
        req = urllib.request.Request(self.url, data=body, method="POST", headers={  # noqa: S310 - http(s) checked
            "Content-Type": "application/json",
            **({"Authorization": f"Bearer {self.token}"} if self.token else {}),
        })
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as resp:  # noqa: S310  # nosec B310  # http(s) only, checked
                if resp.status >= 300:
                    raise SmsError(f"gateway answered {resp.status}")
        except OSError as exc:
            raise SmsError(str(exc)) from exc


def get_sms_sender():
    """The configured sender (tests may put their own in ``app.extensions['sms_sender']``)."""
    sender = current_app.extensions.get("sms_sender")
    if sender is not None:
        return sender
    kind = current_app.config["SMS_SENDER"]
    if kind == "console":
        return ConsoleSmsSender(reveal=current_app.config["ENV_NAME"] != "production")
    if kind == "webhook":
        return WebhookSmsSender(current_app.config["SMS_WEBHOOK_URL"], current_app.config["SMS_WEBHOOK_TOKEN"])
    raise RuntimeError(f"unknown SMS_SENDER {kind!r}")
