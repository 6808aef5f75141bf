package hookd_test

import (
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	hookd "github.com/hookd/hookd/sdk/go"
)

// The vectors shared by every hookd verification library (HOOKD_SDK_TESTDATA overrides, for a copied library).
func testdata(t *testing.T, name string) []byte {
	dir := os.Getenv("HOOKD_SDK_TESTDATA")
	if dir == "" {
		dir = filepath.Join("..", "testdata")
	}
	b, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		t.Fatalf("reading the vectors: %v", err)
	}
	return b
}

type vectorCase struct {
	Name      string            `json:"name"`
	Secret    string            `json:"secret"`
	Body      string            `json:"body"`
	Headers   map[string]string `json:"headers"`
	Now       int64             `json:"now"`
	Tolerance *int64            `json:"tolerance_seconds"`
	Expect    map[string]string `json:"expect"`
	Event     *struct {
		ID            string `json:"id"`
		Event         string `json:"event"`
		Known         bool   `json:"known_event_type"`
		EnvironmentID string `json:"environment_id"`
		CreatedAt     string `json:"created_at"`
		WebhookID     string `json:"webhook_id"`
		PayloadJSON   string `json:"payload_json"`
	} `json:"event"`
}

type vectorFile struct {
	DefaultTolerance int64        `json:"default_tolerance_seconds"`
	ErrorKinds       []string     `json:"error_kinds"`
	EventTypes       []string     `json:"event_types"`
	Cases            []vectorCase `json:"cases"`
}

func load(t *testing.T, name string) vectorFile {
	var f vectorFile
	if err := json.Unmarshal(testdata(t, name), &f); err != nil {
		t.Fatalf("parsing %s: %v", name, err)
	}
	if len(f.Cases) == 0 {
		t.Fatalf("%s has no cases", name)
	}
	return f
}

// outcome runs one case: "ok" or the error kind. parse chooses VerifyScheme (with the event) or VerifySignature.
func outcome(t *testing.T, c vectorCase, s hookd.Scheme, parse bool) string {
	t.Helper()
	opts := []hookd.Option{hookd.WithClock(func() time.Time { return time.Unix(c.Now, 0) })}
	if c.Tolerance != nil {
		opts = append(opts, hookd.WithTolerance(time.Duration(*c.Tolerance)*time.Second))
	}
	h := http.Header{}
	for k, v := range c.Headers {
		h.Set(k, v)
	}
	w, err := hookd.NewWebhook(c.Secret, opts...)
	if err == nil {
		if parse {
			var e *hookd.Event
			if e, err = w.VerifyScheme(s, []byte(c.Body), h); err == nil {
				checkEvent(t, c, e)
			}
		} else {
			err = w.VerifySignature(s, []byte(c.Body), h)
		}
	}
	if err == nil {
		return "ok"
	}
	var ve *hookd.VerificationError
	if !errors.As(err, &ve) {
		t.Fatalf("%s: not a VerificationError: %v", c.Name, err)
	}
	if !errors.Is(err, ve.Kind) {
		t.Fatalf("%s: errors.Is does not find the kind", c.Name)
	}
	return string(ve.Kind)
}

func checkEvent(t *testing.T, c vectorCase, e *hookd.Event) {
	t.Helper()
	want := c.Event
	if want == nil {
		t.Fatalf("%s: parsed, but the vector has no event", c.Name)
	}
	if e.ID != want.ID || string(e.Event) != want.Event || e.Event.Known() != want.Known ||
		e.EnvironmentID != want.EnvironmentID || e.CreatedAt != want.CreatedAt || e.WebhookID != want.WebhookID {
		t.Errorf("%s: event %+v, want %+v", c.Name, e, want)
	}
	var got, expected any
	if err := json.Unmarshal(e.Payload, &got); err != nil {
		t.Errorf("%s: payload: %v", c.Name, err)
	}
	if err := json.Unmarshal([]byte(want.PayloadJSON), &expected); err != nil {
		t.Fatalf("%s: vector payload: %v", c.Name, err)
	}
	if !reflect.DeepEqual(got, expected) {
		t.Errorf("%s: payload %s, want %s", c.Name, e.Payload, want.PayloadJSON)
	}
}

func TestHookdVectors(t *testing.T) {
	f := load(t, "vectors.json")
	seen := map[string]bool{}
	for _, c := range f.Cases {
		for _, s := range []hookd.Scheme{hookd.StandardWebhooks, hookd.TrutoSignature} {
			want := c.Expect[string(s)]
			seen[want] = true
			if got := outcome(t, c, s, true); got != want {
				t.Errorf("%s (%s): %s, want %s", c.Name, s, got, want)
			}
			// The signature alone passes wherever only the parse fails.
			wantSig := want
			if want == string(hookd.ErrInvalidPayload) {
				wantSig = "ok"
			}
			if got := outcome(t, c, s, false); got != wantSig {
				t.Errorf("%s (%s, signature only): %s, want %s", c.Name, s, got, wantSig)
			}
		}
	}
	for _, k := range append(f.ErrorKinds, "ok") {
		if !seen[k] {
			t.Errorf("no vector expects %s", k)
		}
	}
}

func TestStandardWebhooksVectors(t *testing.T) {
	for _, c := range load(t, "standard_webhooks_vectors.json").Cases {
		if got, want := outcome(t, c, hookd.StandardWebhooks, false), c.Expect["standard_webhooks"]; got != want {
			t.Errorf("%s: %s, want %s", c.Name, got, want)
		}
	}
}

func TestEventTypesAndToleranceMatchTheServer(t *testing.T) {
	f := load(t, "vectors.json")
	var known []string
	for _, k := range hookd.KnownEventTypes {
		known = append(known, string(k))
	}
	if !reflect.DeepEqual(known, f.EventTypes) {
		t.Errorf("KnownEventTypes %v, server's %v", known, f.EventTypes)
	}
	if hookd.DefaultTolerance != time.Duration(f.DefaultTolerance)*time.Second {
		t.Errorf("DefaultTolerance %v, vectors' %ds", hookd.DefaultTolerance, f.DefaultTolerance)
	}
}
