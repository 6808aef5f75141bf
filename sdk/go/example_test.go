package hookd_test

import (
	"errors"
	"io"
	"log"
	"net/http"
	"os"

	hookd "github.com/hookd/hookd/sdk/go"
)

func Example() {
	webhook, err := hookd.NewWebhook(os.Getenv("HOOKD_WEBHOOK_SECRET"))
	if err != nil {
		log.Fatal(err)
	}
	http.HandleFunc("/webhooks/hookd", func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(io.LimitReader(r.Body, 10<<20)) // the raw bytes, as signed
		if err != nil {
			http.Error(w, "cannot read the body", http.StatusBadRequest)
			return
		}
		event, err := webhook.Verify(body, r.Header)
		var verr *hookd.VerificationError
		if errors.As(err, &verr) {
			http.Error(w, string(verr.Kind), http.StatusBadRequest)
			return
		}
		if event.Event == hookd.EventRecordCreated {
			log.Printf("record created: %s", event.Payload)
		}
		w.WriteHeader(http.StatusNoContent)
	})
}
