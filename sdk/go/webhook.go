package hookd

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// DefaultTolerance is how far a webhook-timestamp may be from the receiver's clock, either way.
const DefaultTolerance = 5 * time.Minute

// Scheme is which of hookd's signature headers to check.
type Scheme string

const (
	// StandardWebhooks checks webhook-id, webhook-timestamp and webhook-signature: replay-safe.
	StandardWebhooks Scheme = "standard_webhooks"
	// TrutoSignature checks X-Truto-Signature: the body only, no timestamp.
	TrutoSignature Scheme = "truto_signature"
)

// Webhook verifies deliveries to one endpoint. It is safe for concurrent use.
type Webhook struct {
	trutoKey    []byte
	standardKey []byte
	tolerance   time.Duration
	now         func() time.Time
}

// Option configures a Webhook.
type Option func(*Webhook)

// WithTolerance sets how old or how far ahead a webhook-timestamp may be (default DefaultTolerance).
func WithTolerance(d time.Duration) Option { return func(w *Webhook) { w.tolerance = d } }

// WithClock replaces time.Now, for tests.
func WithClock(now func() time.Time) Option { return func(w *Webhook) { w.now = now } }

// NewWebhook makes a verifier for an endpoint's secret ("whsec_...", as hookd showed it). During a secret rotation
// hookd signs with both the new and the previous secret, so either one verifies. It fails with ErrBadSecret.
func NewWebhook(secret string, opts ...Option) (*Webhook, error) {
	if secret == "" {
		return nil, fail(ErrBadSecret, "the secret is empty")
	}
	w := &Webhook{trutoKey: []byte(secret), standardKey: []byte(secret), tolerance: DefaultTolerance, now: time.Now}
	if strings.HasPrefix(secret, "whsec_") {
		key, valid := decodeBase64(secret[len("whsec_"):])
		if !valid || len(key) == 0 {
			return nil, fail(ErrBadSecret, "the part after whsec_ is not a non-empty base64 key")
		}
		w.standardKey = key
	}
	for _, o := range opts {
		o(w)
	}
	return w, nil
}

// Verify checks the Standard Webhooks headers of a delivery and returns its event. body must be the raw request
// body, byte for byte: JSON decoded and encoded again does not verify.
func (w *Webhook) Verify(body []byte, h http.Header) (*Event, error) {
	return w.VerifyScheme(StandardWebhooks, body, h)
}

// VerifyScheme is Verify with a choice of headers.
func (w *Webhook) VerifyScheme(s Scheme, body []byte, h http.Header) (*Event, error) {
	if err := w.VerifySignature(s, body, h); err != nil {
		return nil, err
	}
	return ParseEvent(body)
}

// VerifySignature checks the signature only, for bodies you parse yourself.
func (w *Webhook) VerifySignature(s Scheme, body []byte, h http.Header) error {
	if s == TrutoSignature {
		return w.verifyTruto(body, h)
	}
	return w.verifyStandard(body, h)
}

func (w *Webhook) verifyStandard(body []byte, h http.Header) error {
	id, err := header(h, "webhook-id")
	if err != nil {
		return err
	}
	timestamp, err := header(h, "webhook-timestamp")
	if err != nil {
		return err
	}
	signatures, err := header(h, "webhook-signature")
	if err != nil {
		return err
	}
	seconds, ok := parseTimestamp(timestamp)
	if !ok {
		return fail(ErrBadTimestamp, "webhook-timestamp "+strconv.Quote(timestamp)+" is not unix seconds")
	}
	// In milliseconds of int64: time.Duration saturates at ±292 years, and a saturated -age overflows.
	ageMs := w.now().UnixMilli() - seconds*1000
	if ageMs > w.tolerance.Milliseconds() {
		return fail(ErrTimestampTooOld, "webhook-timestamp is "+strconv.FormatInt(ageMs/1000, 10)+" s old")
	}
	if -ageMs > w.tolerance.Milliseconds() {
		return fail(ErrTimestampTooNew, "webhook-timestamp is "+strconv.FormatInt(-ageMs/1000, 10)+" s ahead")
	}
	var entries []string
	for _, e := range strings.Split(signatures, " ") {
		if e == "" {
			continue
		}
		if !strings.Contains(e, ",") {
			return fail(ErrMalformedHeader, "webhook-signature is not a list of '<version>,<signature>'")
		}
		entries = append(entries, e)
	}
	if len(entries) == 0 {
		return fail(ErrMalformedHeader, "webhook-signature is blank")
	}
	mac := hmac.New(sha256.New, w.standardKey)
	mac.Write([]byte(id + "." + timestamp + "."))
	mac.Write(body)
	expected := []byte(base64.StdEncoding.EncodeToString(mac.Sum(nil)))
	for _, e := range entries {
		version, signature, _ := strings.Cut(e, ",")
		if version == "v1" && hmac.Equal([]byte(signature), expected) {
			return nil
		}
	}
	return fail(ErrNoMatchingSignature, "no webhook-signature matches the secret")
}

func (w *Webhook) verifyTruto(body []byte, h http.Header) error {
	value, err := header(h, "X-Truto-Signature")
	if err != nil {
		return err
	}
	items := strings.Split(value, ",")
	if items[0] != "format=sha256" || len(items) < 2 {
		return fail(ErrMalformedHeader, "X-Truto-Signature is not 'format=sha256,v=<hex>[,v=<hex>]'")
	}
	for _, item := range items[1:] {
		if !strings.HasPrefix(item, "v=") {
			return fail(ErrMalformedHeader, "X-Truto-Signature is not 'format=sha256,v=<hex>[,v=<hex>]'")
		}
	}
	mac := hmac.New(sha256.New, w.trutoKey)
	mac.Write(body)
	expected := []byte(hex.EncodeToString(mac.Sum(nil)))
	for _, item := range items[1:] {
		if hmac.Equal([]byte(strings.ToLower(item[2:])), expected) {
			return nil
		}
	}
	return fail(ErrNoMatchingSignature, "no X-Truto-Signature matches the secret")
}

// header finds a header however its name is spelled: http.Header.Get expects canonical keys, and a header map
// built by hand may not have them.
func header(h http.Header, name string) (string, error) {
	if v := h.Get(name); v != "" {
		return v, nil
	}
	for k, vs := range h {
		if strings.EqualFold(k, name) && len(vs) > 0 && vs[0] != "" {
			return vs[0], nil
		}
	}
	return "", fail(ErrMissingHeader, "missing "+name+" header")
}

// parseTimestamp accepts digits only (ParseInt would also take "+5"); 15 digits are far past any real time.
func parseTimestamp(s string) (int64, bool) {
	if len(s) == 0 || len(s) > 15 {
		return 0, false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	return n, err == nil
}

// decodeBase64 decodes as hookd decodes secrets: either alphabet, padding optional.
func decodeBase64(s string) ([]byte, bool) {
	s = strings.TrimRight(s, "=")
	if len(s)%4 == 1 {
		return nil, false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || strings.IndexByte("+/-_", c) >= 0) {
			return nil, false
		}
	}
	s = strings.NewReplacer("-", "+", "_", "/").Replace(s)
	b, err := base64.RawStdEncoding.DecodeString(s)
	return b, err == nil
}
