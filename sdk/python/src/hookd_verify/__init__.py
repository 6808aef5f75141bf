"""Verify and parse webhook deliveries from hookd.

    from hookd_verify import Webhook, WebhookVerificationError

    webhook = Webhook(os.environ["HOOKD_WEBHOOK_SECRET"])
    event = webhook.verify(request.body, request.headers)  # raw bytes, not re-serialized JSON
"""

from .errors import (
    BadSecretError,
    BadTimestampError,
    ErrorKind,
    InvalidPayloadError,
    MalformedHeaderError,
    MissingHeaderError,
    NoMatchingSignatureError,
    TimestampTooNewError,
    TimestampTooOldError,
    WebhookVerificationError,
)
from .event import Event, EventType, parse_event
from .webhook import DEFAULT_TOLERANCE, Scheme, Webhook

__all__ = [
    "BadSecretError",
    "BadTimestampError",
    "DEFAULT_TOLERANCE",
    "ErrorKind",
    "Event",
    "EventType",
    "InvalidPayloadError",
    "MalformedHeaderError",
    "MissingHeaderError",
    "NoMatchingSignatureError",
    "Scheme",
    "TimestampTooNewError",
    "TimestampTooOldError",
    "Webhook",
    "WebhookVerificationError",
    "parse_event",
]
