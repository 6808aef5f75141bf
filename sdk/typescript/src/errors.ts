/** Why a delivery was refused; the same names in every hookd verification library. */
export type ErrorKind =
  | "missing_header"
  | "malformed_header"
  | "bad_timestamp"
  | "timestamp_too_old"
  | "timestamp_too_new"
  | "no_matching_signature"
  | "bad_secret"
  | "invalid_payload";

/** A delivery that must not be trusted (or a secret that cannot verify anything). Answer 4xx. */
export class WebhookVerificationError extends Error {
  readonly kind: ErrorKind;

  constructor(kind: ErrorKind, message: string) {
    super(message);
    this.kind = kind;
    this.name = new.target.name;
  }
}

function subclass(kind: ErrorKind) {
  return class extends WebhookVerificationError {
    constructor(message: string) {
      super(kind, message);
    }
  };
}

// One class per kind, for `instanceof` (and `err.kind` for a switch).
export class MissingHeaderError extends subclass("missing_header") {}
export class MalformedHeaderError extends subclass("malformed_header") {}
export class BadTimestampError extends subclass("bad_timestamp") {}
export class TimestampTooOldError extends subclass("timestamp_too_old") {}
export class TimestampTooNewError extends subclass("timestamp_too_new") {}
export class NoMatchingSignatureError extends subclass("no_matching_signature") {}
export class BadSecretError extends subclass("bad_secret") {}
export class InvalidPayloadError extends subclass("invalid_payload") {}
