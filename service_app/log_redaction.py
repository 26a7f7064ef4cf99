"""A last line of defence for the logs (PRIVACY.md P8): whatever a message
carries, tokens, passwords, SMS codes and coordinates are masked before it is
written. The code does not log them in the first place; this catches mistakes
(and third-party libraries)."""
import logging
import re

PATTERNS = [
    (re.compile(r"eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*"), "[jwt]"),
    (re.compile(r"(?i)(bearer\s+)[A-Za-z0-9._~+/=-]+"), r"\1[token]"),
    (re.compile(r"(?i)(\"?(?:password|new_password|current_password|code|token|refresh_token|access_token)\"?"
                r"\s*[:=]\s*\"?)[^\s\",&}]+"), r"\1[redacted]"),
    (re.compile(r"(?i)\b(lat|lon|latitude|longitude)(\"?\s*[:=]\s*\"?)-?\d+(?:\.\d+)?"), r"\1\2[redacted]"),
]


def redact(text):
    for pattern, replacement in PATTERNS:
        text = pattern.sub(replacement, text)
    return text


class RedactingFilter(logging.Filter):
    def filter(self, record):
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True
