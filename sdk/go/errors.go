package hookd

import "strings"

// ErrorKind is why a delivery was refused. Every error the verifier returns wraps one, so callers can branch with
// errors.Is(err, hookd.ErrTimestampTooOld). The values are the names every hookd verification library uses.
type ErrorKind string

const (
	ErrMissingHeader       ErrorKind = "missing_header"
	ErrMalformedHeader     ErrorKind = "malformed_header"
	ErrBadTimestamp        ErrorKind = "bad_timestamp"
	ErrTimestampTooOld     ErrorKind = "timestamp_too_old"
	ErrTimestampTooNew     ErrorKind = "timestamp_too_new"
	ErrNoMatchingSignature ErrorKind = "no_matching_signature"
	ErrBadSecret           ErrorKind = "bad_secret"
	ErrInvalidPayload      ErrorKind = "invalid_payload"
)

func (k ErrorKind) Error() string { return "hookd: " + strings.ReplaceAll(string(k), "_", " ") }

// VerificationError says which check failed (Kind) and what exactly was wrong (Detail).
type VerificationError struct {
	Kind   ErrorKind
	Detail string
}

func (e *VerificationError) Error() string { return "hookd: " + e.Detail }

// Unwrap makes errors.Is(err, ErrNoMatchingSignature) and the like work.
func (e *VerificationError) Unwrap() error { return e.Kind }

func fail(kind ErrorKind, detail string) error { return &VerificationError{Kind: kind, Detail: detail} }
