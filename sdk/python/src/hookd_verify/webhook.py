"""Checks that a delivery came from hookd, unchanged and recently, before anything reads it."""

import base64
import hashlib
import hmac
import re
import time
from datetime import timedelta
from enum import Enum
from typing import Mapping, Optional, Union

from .errors import (
    BadSecretError,
    BadTimestampError,
    MalformedHeaderError,
    MissingHeaderError,
    NoMatchingSignatureError,
    TimestampTooNewError,
    TimestampTooOldError,
)
from .event import Event, parse_event

DEFAULT_TOLERANCE = timedelta(minutes=5)

_WHSEC_PREFIX = "whsec_"
# Digits only: int() would also take "+5", " 5" and "5_0", which no signer writes. 15 digits is far past any time.
_TIMESTAMP = re.compile(r"[0-9]{1,15}")
_BASE64 = re.compile(r"[A-Za-z0-9+/_-]*")


class Scheme(str, Enum):
    """Which of hookd's signature headers to check."""

    STANDARD_WEBHOOKS = "standard_webhooks"  # webhook-id, webhook-timestamp, webhook-signature: replay-safe
    TRUTO_SIGNATURE = "truto_signature"  # X-Truto-Signature: the body only, no timestamp


def _decode_base64(text: str) -> Optional[bytes]:
    # As hookd decodes secrets: either alphabet, padding optional.
    text = text.rstrip("=")
    if len(text) % 4 == 1 or not _BASE64.fullmatch(text):
        return None
    return base64.b64decode(text.translate(str.maketrans("-_", "+/")) + "=" * (-len(text) % 4))


def _header(headers: Mapping[str, str], name: str) -> str:
    # Plain dicts are case-sensitive; HTTP header names are not.
    for key, value in headers.items():
        if key.lower() == name:
            if value:
                return value
            break
    raise MissingHeaderError(f"missing {name} header")


def _bytes(body: Union[bytes, bytearray, memoryview]) -> bytes:
    if isinstance(body, str):
        # A str has been decoded (and maybe re-serialized): its bytes may not be the ones that were signed.
        raise TypeError("pass the raw request body as bytes, not str")
    return bytes(body)


class Webhook:
    """Verifies deliveries to one endpoint, signed with its secret (`whsec_...`, as hookd shows it).

    During a secret rotation hookd signs with both the new and the previous secret, so either verifies.
    """

    def __init__(self, secret: str, tolerance: Union[timedelta, float] = DEFAULT_TOLERANCE) -> None:
        if not secret:
            raise BadSecretError("the secret is empty")
        self._truto_key = secret.encode()
        if secret.startswith(_WHSEC_PREFIX):
            key = _decode_base64(secret[len(_WHSEC_PREFIX) :])
            if not key:
                raise BadSecretError("the part after whsec_ is not a non-empty base64 key")
            self._standard_key = key
        else:
            self._standard_key = self._truto_key
        seconds = tolerance.total_seconds() if isinstance(tolerance, timedelta) else float(tolerance)
        if seconds < 0:
            raise ValueError("tolerance must not be negative")
        self._tolerance = seconds

    def verify(
        self,
        body: Union[bytes, bytearray, memoryview],
        headers: Mapping[str, str],
        *,
        scheme: Scheme = Scheme.STANDARD_WEBHOOKS,
        now: Optional[float] = None,
    ) -> Event:
        """Verifies the delivery and returns its event. Raises a WebhookVerificationError subclass."""
        raw = _bytes(body)
        self.verify_signature(raw, headers, scheme=scheme, now=now)
        return parse_event(raw)

    def verify_signature(
        self,
        body: Union[bytes, bytearray, memoryview],
        headers: Mapping[str, str],
        *,
        scheme: Scheme = Scheme.STANDARD_WEBHOOKS,
        now: Optional[float] = None,
    ) -> None:
        """Verifies the signature only (for bodies you parse yourself)."""
        raw = _bytes(body)
        if Scheme(scheme) is Scheme.TRUTO_SIGNATURE:
            self._verify_truto(raw, headers)
        else:
            self._verify_standard(raw, headers, time.time() if now is None else now)

    def _verify_standard(self, body: bytes, headers: Mapping[str, str], now: float) -> None:
        msg_id = _header(headers, "webhook-id")
        timestamp = _header(headers, "webhook-timestamp")
        signatures = _header(headers, "webhook-signature")
        if not _TIMESTAMP.fullmatch(timestamp):
            raise BadTimestampError(f"webhook-timestamp {timestamp!r} is not unix seconds")
        age = now - int(timestamp)
        if age > self._tolerance:
            raise TimestampTooOldError(f"webhook-timestamp is {age:.0f} s old")
        if -age > self._tolerance:
            raise TimestampTooNewError(f"webhook-timestamp is {-age:.0f} s in the future")
        entries = signatures.split(" ")
        entries = [e for e in entries if e]
        if not entries or any("," not in e for e in entries):
            raise MalformedHeaderError("webhook-signature is not a list of '<version>,<signature>'")
        mac = hmac.new(self._standard_key, f"{msg_id}.{timestamp}.".encode() + body, hashlib.sha256)
        expected = base64.b64encode(mac.digest())
        for entry in entries:
            version, _, signature = entry.partition(",")
            if version == "v1" and hmac.compare_digest(signature.encode(), expected):
                return
        raise NoMatchingSignatureError("no webhook-signature matches the secret")

    def _verify_truto(self, body: bytes, headers: Mapping[str, str]) -> None:
        items = _header(headers, "x-truto-signature").split(",")
        if items[0] != "format=sha256" or len(items) < 2 or any(not i.startswith("v=") for i in items[1:]):
            raise MalformedHeaderError("X-Truto-Signature is not 'format=sha256,v=<hex>[,v=<hex>]'")
        expected = hmac.new(self._truto_key, body, hashlib.sha256).hexdigest().encode()
        for item in items[1:]:
            if hmac.compare_digest(item[2:].lower().encode(), expected):
                return
        raise NoMatchingSignatureError("no X-Truto-Signature matches the secret")
