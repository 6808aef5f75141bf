package hookd_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"net/http"
	"strconv"
	"testing"
	"time"

	hookd "github.com/hookd/hookd/sdk/go"
)

var key = []byte("0123456789abcdef0123456789abcdef")
var secret = "whsec_" + base64.StdEncoding.EncodeToString(key)

const body = `{"id":"e1","event":"record:created","payload":{"a":1},"environment_id":"env",` +
	`"created_at":"2026-01-01T00:00:00.000Z","webhook_id":"wh"}`

func signed(ts time.Time) http.Header {
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte("e1." + strconv.FormatInt(ts.Unix(), 10) + "." + body))
	h := http.Header{}
	h.Set("webhook-id", "e1")
	h.Set("webhook-timestamp", strconv.FormatInt(ts.Unix(), 10))
	h.Set("webhook-signature", "v1,"+base64.StdEncoding.EncodeToString(mac.Sum(nil)))
	return h
}

func TestVerifiesAtTheCurrentTimeByDefault(t *testing.T) {
	w, err := hookd.NewWebhook(secret)
	if err != nil {
		t.Fatal(err)
	}
	e, err := w.Verify([]byte(body), signed(time.Now()))
	if err != nil {
		t.Fatal(err)
	}
	if e.Event != hookd.EventRecordCreated || string(e.Payload) != `{"a":1}` {
		t.Errorf("event %+v", e)
	}
	if created, err := e.CreatedTime(); err != nil || created.Year() != 2026 {
		t.Errorf("CreatedTime %v, %v", created, err)
	}
}

func TestErrorsMatchWithErrorsIs(t *testing.T) {
	w, _ := hookd.NewWebhook(secret)
	_, err := w.Verify([]byte(body), signed(time.Now().Add(-time.Hour)))
	if !errors.Is(err, hookd.ErrTimestampTooOld) || errors.Is(err, hookd.ErrTimestampTooNew) {
		t.Errorf("err = %v", err)
	}
	_, err = w.Verify([]byte(body+" "), signed(time.Now()))
	if !errors.Is(err, hookd.ErrNoMatchingSignature) {
		t.Errorf("err = %v", err)
	}
}

func TestToleranceOption(t *testing.T) {
	w, _ := hookd.NewWebhook(secret, hookd.WithTolerance(2*time.Hour))
	if _, err := w.Verify([]byte(body), signed(time.Now().Add(-time.Hour))); err != nil {
		t.Errorf("an hour old with a 2 h tolerance: %v", err)
	}
}

func TestHeaderMapsWithNonCanonicalKeys(t *testing.T) {
	// http.Header.Get alone would miss these: it looks up the canonical spelling only.
	lower := http.Header{}
	for k, v := range signed(time.Now()) {
		lower[toLower(k)] = v
	}
	w, _ := hookd.NewWebhook(secret)
	if _, err := w.Verify([]byte(body), lower); err != nil {
		t.Errorf("lower-case keys: %v", err)
	}
}

func toLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 32
		}
	}
	return string(b)
}

func TestBadSecret(t *testing.T) {
	if _, err := hookd.NewWebhook("whsec_@@"); !errors.Is(err, hookd.ErrBadSecret) {
		t.Errorf("err = %v", err)
	}
}
