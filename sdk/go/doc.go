// Package hookd verifies webhook deliveries from hookd and parses their events.
//
//	webhook, err := hookd.NewWebhook(os.Getenv("HOOKD_WEBHOOK_SECRET")) // "whsec_..."
//	event, err := webhook.Verify(rawBody, r.Header)                     // the body's bytes as received
//
// Verify checks the Standard Webhooks headers (webhook-id, webhook-timestamp, webhook-signature): an HMAC-SHA256
// over "<id>.<timestamp>.<body>" and a timestamp within DefaultTolerance of the clock either way, so a captured
// delivery cannot be replayed later. VerifyScheme(TrutoSignature, ...) checks X-Truto-Signature instead. Every
// failure is a *VerificationError wrapping an ErrorKind, for errors.Is. The package uses the standard library only.
package hookd
