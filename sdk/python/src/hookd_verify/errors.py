"""Why a delivery was refused: one exception class per reason, all under WebhookVerificationError."""

from enum import Enum


class ErrorKind(str, Enum):
    """The reason a verification failed; the same names in every hookd verification library."""

    MISSING_HEADER = "missing_header"
    MALFORMED_HEADER = "malformed_header"
    BAD_TIMESTAMP = "bad_timestamp"
    TIMESTAMP_TOO_OLD = "timestamp_too_old"
    TIMESTAMP_TOO_NEW = "timestamp_too_new"
    NO_MATCHING_SIGNATURE = "no_matching_signature"
    BAD_SECRET = "bad_secret"
    INVALID_PAYLOAD = "invalid_payload"


class WebhookVerificationError(Exception):
    """A delivery that must not be trusted (or a secret that cannot verify anything). Answer 4xx."""

    kind: ErrorKind

    def __init__(self, message: str) -> None:
        super().__init__(message)


class MissingHeaderError(WebhookVerificationError):
    kind = ErrorKind.MISSING_HEADER


class MalformedHeaderError(WebhookVerificationError):
    kind = ErrorKind.MALFORMED_HEADER


class BadTimestampError(WebhookVerificationError):
    kind = ErrorKind.BAD_TIMESTAMP


class TimestampTooOldError(WebhookVerificationError):
    kind = ErrorKind.TIMESTAMP_TOO_OLD


class TimestampTooNewError(WebhookVerificationError):
    kind = ErrorKind.TIMESTAMP_TOO_NEW


class NoMatchingSignatureError(WebhookVerificationError):
    kind = ErrorKind.NO_MATCHING_SIGNATURE


class BadSecretError(WebhookVerificationError):
    kind = ErrorKind.BAD_SECRET


class InvalidPayloadError(WebhookVerificationError):
    kind = ErrorKind.INVALID_PAYLOAD
