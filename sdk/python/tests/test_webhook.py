"""How the library is meant to be used, beyond the vectors."""

import base64
import hashlib
import hmac
import time
from datetime import timedelta

import pytest

from hookd_verify import (
    BadSecretError,
    ErrorKind,
    EventType,
    NoMatchingSignatureError,
    Scheme,
    TimestampTooOldError,
    Webhook,
    WebhookVerificationError,
)

SECRET = "whsec_" + base64.b64encode(b"k" * 32).decode()
BODY = (
    b'{"id":"e1","event":"record:created","payload":{"a":1},"environment_id":"env",'
    b'"created_at":"2026-01-01T00:00:00.000Z","webhook_id":"wh"}'
)


def sign(body: bytes, ts: int, msg_id: str = "e1") -> dict:
    mac = hmac.new(b"k" * 32, f"{msg_id}.{ts}.".encode() + body, hashlib.sha256).digest()
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(ts),
        "webhook-signature": "v1," + base64.b64encode(mac).decode(),
        "X-Truto-Signature": "format=sha256,v=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest(),
    }


def test_verifies_at_the_current_time_by_default() -> None:
    event = Webhook(SECRET).verify(BODY, sign(BODY, int(time.time())))
    assert event.event is EventType.RECORD_CREATED
    assert event.payload == {"a": 1}
    assert event.created_at_datetime.year == 2026


def test_errors_are_typed_and_share_a_base() -> None:
    with pytest.raises(TimestampTooOldError) as e:
        Webhook(SECRET).verify(BODY, sign(BODY, int(time.time()) - 3600))
    assert isinstance(e.value, WebhookVerificationError)
    assert e.value.kind is ErrorKind.TIMESTAMP_TOO_OLD


def test_tolerance_accepts_a_timedelta() -> None:
    headers = sign(BODY, 1000)
    Webhook(SECRET, tolerance=timedelta(hours=1)).verify(BODY, headers, now=1000 + 3599)
    with pytest.raises(TimestampTooOldError):
        Webhook(SECRET, tolerance=timedelta(hours=1)).verify(BODY, headers, now=1000 + 3601)


def test_truto_signature_ignores_the_timestamp() -> None:
    headers = sign(BODY, 1000)
    assert Webhook(SECRET).verify(BODY, headers, scheme=Scheme.TRUTO_SIGNATURE).id == "e1"


def test_a_str_body_is_refused() -> None:
    with pytest.raises(TypeError):
        Webhook(SECRET).verify(BODY.decode(), sign(BODY, int(time.time())))  # type: ignore[arg-type]


def test_a_bad_secret_fails_at_construction() -> None:
    with pytest.raises(BadSecretError):
        Webhook("whsec_!!")


def test_bytearray_and_memoryview_bodies() -> None:
    headers = sign(BODY, 1000)
    Webhook(SECRET).verify_signature(bytearray(BODY), headers, now=1000)
    with pytest.raises(NoMatchingSignatureError):
        Webhook(SECRET).verify_signature(memoryview(BODY)[1:], headers, now=1000)
