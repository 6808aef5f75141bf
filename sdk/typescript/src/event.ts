import { InvalidPayloadError } from "./errors.js";

/** Every event type hookd sends today, in hookd's order. */
export const EVENT_TYPES = [
  "integrated_account:created",
  "integrated_account:updated",
  "integrated_account:deleted",
  "integrated_account:active",
  "integrated_account:reactivated",
  "integrated_account:authentication_error",
  "integrated_account:forbidden_error",
  "integrated_account:post_install_error",
  "integrated_account:validation_error",
  "integrated_account:post_connect_form_submitted",
  "sync_job_run:created",
  "sync_job_run:updated",
  "sync_job_run:started",
  "sync_job_run:completed",
  "sync_job_run:failed",
  "sync_job_run:deleted",
  "sync_job_run:record",
  "sync_job_run:record_error",
  "sync_job_run:rate_limited",
  "record:created",
  "record:updated",
  "record:deleted",
  "record:meta",
  "environment_integration:created",
  "environment_integration:updated",
  "environment_integration:deleted",
  "api_token:created",
  "api_token:deleted",
  "sync_job_cron_trigger:failed",
  "batch_job:created",
  "batch_job:updated",
  "batch_job:started",
  "batch_job:completed",
  "batch_job:failed",
  "batch_job:deleted",
  "test",
  "webhook:disabled",
] as const;

export type KnownEventType = (typeof EVENT_TYPES)[number];
/** A known type, or a newer one this version of the library does not list (`string & {}` keeps completion). */
export type EventType = KnownEventType | (string & {});

const known: ReadonlySet<string> = new Set(EVENT_TYPES);

export function isKnownEventType(type: string): type is KnownEventType {
  return known.has(type);
}

/** A delivery's envelope, as hookd sends it. */
export interface WebhookEvent<Payload = unknown> {
  /** The same on every retry and replay: de-duplicate by it. */
  id: string;
  event: EventType;
  payload: Payload;
  environment_id: string;
  /** ISO 8601, UTC, milliseconds. */
  created_at: string;
  webhook_id: string;
}

const STRING_FIELDS = ["id", "event", "environment_id", "created_at", "webhook_id"] as const;

/** Parses a (verified) body; throws InvalidPayloadError when it is not hookd's envelope. */
export function parseEvent<Payload = unknown>(body: Uint8Array): WebhookEvent<Payload> {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(body));
  } catch (e) {
    throw new InvalidPayloadError(`the body is not JSON: ${(e as Error).message}`);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new InvalidPayloadError("the body is not a JSON object");
  }
  const obj = value as Record<string, unknown>;
  for (const name of STRING_FIELDS) {
    if (typeof obj[name] !== "string") throw new InvalidPayloadError(`the envelope lacks the string member ${name}`);
  }
  if (!Object.prototype.hasOwnProperty.call(obj, "payload")) {
    throw new InvalidPayloadError("the envelope lacks the member payload");
  }
  return {
    id: obj.id as string,
    event: obj.event as EventType,
    payload: obj.payload as Payload,
    environment_id: obj.environment_id as string,
    created_at: obj.created_at as string,
    webhook_id: obj.webhook_id as string,
  };
}
