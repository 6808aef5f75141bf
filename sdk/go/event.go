package hookd

import (
	"bytes"
	"encoding/json"
	"time"
)

// EventType is an envelope's "event". The constants are every type hookd sends today; a newer server may send
// others, which parse all the same (Known reports false for them).
type EventType string

const (
	EventIntegratedAccountCreated                  EventType = "integrated_account:created"
	EventIntegratedAccountUpdated                  EventType = "integrated_account:updated"
	EventIntegratedAccountDeleted                  EventType = "integrated_account:deleted"
	EventIntegratedAccountActive                   EventType = "integrated_account:active"
	EventIntegratedAccountReactivated              EventType = "integrated_account:reactivated"
	EventIntegratedAccountAuthenticationError      EventType = "integrated_account:authentication_error"
	EventIntegratedAccountForbiddenError           EventType = "integrated_account:forbidden_error"
	EventIntegratedAccountPostInstallError         EventType = "integrated_account:post_install_error"
	EventIntegratedAccountValidationError          EventType = "integrated_account:validation_error"
	EventIntegratedAccountPostConnectFormSubmitted EventType = "integrated_account:post_connect_form_submitted"
	EventSyncJobRunCreated                         EventType = "sync_job_run:created"
	EventSyncJobRunUpdated                         EventType = "sync_job_run:updated"
	EventSyncJobRunStarted                         EventType = "sync_job_run:started"
	EventSyncJobRunCompleted                       EventType = "sync_job_run:completed"
	EventSyncJobRunFailed                          EventType = "sync_job_run:failed"
	EventSyncJobRunDeleted                         EventType = "sync_job_run:deleted"
	EventSyncJobRunRecord                          EventType = "sync_job_run:record"
	EventSyncJobRunRecordError                     EventType = "sync_job_run:record_error"
	EventSyncJobRunRateLimited                     EventType = "sync_job_run:rate_limited"
	EventRecordCreated                             EventType = "record:created"
	EventRecordUpdated                             EventType = "record:updated"
	EventRecordDeleted                             EventType = "record:deleted"
	EventRecordMeta                                EventType = "record:meta"
	EventEnvironmentIntegrationCreated             EventType = "environment_integration:created"
	EventEnvironmentIntegrationUpdated             EventType = "environment_integration:updated"
	EventEnvironmentIntegrationDeleted             EventType = "environment_integration:deleted"
	EventApiTokenCreated                           EventType = "api_token:created"
	EventApiTokenDeleted                           EventType = "api_token:deleted"
	EventSyncJobCronTriggerFailed                  EventType = "sync_job_cron_trigger:failed"
	EventBatchJobCreated                           EventType = "batch_job:created"
	EventBatchJobUpdated                           EventType = "batch_job:updated"
	EventBatchJobStarted                           EventType = "batch_job:started"
	EventBatchJobCompleted                         EventType = "batch_job:completed"
	EventBatchJobFailed                            EventType = "batch_job:failed"
	EventBatchJobDeleted                           EventType = "batch_job:deleted"
	EventTest                                      EventType = "test"
	EventWebhookDisabled                           EventType = "webhook:disabled"
)

// KnownEventTypes lists the EventType constants, in hookd's order.
var KnownEventTypes = []EventType{
	EventIntegratedAccountCreated,
	EventIntegratedAccountUpdated,
	EventIntegratedAccountDeleted,
	EventIntegratedAccountActive,
	EventIntegratedAccountReactivated,
	EventIntegratedAccountAuthenticationError,
	EventIntegratedAccountForbiddenError,
	EventIntegratedAccountPostInstallError,
	EventIntegratedAccountValidationError,
	EventIntegratedAccountPostConnectFormSubmitted,
	EventSyncJobRunCreated,
	EventSyncJobRunUpdated,
	EventSyncJobRunStarted,
	EventSyncJobRunCompleted,
	EventSyncJobRunFailed,
	EventSyncJobRunDeleted,
	EventSyncJobRunRecord,
	EventSyncJobRunRecordError,
	EventSyncJobRunRateLimited,
	EventRecordCreated,
	EventRecordUpdated,
	EventRecordDeleted,
	EventRecordMeta,
	EventEnvironmentIntegrationCreated,
	EventEnvironmentIntegrationUpdated,
	EventEnvironmentIntegrationDeleted,
	EventApiTokenCreated,
	EventApiTokenDeleted,
	EventSyncJobCronTriggerFailed,
	EventBatchJobCreated,
	EventBatchJobUpdated,
	EventBatchJobStarted,
	EventBatchJobCompleted,
	EventBatchJobFailed,
	EventBatchJobDeleted,
	EventTest,
	EventWebhookDisabled,
}

// Known reports whether t is one of the EventType constants of this version of the library.
func (t EventType) Known() bool {
	for _, k := range KnownEventTypes {
		if k == t {
			return true
		}
	}
	return false
}

// Event is a delivery's envelope.
type Event struct {
	ID            string          `json:"id"` // the same on every retry and replay: de-duplicate by it
	Event         EventType       `json:"event"`
	Payload       json.RawMessage `json:"payload"` // the event's JSON, to unmarshal into your own type
	EnvironmentID string          `json:"environment_id"`
	CreatedAt     string          `json:"created_at"` // RFC 3339, UTC, milliseconds
	WebhookID     string          `json:"webhook_id"`
}

// CreatedTime is CreatedAt as a time.Time.
func (e *Event) CreatedTime() (time.Time, error) { return time.Parse(time.RFC3339Nano, e.CreatedAt) }

// ParseEvent reads a (verified) body. It fails with ErrInvalidPayload when the body is not hookd's envelope.
func ParseEvent(body []byte) (*Event, error) {
	var members map[string]json.RawMessage
	if err := json.Unmarshal(body, &members); err != nil || members == nil {
		return nil, fail(ErrInvalidPayload, "the body is not a JSON object")
	}
	var e Event
	fields := []struct {
		name string
		to   *string
	}{{"id", &e.ID}, {"event", (*string)(&e.Event)}, {"environment_id", &e.EnvironmentID},
		{"created_at", &e.CreatedAt}, {"webhook_id", &e.WebhookID}}
	for _, f := range fields {
		raw := bytes.TrimSpace(members[f.name])
		// Only a JSON string: Unmarshal would also accept null, leaving the field empty.
		if len(raw) == 0 || raw[0] != '"' || json.Unmarshal(raw, f.to) != nil {
			return nil, fail(ErrInvalidPayload, "the envelope lacks the string member "+f.name)
		}
	}
	payload, ok := members["payload"]
	if !ok {
		return nil, fail(ErrInvalidPayload, "the envelope lacks the member payload")
	}
	e.Payload = payload
	return &e, nil
}
